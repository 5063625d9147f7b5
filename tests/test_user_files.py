"""Files the user owns are written once: rendering over an existing repo keeps them."""

from __future__ import annotations

from pathlib import Path

import yaml

from helpers import render
from variants import SALES, SUPPORT, VARIANTS

USER_ROWS = '# our own rows\n- inputs: {input: [{role: user, content: "Revenue in EMEA?"}]}\n'


def test_rendering_again_keeps_the_users_dataset_but_renews_template_files(tmp_path: Path) -> None:
    root = render(tmp_path / "project", VARIANTS["default"])
    dataset = root / "evaluation" / "dataset.yaml"
    config = root / "evaluation" / "config.yaml"
    rendered_config = config.read_text(encoding="utf-8")
    dataset.write_text(USER_ROWS, encoding="utf-8")
    config.write_text("# edited\n", encoding="utf-8")

    render(root, VARIANTS["default"], overwrite=True)

    assert dataset.read_text(encoding="utf-8") == USER_ROWS
    assert config.read_text(encoding="utf-8") == rendered_config


def test_a_genie_space_added_later_gets_eval_rows_without_touching_the_users_dataset(tmp_path: Path) -> None:
    """template_rows.yaml is the template's: re-rendered with the new answers, while the
    user's dataset.yaml, and their edits to it, stay as they were."""
    root = render(tmp_path / "project", VARIANTS["default"])
    dataset = root / "evaluation" / "dataset.yaml"
    template_rows = root / "evaluation" / "template_rows.yaml"
    dataset.write_text(USER_ROWS, encoding="utf-8")
    template_rows.write_text("# edited\n[]\n", encoding="utf-8")

    render(root, {**VARIANTS["default"], "genie_spaces": [SALES, SUPPORT]}, overwrite=True)

    assert dataset.read_text(encoding="utf-8") == USER_ROWS
    rows = yaml.safe_load(template_rows.read_text(encoding="utf-8"))
    expected = [set(row["expectations"].get("expected_tools", [])) for row in rows]
    assert {"sales"} in expected and {"support_tickets"} in expected
    assert {"sales", "support_tickets"} in expected  # the row across both spaces


def test_rendering_again_keeps_the_users_prompt_tools_and_env(tmp_path: Path) -> None:
    root = render(tmp_path / "project", VARIANTS["default"])
    package = root / "src" / "sales_insights_agent"
    mine = {
        root / ".env": "DATABRICKS_CONFIG_PROFILE=ours\n",
        package / "prompts" / "system.md": "You are our agent. Answer in French.\n",
        package / "tools" / "custom.py": "def custom_tools(config, workspace):\n    return [OUR_TOOL]\n",
    }
    for path, text in mine.items():
        assert path.is_file(), path
        path.write_text(text, encoding="utf-8")

    render(root, VARIANTS["default"], overwrite=True)

    for path, text in mine.items():
        assert path.read_text(encoding="utf-8") == text, path
