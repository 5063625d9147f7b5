"""Files the user owns are written once: rendering over an existing repo keeps them."""

from __future__ import annotations

from pathlib import Path

from helpers import render
from variants import VARIANTS

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
