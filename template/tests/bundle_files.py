"""The Databricks Asset Bundle as files: databricks.yml, the resources it includes, and
the project files its jobs and app point at. Read by the offline bundle checks."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = re.compile(r"\$\{(var|resources)\.([^}]+)\}")


@dataclasses.dataclass
class BundleFiles:
    root: Path = ROOT

    @cached_property
    def bundle(self) -> dict[str, Any]:
        return _yaml(self.root / "databricks.yml")

    @cached_property
    def resource_files(self) -> list[Path]:
        return sorted(path for pattern in self.bundle["include"] for path in self.root.glob(pattern))

    @cached_property
    def resources(self) -> dict[str, dict[str, Any]]:
        """Every resource of every included file, by kind and key."""
        merged: dict[str, dict[str, Any]] = {}
        for path in self.resource_files:
            for kind, items in _yaml(path)["resources"].items():
                for key, body in items.items():
                    assert key not in merged.get(kind, {}), f"{kind}.{key} is defined twice"
                    merged.setdefault(kind, {})[key] = body
        return merged

    @cached_property
    def pyproject(self) -> dict[str, Any]:
        return tomllib.loads((self.root / "pyproject.toml").read_text(encoding="utf-8"))

    @cached_property
    def package(self) -> str:
        return next(path.name for path in (self.root / "src").iterdir() if path.is_dir())

    @cached_property
    def agent_config(self) -> dict[str, Any]:
        return _yaml(self.root / "src" / self.package / "agent_config.yaml")

    @property
    def space_names(self) -> list[str]:
        return [space["name"] for space in self.agent_config.get("genie", {}).get("spaces", [])]

    def text(self) -> str:
        """databricks.yml and the resource files, where `${...}` references live."""
        paths = [self.root / "databricks.yml", *self.resource_files]
        return "\n".join(path.read_text(encoding="utf-8") for path in paths)

    def references(self) -> list[tuple[str, str]]:
        """Every `${var.name}` and `${resources.kind.key.field}`, as (kind, path) pairs."""
        return REFERENCE.findall(self.text())

    def wheel_tasks(self) -> dict[str, dict[str, Any]]:
        """Every python_wheel_task of every job, by "job.task" key."""
        return {
            f"{job_key}.{task['task_key']}": task["python_wheel_task"]
            for job_key, job in self.resources.get("jobs", {}).items()
            for task in job["tasks"]
            if "python_wheel_task" in task
        }


def ref(path: str) -> str:
    """The bundle reference to `path`: ref("var.x") is "${var.x}"."""
    return "${" + path + "}"


def option(parameters: list[str], name: str) -> list[str]:
    """Every value given to the command-line option `name`."""
    return [parameters[i + 1] for i, value in enumerate(parameters[:-1]) if value == name]


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))
