"""Genie spaces as `copier update` answers: the command that gives the agent more spaces.

`copier update --data genie_spaces=...` replaces the whole list, so the command keeps
the spaces the repo has (its .copier-answers.yml) and adds the new ones after them.
Every entry passes copier.yml's rule for the question: a snake_case name of at most 40
characters (it becomes the tool's name), the 32-hex-digit space id, and a printable
description; at most 10 spaces.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from databricks.sdk.service.dashboards import GenieSpace

from ..deployment.overrides import SPACE_ID

MAX_SPACES = 10
MAX_NAME, MAX_DESCRIPTION = 40, 1000
UNPRINTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def space_answers(
    configured: Sequence[Mapping[str, Any]], spaces: Sequence[GenieSpace]
) -> tuple[list[dict[str, str]], int]:
    """The configured spaces, then each listed one they lack; and how many did not fit."""
    answers = [{key: str(space[key]) for key in ("name", "space_id", "description")} for space in configured]
    names = {answer["name"] for answer in answers}
    ids = {answer["space_id"] for answer in answers}
    left_out = 0
    for space in spaces:
        space_id = space.space_id or ""
        if space_id in ids or not SPACE_ID.fullmatch(space_id):
            continue
        if len(answers) >= MAX_SPACES:
            left_out += 1
            continue
        name = tool_name(space.title or "", names)
        names.add(name)
        ids.add(space_id)
        answers.append({"name": name, "space_id": space_id, "description": description(space)})
    return answers, left_out


def tool_name(title: str, taken: set[str]) -> str:
    """A snake_case name from the space's title, not in `taken`."""
    base = re.sub(r"^[^a-z]+", "", re.sub(r"[^a-z0-9]+", "_", title.lower())).strip("_") or "space"
    name, number = base[:MAX_NAME].rstrip("_"), 1
    while name in taken:
        number += 1
        suffix = f"_{number}"
        name = base[: MAX_NAME - len(suffix)].rstrip("_") + suffix
    return name


def description(space: GenieSpace) -> str:
    """The space's own description (the model picks a space by it), made printable and short."""
    text = printable(space.description or "").strip() or f"The Genie space {printable(space.title or '')}."
    return text[:MAX_DESCRIPTION]


def printable(text: str) -> str:
    return UNPRINTABLE.sub(" ", text)


def copier_command(answers: Sequence[Mapping[str, str]]) -> str:
    """The update command, quoted for a POSIX shell; the value is JSON, which YAML reads as is."""
    value = json.dumps(list(answers), ensure_ascii=False)
    return f"uvx copier update --trust --defaults --data {shlex.quote('genie_spaces=' + value)}"
