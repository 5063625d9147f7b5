"""What an agent loop reports to the agent, whatever framework runs it.

`agent_loop.py` drives the model and the tools in this repo's framework and yields
these events; `responses_agent.py` turns them into ResponsesAgent stream events and
applies the no-fallback rule. So the rule, the streaming policy and the output items
are written once, and a framework only has to say what happened, in order:

`ModelCallStarted`, its `TextDelta`s, `ModelCallFinished`, then (if the model asked
for tools) `ToolsFinished`, and again; `RoundLimitReached` if the loop gave up. A model
call that fails raises out of the loop: the client's error, or one of the two at the
end of this module (a reply too slow, or no stream at all).
"""

from __future__ import annotations

import dataclasses

from .errors import OwnWordsError
from .tools.base import ToolResult


@dataclasses.dataclass
class ToolCall:
    """One function call the model asked for; `arguments` is its raw JSON text."""

    id: str = ""
    name: str = ""
    arguments: str = ""


@dataclasses.dataclass(frozen=True)
class ModelCallStarted:
    tools_offered: bool  # False when the model cannot call tools in this call


@dataclasses.dataclass(frozen=True)
class TextDelta:
    text: str


@dataclasses.dataclass(frozen=True)
class ModelCallFinished:
    tool_calls: list[ToolCall]  # what the model asked for, in order ([] for an answer)
    cut_off: str | None = None  # why the model stopped early, if it did


@dataclasses.dataclass(frozen=True)
class ToolsFinished:
    """The calls of one step and their typed results, in call order."""

    calls: list[ToolCall]
    results: list[ToolResult]


@dataclasses.dataclass(frozen=True)
class RoundLimitReached:
    """The loop stopped asking the model after `max_tool_rounds` rounds of tools."""


LoopEvent = ModelCallStarted | TextDelta | ModelCallFinished | ToolsFinished | RoundLimitReached

# The Chat Completions finish reasons that mean a reply broke off, as `cut_off` words them.
CUT_OFF_REASONS = {"length": "it reached the token limit", "content_filter": "a content filter stopped it"}


class ReplyTimeoutError(OwnWordsError):
    """The whole reply took longer than its deadline (a slow or trickling stream)."""


class EmptyStreamError(OwnWordsError):
    """The endpoint sent no stream chunks (an HTML page, or a reply that is not SSE)."""
