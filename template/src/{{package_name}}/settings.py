"""Typed view of the agent's settings, read from its MLflow ModelConfig.

`agent_config.yaml` beside this module is the one place agent settings live. MLflow
logs it with the model, so a deployed agent runs with exactly the settings it was
tested with, and `ModelConfig` returns the logged copy when the model is served.
Reading it into a dataclass here makes a missing or mistyped key fail at start-up,
not in the middle of a user's conversation.

The system prompt is the one exception: it is `prompts/system.md`, a file you own
that template updates never touch. It is read from beside this module, so a logged
model (whose `code_paths` hold this package) uses the copy it was logged with.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import mlflow

CONFIG_PATH = Path(__file__).with_name("agent_config.yaml")
PROMPT_PATH = Path(__file__).parent / "prompts" / "system.md"


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


def read_system_prompt(path: Path = PROMPT_PATH) -> str:
    """The system prompt: the text of `path`, stripped. A missing or empty file is an error."""
    try:
        prompt = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"The system prompt file {path} is missing: create it with the agent's instructions."
        ) from None
    if not prompt:
        raise ValueError(f"The system prompt file {path} is empty: write the agent's instructions in it.")
    return prompt


def load_settings(config: Mapping[str, Any] | None = None, prompt_path: Path = PROMPT_PATH) -> AgentSettings:
    """Read settings from `config`, or from the ModelConfig (logged or local YAML), and
    the system prompt from `prompt_path`."""
    if config is None:
        config = read_config()
    if "system_prompt" in config:
        raise ValueError(
            f"agent_config.yaml has a system_prompt key, but since template 0.5.0 the system prompt "
            f"lives in src/{__package__}/prompts/system.md: move the text there and delete the key."
        )
    rounds = int(config["max_tool_rounds"])
    if rounds < 1:
        raise ValueError(f"max_tool_rounds must be at least 1, got {rounds}")
    return AgentSettings(
        llm_endpoint=str(config["llm_endpoint"]),
        system_prompt=read_system_prompt(prompt_path),
        max_tool_rounds=rounds,
        llm_timeout_seconds=float(config["llm_timeout_seconds"]),
        config=config,
    )
