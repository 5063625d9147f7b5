"""A rendered repo's own tests hold for any valid value of the user's settings.

The README invites users to change `agent_config.yaml` and `evaluation/config.yaml`, so no
rendered test may depend on a default value (issue 16: raising `genie.max_rows` from 50
to 100 once failed a test). This renders the default variant, gives every setting in both
files another valid value, all at once, and runs the rendered suite a single time: one
`uv sync` and one suite run (about two minutes on 2 cores).
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from helpers import render
from variants import VARIANTS

PACKAGE = "sales_insights_agent"  # the default variant's package
AGENT_CONFIG = Path("src") / PACKAGE / "agent_config.yaml"
EVALUATION_CONFIG = Path("evaluation") / "config.yaml"
# The rendered project manages its own .venv: hide the test environment's from uv.
OUTSIDE_THIS_VENV = ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "UV_PYTHON")


def _threshold(bounds: dict[str, float]) -> dict[str, float]:
    """Stricter where an honest agent still passes (a higher `min`, a lower `max`), else looser."""
    changed = {}
    for bound, value in bounds.items():
        if bound == "max":
            changed[bound] = value / 2
        else:
            changed[bound] = round(value + 0.1, 2) if value <= 0.9 else 0.95
    return changed


# Another valid value for each setting, by its path in the file. A setting added to either
# file must be added here too: `test_every_setting_gets_another_value` says which is missing.
AGENT_VALUES: dict[str, Any] = {
    "llm_timeout_seconds": 45,
    "max_tool_rounds": 2,
    "genie.timeout_seconds": 30,
    "genie.max_rows": 100,
    "genie.max_parallel": 4,
    "web.title": "Another title: for the team",
    "web.max_concurrent_turns": 8,
    "web.feedback_comment_max_chars": 500,
}
EVALUATION_VALUES: dict[str, Any] = {
    "judge_endpoint": "another-judge-endpoint",
    "guidelines": [
        "The answer names the Genie space its figures came from.",
        "The answer is in plain English, without jargon.",
    ],
    "thresholds.*": _threshold,
    "dataset_table": "analytics.agent_eval.rows_of_the_team",
    "monitoring.sample_rate": 0.5,
    "monitoring.scorers": ["non_empty_answer", "no_fabricated_figures", "safety"],
}


# Settings changed through the template's answers, not in the file (the README says so, and
# test_bundle checks that databricks.yml agrees): the variants render other values of them.
THROUGH_ANSWERS = {"llm_endpoint", "genie.spaces"}


def _settings(config: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) of each setting: a mapping's leaves; lists count as one value."""
    for key, value in config.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and not path.startswith("thresholds."):
            yield from _settings(value, f"{path}.")
        else:
            yield path, value


def _changed(config: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """`config` with every setting replaced by its value in `values` (a function: of the old value)."""
    changed = copy.deepcopy(config)
    for path, old in _settings(config):
        if path in THROUGH_ANSWERS:
            continue
        key = path if path in values else f"{path.rsplit('.', 1)[0]}.*"
        assert key in values, f"{path}: no other value for this setting in tests/test_config_values.py"
        new = values[key](old) if callable(values[key]) else values[key]
        assert new != old, f"{path}: the new value is the rendered one"
        *parents, name = path.split(".")
        section = changed
        for parent in parents:
            section = section[parent]
        section[name] = new
    return changed


def _rewrite(path: Path, values: dict[str, Any]) -> dict[str, Any]:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    changed = _changed(config, values)
    path.write_text(yaml.safe_dump(changed, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return changed


def _uv() -> str:
    found = (
        os.environ.get("UV") or shutil.which("uv") or shutil.which("uv", path=Path.home() / ".local" / "bin")
    )
    assert found, "uv is needed to install the rendered project: https://docs.astral.sh/uv/"
    return found


def test_every_setting_gets_another_value(tmp_path: Path) -> None:
    project = render(tmp_path / "project", VARIANTS["default"])
    for relative, values in ((AGENT_CONFIG, AGENT_VALUES), (EVALUATION_CONFIG, EVALUATION_VALUES)):
        config = yaml.safe_load((project / relative).read_text(encoding="utf-8"))
        changed = _changed(config, values)  # fails on a setting without another value
        assert dict(_settings(changed)).keys() == dict(_settings(config)).keys()


def test_the_rendered_suite_passes_with_every_setting_changed(tmp_path: Path) -> None:
    project = render(tmp_path / "project", VARIANTS["default"])
    agent = _rewrite(project / AGENT_CONFIG, AGENT_VALUES)
    _rewrite(project / EVALUATION_CONFIG, EVALUATION_VALUES)
    assert agent["genie"]["max_rows"] == 100  # the example

    env = {key: value for key, value in os.environ.items() if key not in OUTSIDE_THIS_VENV}
    uv = _uv()
    subprocess.run([uv, "sync", "--quiet"], cwd=project, env=env, check=True)
    done = subprocess.run(
        [uv, "run", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, (
        f"the rendered suite failed with the changed settings:\n{done.stdout[-6000:]}"
    )
