"""The no-fallback rule, enforced in code: the model never gets the last word on data.

A model that sees a failed query will often answer anyway, with figures that look
real. Instructions in the prompt do not stop that reliably, so this module decides
from the tools' typed statuses alone, whatever the model wrote:

* no data tool was called: the model's answer stands;
* every data call failed or came back empty: the answer is replaced by a message
  that names each source and its cause and says no data will be made up;
* some calls answered and some did not: the answer stands, and a notice naming each
  source that did not answer is appended to it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from .tools.base import Status, ToolResult

REFUSAL_HEADER = "I could not get the data needed to answer, so I will not make up an answer."
REFUSAL_FOOTER = "I will not make up data. Please try again later or ask about something else."
NOTICE_HEADER = "Note: part of this answer is missing because some data sources did not answer:"


@dataclasses.dataclass(frozen=True)
class Verdict:
    """What to do with the model's final answer."""

    replace_answer: bool  # True: discard the model's text and show `text` instead
    text: str  # the replacement, or a notice to append ("" for none)


def review(results: Sequence[ToolResult]) -> Verdict:
    """Judge a turn's tool results; the model's text is deliberately not an input."""
    data = [r for r in results if r.is_data_source]
    missing = [r for r in data if not r.answered]
    if not missing:
        return Verdict(replace_answer=False, text="")
    lines = "\n".join(f"- {describe(r)}" for r in missing)
    if len(missing) == len(data):
        return Verdict(replace_answer=True, text=f"{REFUSAL_HEADER}\n\n{lines}\n\n{REFUSAL_FOOTER}")
    return Verdict(replace_answer=False, text=f"{NOTICE_HEADER}\n{lines}")


def describe(result: ToolResult) -> str:
    """One line for one source that gave no data."""
    if result.status is Status.EMPTY:
        return f"{result.source}: the query ran but returned no rows."
    cause = (result.error or "failed without a stated cause").rstrip(". ")
    return f"{result.source}: {cause}."
