"""Typed view of the agent's settings, read from its MLflow ModelConfig.

`agent_config.yaml` beside this module is the one place agent settings live. MLflow
logs it with the model, so a deployed agent runs with exactly the settings it was
tested with, and `ModelConfig` returns the logged copy when the model is served.
Reading it into a dataclass here makes a missing or mistyped key fail at start-up,
not in the middle of a user's conversation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import mlflow

CONFIG_PATH = Path(__file__).with_name("agent_config.yaml")


@dataclasses.dataclass(frozen=True)
class AgentSettings:
    """Settings of the tool-calling loop; tool sections stay in `config`."""

    llm_endpoint: str
    system_prompt: str
    max_tool_rounds: int
    llm_timeout_seconds: float
    config: Mapping[str, Any]


def read_config() -> dict[str, Any]:
    """The ModelConfig as a dict: the logged copy when served, else agent_config.yaml."""
    return mlflow.models.ModelConfig(development_config=str(CONFIG_PATH)).to_dict()


def load_settings(config: Mapping[str, Any] | None = None) -> AgentSettings:
    """Read settings from `config`, or from the ModelConfig (logged or local YAML)."""
    if config is None:
        config = read_config()
    rounds = int(config["max_tool_rounds"])
    if rounds < 1:
        raise ValueError(f"max_tool_rounds must be at least 1, got {rounds}")
    return AgentSettings(
        llm_endpoint=str(config["llm_endpoint"]),
        system_prompt=str(config["system_prompt"]).strip(),
        max_tool_rounds=rounds,
        llm_timeout_seconds=float(config["llm_timeout_seconds"]),
        config=config,
    )
