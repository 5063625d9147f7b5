"""The no-fallback rule, enforced in code: the model never gets the last word on data.

A model that sees a failed query will often answer anyway, with figures that look
real. Instructions in the prompt do not stop that reliably, so this module decides
from the tools' typed statuses, whatever the model wrote:

* every data call in the turn failed, came back empty or answered only in words:
  the answer is replaced by a message that names each source and its cause and
  says no data will be made up;
* some calls returned data and some did not: the answer stands, with a notice
  naming each source that did not;
* in an agent with data tools, figures in the answer that no returned data, derivation
  of it or word of the user's supports are listed as unverified (see `figures/`).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections import Counter
from collections.abc import Sequence

from .figures import find_figures
from .tools.base import Status, ToolResult

REFUSAL_HEADER = "I could not get the data needed to answer, so I will not make up an answer."
REFUSAL_FOOTER = "I will not make up data. Please try again later or ask about something else."
NOTICE_HEADER = "Note: part of this answer is missing because some data sources did not return data:"
IN_WORDS = "replied in words instead of returning data, for example with a clarifying question."
MAX_QUOTE = 300  # the longest reply in words a refusal or notice quotes


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
    """One line for one source that returned no data: its configured name and our words.

    A reply in words (Genie asking "Do you mean revenue by region or by product?") is
    quoted, labelled as the source's, only when it is short (`MAX_QUOTE` characters),
    holds no figure and no digit at all, and no control or format character: a question
    back helps the user, but a figure in a fixed message would read as checked data.
    Anything else is described, never quoted. `result.detail` is never shown here.
    """
    if result.status is Status.EMPTY:
        return f"{result.source}: the query ran but returned no rows."
    if result.status is Status.TEXT:
        line = f"{result.source}: {IN_WORDS}"
        reply = " ".join(str(result.content.get("text") or "").split())
        return f"{line} Its words: “{reply}”" if _quotable(reply) else line
    cause = (result.error or "failed without a stated cause").rstrip(". ")
    return f"{result.source}: {cause}."


def _quotable(reply: str) -> bool:
    """Short, free of figures, digits and invisible or control characters."""
    if not reply or len(reply) > MAX_QUOTE or any(ch.isdigit() for ch in reply):
        return False
    return not find_figures(reply) and all(unicodedata.category(ch)[0] != "C" for ch in reply)


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
