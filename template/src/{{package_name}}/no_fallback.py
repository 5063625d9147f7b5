"""The no-fallback rule, enforced in code: the model never gets the last word on data.

A model that sees a failed query will often answer anyway, with figures that look
real. Instructions in the prompt do not stop that reliably, so this module decides
from the tools' typed statuses, whatever the model wrote:

* every data call in the turn failed, came back empty or answered only in words:
  the answer is replaced by a message that names each source and its cause and
  says no data will be made up;
* some calls returned data and some did not: the answer stands, with a notice
  naming each source that did not;
* in an agent with data tools, figures in the answer that appear in no tool output
  and no user message of the conversation are listed as unverified.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .tools.base import Status, ToolResult

REFUSAL_HEADER = "I could not get the data needed to answer, so I will not make up an answer."
REFUSAL_FOOTER = "I will not make up data. Please try again later or ask about something else."
NOTICE_HEADER = "Note: part of this answer is missing because some data sources did not return data:"
FIGURES_HEADER = (
    "Note: these figures do not appear in any data returned in this conversation; "
    "they may be rounded, derived or made up:"
)
# A figure: digits with optional thousands separators and decimals ("1,204", "12.5").
FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?")


@dataclasses.dataclass(frozen=True)
class Verdict:
    """What to do with the model's final answer."""

    replace_answer: bool  # True: discard the model's text and show `text` instead
    text: str  # the replacement, or a notice to append ("" for none)


def review(results: Sequence[ToolResult]) -> Verdict:
    """Judge a turn's tool results; the model's text is deliberately not an input."""
    data = [r for r in results if r.is_data_source]
    missing = [r for r in data if not r.has_data]
    if not missing:
        return Verdict(replace_answer=False, text="")
    lines = "\n".join(f"- {describe(r)}" for r in missing)
    if len(missing) == len(data):
        return Verdict(replace_answer=True, text=f"{REFUSAL_HEADER}\n\n{lines}\n\n{REFUSAL_FOOTER}")
    return Verdict(replace_answer=False, text=f"{NOTICE_HEADER}\n{lines}")


def describe(result: ToolResult) -> str:
    """One line for one source that returned no data."""
    if result.status is Status.EMPTY:
        return f"{result.source}: the query ran but returned no rows."
    if result.status is Status.TEXT:
        return f"{result.source} replied without data: “{result.content.get('text', '')}”"
    cause = (result.error or "failed without a stated cause").rstrip(". ")
    return f"{result.source}: {cause}."


def figures_notice(answer: str, evidence: Iterable[str]) -> str:
    """A notice listing figures of two or more digits that no evidence contains, or ""."""
    known = {_normalise(f) for text in evidence for f in FIGURE.findall(text)}
    unverified: list[str] = []
    for figure in FIGURE.findall(answer):
        figure = figure.rstrip(",")
        digits = sum(c.isdigit() for c in figure)
        if digits >= 2 and _normalise(figure) not in known and figure not in unverified:
            unverified.append(figure)
    if not unverified:
        return ""
    return FIGURES_HEADER + " " + ", ".join(f"“{f}”" for f in unverified) + "."


def evidence(messages: Sequence[Mapping[str, Any]]) -> list[str]:
    """What figures may come from: the users' messages and every tool output so far."""
    texts = []
    for message in messages:
        if message.get("role") in ("user", "tool"):
            content = message.get("content")
            texts.append(content if isinstance(content, str) else str(content))
    return texts


def _normalise(figure: str) -> str:
    """Compare figures without thousands separators or trailing decimal zeros."""
    plain = figure.rstrip(",").replace(",", "")
    if "." in plain:
        plain = plain.rstrip("0").rstrip(".")
    return plain
