"""Read one streamed Chat Completions reply: text as it arrives, then the whole reply.

Serving endpoints do not all stream alike. Chunks may have no choices or no delta;
a tool call's name, id and arguments may arrive in any order and pieces; parallel
calls may share an index or an id; arguments may come as an object instead of a
string. This module absorbs those shapes so the agent loop sees one clean reply.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Generator, Iterable
from typing import Any

CUT_OFF_REASONS = {"length": "it reached the token limit", "content_filter": "a content filter stopped it"}


@dataclasses.dataclass
class ToolCall:
    id: str = ""
    name: str = ""
    arguments: str = ""


@dataclasses.dataclass
class ModelReply:
    text: str = ""
    tool_calls: list[ToolCall] = dataclasses.field(default_factory=list)
    finish_reason: str | None = None

    @property
    def cut_off(self) -> str | None:
        """Why the model stopped early, if it did."""
        return CUT_OFF_REASONS.get(self.finish_reason or "")


def read_reply(chunks: Iterable[Any]) -> Generator[str, None, ModelReply]:
    """Yield each piece of text as it arrives; return the assembled reply."""
    reply = ModelReply()
    by_index: dict[Any, ToolCall] = {}
    for chunk in chunks:
        choice = chunk.choices[0] if chunk.choices else None
        if choice is None:
            continue
        reply.finish_reason = choice.finish_reason or reply.finish_reason
        delta = choice.delta
        if delta is None:
            continue
        if delta.content:
            text = clean_text(delta.content)
            reply.text += text
            yield text
        for part in delta.tool_calls or []:
            call = by_index.get(part.index)
            if call is None or (part.id and call.id and part.id != call.id):
                call = by_index[part.index] = ToolCall()
                reply.tool_calls.append(call)
            call.id = call.id or part.id or ""
            if part.function is not None:
                call.name += part.function.name or ""
                arguments = part.function.arguments
                if arguments is not None:
                    call.arguments += arguments if isinstance(arguments, str) else json.dumps(arguments)
    _give_unique_ids(reply.tool_calls)
    return reply


def clean_text(text: str) -> str:
    """Replace what cannot be encoded (lone surrogates) so the response serialises."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _give_unique_ids(calls: list[ToolCall]) -> None:
    seen: set[str] = set()
    for call in calls:
        if not call.id or call.id in seen:
            call.id = f"call_{uuid.uuid4().hex}"
        seen.add(call.id)
