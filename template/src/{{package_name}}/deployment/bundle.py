"""The bundle's values for one target, resolved from databricks.yml as the Databricks CLI does.

`databricks bundle deploy` takes each variable's default, then the target's value, then
BUNDLE_VAR_<name>, then --var; preflight must check exactly those values, so it reads
them the same way, without the CLI.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ..errors import describe_exception


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
    values = {name: _value(spec) for name, spec in declared.items()}
    values.update({name: _value(value) for name, value in (dig(targets, target, "variables") or {}).items()})
    values.update({name: env[f"BUNDLE_VAR_{name}"] for name in declared if f"BUNDLE_VAR_{name}" in env})
    values.update(overrides)
    included = [
        read_yaml(file) for pattern in config.get("include") or [] for file in path.parent.glob(pattern)
    ]
    experiments = [dig(doc, "resources", "experiments", "agent", "name") for doc in [config, *included]]
    development = dig(targets, target, "mode") == "development"
    experiment = next(filter(None, experiments), None)
    return Bundle(str(dig(config, "bundle", "name")), target, development, values, experiment)


def _value(value: Any) -> Any:
    """A variable's value: targets may give it plainly or as {default: ...}."""
    return value.get("default") if isinstance(value, dict) else value


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
