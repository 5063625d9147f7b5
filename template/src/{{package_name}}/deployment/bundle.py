"""The bundle's values for one target, resolved from databricks.yml as the Databricks CLI does.

`databricks bundle deploy` takes each variable's default, then the target's value, then
BUNDLE_VAR_<name>, then --var; preflight must check exactly those values, so it reads
them the same way, without the CLI.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ..errors import describe_exception

LOOKUP = object()  # a variable given as {lookup: ...}
REFERENCE = re.compile(r"\$\{([^}]+)\}")


class BundleError(Exception):
    """databricks.yml cannot give the values to check; the message says why."""


@dataclasses.dataclass(frozen=True)
class Bundle:
    """What preflight needs from databricks.yml, resolved for one target."""

    name: str
    target: str
    development: bool
    variables: dict[str, Any]
    experiment: str | None  # resources.experiments.agent.name, with its ${...} references

    def fill(self, text: str, more: Mapping[str, str]) -> str:
        """`text` with ${bundle.name}, ${bundle.target}, ${var.x} and the `more` references
        filled in; references to anything else are left as they are."""
        variables = {f"var.{k}": str(v) for k, v in self.variables.items() if v is not LOOKUP}
        return _fill(text, {"bundle.name": self.name, "bundle.target": self.target, **variables, **more})


def load_bundle(
    path: Path, target: str | None, overrides: Mapping[str, str], env: Mapping[str, str]
) -> Bundle:
    """Variables as the Databricks CLI resolves them: default < target < BUNDLE_VAR_<name> < --var."""
    config = read_yaml(path)
    targets = config.get("targets") or {}
    target = target or next((name for name, spec in targets.items() if (spec or {}).get("default")), None)
    if target not in targets:
        raise BundleError(f"unknown target {target!r}: {path} defines {', '.join(targets) or 'none'}")
    declared = config.get("variables") or {}
    unknown = sorted(overrides.keys() - declared.keys())
    if unknown:
        raise BundleError(f"--var {unknown[0]}: {path} declares no such variable")
    assigned = dig(targets, target, "variables") or {}
    undeclared = sorted(assigned.keys() - declared.keys())
    if undeclared:
        raise BundleError(f"target {target} assigns {undeclared[0]!r}, which {path} does not declare")
    values = {name: _value(spec) for name, spec in declared.items()}
    values.update({name: _value(value) for name, value in assigned.items()})
    values.update({name: env[f"BUNDLE_VAR_{name}"] for name in declared if f"BUNDLE_VAR_{name}" in env})
    values.update(overrides)
    missing = sorted(name for name, value in values.items() if value is None)
    if missing:  # the CLI refuses such a bundle too
        raise BundleError(
            f"bundle variable `{missing[0]}` has no value for target {target}: set it in "
            f"databricks.yml, or pass --var {missing[0]}=VALUE (or BUNDLE_VAR_{missing[0]})"
        )
    name = str(dig(config, "bundle", "name"))
    values = _resolve(values, {"bundle.name": name, "bundle.target": target})
    included = [
        read_yaml(file) for pattern in config.get("include") or [] for file in path.parent.glob(pattern)
    ]
    experiments = [dig(doc, "resources", "experiments", "agent", "name") for doc in [config, *included]]
    development = dig(targets, target, "mode") == "development"
    experiment = next(filter(None, experiments), None)
    return Bundle(name, target, development, values, experiment)


def _value(value: Any) -> Any:
    """A variable's value: targets may give it plainly or as {default: ...}; a lookup
    (resolved by the CLI against the workspace) is kept as LOOKUP."""
    if isinstance(value, dict):
        return LOOKUP if "lookup" in value else value.get("default")
    return value


def _resolve(values: dict[str, Any], known: dict[str, str]) -> dict[str, Any]:
    """Values with their ${bundle.name}, ${bundle.target} and ${var.x} references filled in,
    as the CLI fills them; a reference to anything else is left for preflight to refuse."""
    for _ in range(5):  # references to references, a few levels deep
        plain = {f"var.{k}": str(v) for k, v in values.items() if v is not LOOKUP and "${" not in str(v)}
        values = {name: _fill(value, known | plain) for name, value in values.items()}
    return values


def _fill(value: Any, references: dict[str, str]) -> Any:
    if not isinstance(value, str):
        return value
    return REFERENCE.sub(lambda match: references.get(match[1], match[0]), value)


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BundleError(f"cannot read {path}: {describe_exception(exc)}") from exc
    if not isinstance(document, dict):
        raise BundleError(f"{path} is not a YAML mapping")
    return document


def dig(document: Any, *keys: str) -> Any:
    for key in keys:
        document = document.get(key) if isinstance(document, dict) else None
    return document
