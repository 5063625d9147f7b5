"""Typed view of `evaluation/config.yaml`: judges, guidelines, thresholds, monitoring.

Read once, checked at once: a typo in a threshold fails before any model is called,
with a message that names the key.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

CONFIG_PATH = Path("evaluation/config.yaml")


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


def load_settings(path: str | Path = CONFIG_PATH) -> EvaluationSettings:
    """Read and check the evaluation config at `path`."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (run from the repo root, or pass --config)") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{path}: expected a mapping of settings")
    try:
        return _parse(raw)
    except KeyError as exc:
        raise ConfigError(f"{path}: missing setting {exc}") from None
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _parse(raw: Mapping[str, Any]) -> EvaluationSettings:
    thresholds = {}
    for name, bounds in (raw.get("thresholds") or {}).items():
        if not isinstance(bounds, Mapping) or not bounds or set(bounds) - {"min", "max"}:
            raise ValueError(f"thresholds.{name} must be a mapping with `min` and/or `max`, got {bounds!r}")
        thresholds[str(name)] = Threshold(**{key: float(value) for key, value in bounds.items()})
    guidelines = raw["guidelines"]
    if not isinstance(guidelines, list) or not all(isinstance(g, str) and g.strip() for g in guidelines):
        raise ValueError("guidelines must be a list of non-empty strings")
    monitoring = raw["monitoring"]
    rate = float(monitoring["sample_rate"])
    if not 0 < rate <= 1:
        raise ValueError(f"monitoring.sample_rate must be above 0 and at most 1, got {rate:g}")
    return EvaluationSettings(
        judge_endpoint=str(raw["judge_endpoint"]),
        guidelines=tuple(guidelines),
        thresholds=thresholds,
        dataset_table=str(raw["dataset_table"]),
        monitoring_sample_rate=rate,
        monitoring_scorers=tuple(str(name) for name in monitoring["scorers"]),
    )
