"""The target workspace's values, written over agent_config.yaml's when the agent is deployed.

agent_config.yaml holds the endpoint and Genie space ids you develop against. Each bundle
target may point elsewhere (databricks.yml variables `llm_endpoint` and
`genie_space_<name>`), and what the bundle deploys receives those values explicitly: its
jobs as command-line options, the app as environment variables bound to its resources
(app.yaml). `apply` writes them into a copy of the config, so the agent still reads one
ModelConfig, and a model logged by the register job carries the target's values.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import re
from collections.abc import Mapping
from typing import Any

LLM_ENDPOINT_ENV = "AGENT_LLM_ENDPOINT"
GENIE_SPACE_ENV_PREFIX = "AGENT_GENIE_SPACE_"
SPACE_ID = re.compile(r"[0-9a-f]{32}")


@dataclasses.dataclass(frozen=True)
class Overrides:
    """Values to replace; None and absent names keep the config's own."""

    llm_endpoint: str | None = None
    genie_space_ids: Mapping[str, str] = dataclasses.field(default_factory=dict)


def add_options(parser: argparse.ArgumentParser) -> None:
    """The command-line form, shared by every command a bundle job runs."""
    parser.add_argument("--llm-endpoint", help="serving endpoint to use instead of agent_config.yaml's")
    parser.add_argument(
        "--genie-space",
        action="append",
        default=[],
        metavar="NAME=SPACE_ID",
        help="Genie space id for the tool NAME instead of agent_config.yaml's (repeatable)",
    )


def from_options(args: argparse.Namespace) -> Overrides:
    """Overrides from parsed `add_options` options; ValueError names a malformed one."""
    ids: dict[str, str] = {}
    for option in args.genie_space:
        name, sep, space_id = option.partition("=")
        if not (sep and name and space_id):
            raise ValueError(f"--genie-space takes NAME=SPACE_ID, got {option!r}")
        ids[name] = space_id
    if args.llm_endpoint is not None and not args.llm_endpoint.strip():
        raise ValueError("--llm-endpoint is empty: give an endpoint name, or leave the option out")
    return Overrides(llm_endpoint=args.llm_endpoint, genie_space_ids=ids)


def from_environment(environ: Mapping[str, str]) -> Overrides:
    """Overrides from AGENT_LLM_ENDPOINT and AGENT_GENIE_SPACE_<NAME> (how app.yaml sets them).

    A variable that is set but empty is an error, not "unset": an unresolved deployment
    value must not fall back to the development endpoint or space.
    """
    names = [key for key in environ if key == LLM_ENDPOINT_ENV or key.startswith(GENIE_SPACE_ENV_PREFIX)]
    empty = sorted(name for name in names if not environ[name].strip())
    if empty:
        raise ValueError(f"{', '.join(empty)} set but empty: give it a value, or unset it")
    ids = {
        key.removeprefix(GENIE_SPACE_ENV_PREFIX).lower(): environ[key]
        for key in names
        if key != LLM_ENDPOINT_ENV
    }
    return Overrides(llm_endpoint=environ.get(LLM_ENDPOINT_ENV), genie_space_ids=ids)


def apply(config: Mapping[str, Any], overrides: Overrides) -> dict[str, Any]:
    """A copy of `config` with the overrides written in; ValueError if one fits no tool."""
    result = copy.deepcopy(dict(config))
    if overrides.llm_endpoint:
        result["llm_endpoint"] = overrides.llm_endpoint
    spaces = {space["name"]: space for space in result.get("genie", {}).get("spaces", [])}
    for name, space_id in overrides.genie_space_ids.items():
        if name not in spaces:
            known = ", ".join(sorted(spaces)) or "none: this agent has no Genie spaces"
            raise ValueError(f"no Genie space named {name!r} in the agent config (known: {known})")
        if not SPACE_ID.fullmatch(space_id):
            raise ValueError(
                f"Genie space id for {name!r} must be 32 lowercase hexadecimal characters, got {space_id!r}"
            )
        spaces[name]["space_id"] = space_id
    return result
