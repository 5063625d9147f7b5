"""The rendered Databricks Asset Bundle, checked offline for every variant.

There is no Databricks CLI here, so `bundle validate` cannot run; instead each resource
is read through the typed classes of the `databricks-bundles` package (unknown fields
and bad enum values fail), and every reference (`${var.x}`, `${resources...}`, the
wheel's entry point) must point at something that exists.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from databricks.bundles.experiments import MlflowExperiment
from databricks.bundles.jobs import Job

from variants import VARIANTS

TYPED = {"jobs": Job, "experiments": MlflowExperiment}
REFERENCE = re.compile(r"\$\{(var|resources)\.([^}]+)\}")


def _bundle(root: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """databricks.yml, and the resources of every file it includes, by type and key."""
    bundle = yaml.safe_load((root / "databricks.yml").read_text(encoding="utf-8"))
    resources: dict[str, dict[str, Any]] = {}
    for pattern in bundle.get("include", []):
        for path in sorted(root.glob(pattern)):
            for kind, items in yaml.safe_load(path.read_text(encoding="utf-8"))["resources"].items():
                resources.setdefault(kind, {}).update(items)
    return bundle, resources


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_resources_are_valid_bundle_resources(variant: str, rendered_variant) -> None:
    _, resources = _bundle(rendered_variant(variant))
    assert set(resources) <= set(TYPED), f"no typed check for {set(resources) - set(TYPED)}"
    for kind, items in resources.items():
        for key, body in items.items():
            TYPED[kind].from_dict(body)  # raises on unknown fields and bad values
            assert key


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_reference_points_at_something_declared(variant: str, rendered_variant) -> None:
    root = rendered_variant(variant)
    bundle, resources = _bundle(root)
    text = "\n".join(
        p.read_text(encoding="utf-8") for p in [root / "databricks.yml", *root.glob("resources/*.yml")]
    )
    for kind, path in REFERENCE.findall(text):
        if kind == "var":
            assert path in bundle["variables"], f"${{var.{path}}} is not declared"
        else:
            resource_kind, key, *_ = path.split(".")
            assert key in resources.get(resource_kind, {}), f"${{resources.{path}}} does not exist"


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_evaluation_job_runs_the_packages_evaluation_command(variant: str, rendered_variant) -> None:
    root = rendered_variant(variant)
    _, resources = _bundle(root)
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    task = resources["jobs"]["evaluation"]["tasks"][0]["python_wheel_task"]
    package = next(path.name for path in (root / "src").iterdir())
    assert task["package_name"] == package
    assert project["scripts"][task["entry_point"]] == f"{package}.evaluation.__main__:cli"
    for option in ("--dataset", "--config"):
        path = task["parameters"][task["parameters"].index(option) + 1]
        assert (root / path.removeprefix("${workspace.file_path}/")).is_file(), path
