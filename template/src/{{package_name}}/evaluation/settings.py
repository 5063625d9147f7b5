"""Typed view of `evaluation/config.yaml`: judges, guidelines, thresholds, monitoring.

Read once, checked at once: a typo in a threshold fails before any model is called,
with a message that names the key.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import yaml

CONFIG_PATH = Path("evaluation/config.yaml")
ENDPOINT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")


@dataclasses.dataclass(frozen=True)
class Threshold:
    """A scorer passes when its mean is at least `min` and at most `max` (either may be unset)."""

    min: float | None = None
    max: float | None = None

    def passes(self, mean: float) -> bool:
        return (self.min is None or mean >= self.min) and (self.max is None or mean <= self.max)

    def __str__(self) -> str:
        return " and ".join(
            part
            for part in (
                f">= {self.min:g}" if self.min is not None else "",
                f"<= {self.max:g}" if self.max is not None else "",
            )
            if part
        )


@dataclasses.dataclass(frozen=True)
class EvaluationSettings:
    judge_endpoint: str
    guidelines: tuple[str, ...]
    thresholds: Mapping[str, Threshold]
    dataset_table: str
    monitoring_sample_rate: float
    monitoring_scorers: tuple[str, ...]


class ConfigError(ValueError):
    """The evaluation config is missing a key or has a value of the wrong kind."""


def check_scorer_names(settings: EvaluationSettings, known: Collection[str]) -> None:
    """Every threshold must name a scorer: a typo would otherwise gate nothing, silently."""
    unknown = sorted(set(settings.thresholds) - set(known))
    if unknown:
        raise ConfigError(f"thresholds: no scorer is called {unknown}; the scorers are {sorted(known)}")


def read_yaml(path: Path, error: type[ValueError], option: str) -> Any:
    """The YAML document at `path`, or `error` saying what is wrong with the file."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: no such file (run from the repo root, or pass {option})") from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from None


def load_settings(path: str | Path = CONFIG_PATH) -> EvaluationSettings:
    """Read and check the evaluation config at `path`."""
    path = Path(path)
    raw = read_yaml(path, ConfigError, "--config")
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{path}: expected a mapping of settings")
    try:
        return _parse(raw)
    except KeyError as exc:
        raise ConfigError(f"{path}: missing setting {exc}") from None
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from None


def check_endpoint(name: str, setting: str = "judge_endpoint") -> str:
    """`name` if it is a serving endpoint name; a ConfigError that says what is allowed otherwise."""
    if not isinstance(name, str) or not ENDPOINT_NAME.fullmatch(name):
        raise ConfigError(
            f"{setting} must be a serving endpoint name: 1-63 ASCII letters, digits, '-' or '_', "
            f"starting with a letter or digit (got {name!r})"
        )
    return name


def _parse(raw: Mapping[str, Any]) -> EvaluationSettings:
    thresholds = raw["thresholds"]
    if not isinstance(thresholds, Mapping) or not thresholds:
        raise ValueError(
            "thresholds must map scorer names to {min, max}: a gate with no thresholds checks nothing"
        )
    guidelines = raw["guidelines"]
    if (
        not isinstance(guidelines, list)
        or not guidelines
        or not all(isinstance(g, str) and g.strip() for g in guidelines)
    ):
        raise ValueError("guidelines must be a non-empty list of non-empty strings")
    monitoring = raw["monitoring"]
    if not isinstance(monitoring, Mapping) or not isinstance(monitoring.get("scorers"), list):
        raise ValueError("monitoring must have `sample_rate` and a list of `scorers`")
    rate = _number(monitoring.get("sample_rate"), "monitoring.sample_rate")
    if not 0 < rate <= 1:
        raise ValueError(f"monitoring.sample_rate must be above 0 and at most 1, got {rate:g}")
    return EvaluationSettings(
        judge_endpoint=check_endpoint(raw["judge_endpoint"]),
        guidelines=tuple(guidelines),
        thresholds={str(name): _threshold(str(name), bounds) for name, bounds in thresholds.items()},
        dataset_table=_table_name(raw["dataset_table"]),
        monitoring_sample_rate=rate,
        monitoring_scorers=tuple(str(name) for name in monitoring["scorers"]),
    )


def _threshold(name: str, bounds: Any) -> Threshold:
    if not isinstance(bounds, Mapping) or not bounds or set(bounds) - {"min", "max"}:
        raise ValueError(f"thresholds.{name} must be a mapping with `min` and/or `max`, got {bounds!r}")
    threshold = Threshold(
        **{key: _number(value, f"thresholds.{name}.{key}") for key, value in bounds.items()}
    )
    if threshold.min is not None and threshold.max is not None and threshold.min > threshold.max:
        raise ValueError(f"thresholds.{name}: min {threshold.min:g} is above max {threshold.max:g}")
    return threshold


def _number(value: Any, key: str) -> float:
    """A finite number, or a ValueError that names the key."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{key} must be a number, got {value!r}")
    return float(value)


def _table_name(value: Any) -> str:
    if not isinstance(value, str) or value.count(".") != 2 or not all(value.split(".")):
        raise ValueError(f"dataset_table must be a Unity Catalog table name, catalog.schema.table: {value!r}")
    return value
