"""The no-fallback rule, enforced in code: the model never gets the last word on data.

A model that sees a failed query will often answer anyway, with figures that look
real. Instructions in the prompt do not stop that reliably, so this module decides
from the tools' typed statuses, whatever the model wrote:

* every data call in the turn failed, came back empty or answered only in words:
  the answer is replaced by a message that names each source and its cause and
  says no data will be made up;
* some calls returned data and some did not: the answer stands, with a notice
  naming each source that did not;
* in an agent with data tools, figures in the answer that appear in no data returned
  in the conversation are listed as unverified (see `figures.py`).
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .figures import unverified
from .tools.base import Status, ToolResult

REFUSAL_HEADER = "I could not get the data needed to answer, so I will not make up an answer."
REFUSAL_FOOTER = "I will not make up data. Please try again later or ask about something else."
NOTICE_HEADER = "Note: part of this answer is missing because some data sources did not return data:"
FIGURES_HEADER = (
    "Note: these figures do not appear in any data returned in this conversation; "
    "they may be rounded, derived or made up:"
)
NOT_DATA = {"status", "space", "sql", "error"}


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
    answered = {r.source for r in data if r.has_data}
    lines = "\n".join(f"- {line}" for line in _grouped(missing, answered))
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


def _grouped(missing: Sequence[ToolResult], answered: set[str]) -> list[str]:
    """One line per distinct source and cause, with a count when it repeats."""
    counts = Counter(describe(r) for r in missing)
    sources = {describe(r): r.source for r in missing}
    lines = []
    for line, count in counts.items():
        if sources[line] in answered:  # the same source also returned data in another call
            line = f"(one of its calls) {line}"
        lines.append(line if count == 1 else f"{line} ({count} times)")
    return lines


def figures_notice(answer: str, evidence: Iterable[str]) -> str:
    """A notice listing the answer's figures that no evidence contains, or ""."""
    listed = unverified(answer, evidence)
    return f"{FIGURES_HEADER} " + ", ".join(f"“{f}”" for f in listed) + "." if listed else ""


def evidence(outputs: Sequence[Mapping[str, Any]]) -> list[str]:
    """What figures may come from: the data in every successful tool output (parsed JSON).

    Ids, SQL text, error messages and replies in words are not data; neither is the
    user's own question.
    """
    texts = []
    for output in outputs:
        if output.get("status") == Status.OK.value:
            data = {k: v for k, v in output.items() if k not in NOT_DATA and not k.endswith("_id")}
            texts.append(json.dumps(data, ensure_ascii=False))
    return texts
