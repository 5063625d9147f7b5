"""Read one streamed Chat Completions reply: text as it arrives, then the whole reply.

Serving endpoints do not all stream alike. Chunks may have no choices or no delta;
content may be a list of parts (text and reasoning) instead of a string; a tool call's
name, id and arguments may arrive in any order and pieces; parallel calls may share an
index or an id; arguments may come as an object. This module absorbs those shapes so
the agent loop sees one clean reply. A stream with no chunks at all is an error: the
endpoint answered, but not as a stream.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
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
    chunks: int = 0

    @property
    def cut_off(self) -> str | None:
        """Why the model stopped early, if it did."""
        return CUT_OFF_REASONS.get(self.finish_reason or "")


class EmptyStreamError(Exception):
    """The endpoint sent no stream chunks (an HTML page, or a reply that is not SSE)."""


class ReplyTimeoutError(Exception):
    """The whole reply took longer than its deadline (a slow or trickling stream)."""


def read_reply(
    chunks: Iterable[Any], reply: ModelReply | None = None, timeout_seconds: float = math.inf
) -> Generator[str, None, ModelReply]:
    """Yield each piece of text as it arrives; return the assembled reply.

    Pass `reply` to keep what arrived so far if the stream breaks off. The HTTP
    timeout bounds each read; `timeout_seconds` bounds the whole reply, so a stream
    that trickles a few bytes at a time cannot hold the turn.
    """
    reply = reply if reply is not None else ModelReply()
    deadline = time.monotonic() + timeout_seconds
    by_index: dict[Any, ToolCall] = {}
    for chunk in chunks:
        if time.monotonic() > deadline:
            raise ReplyTimeoutError(f"the model's reply took longer than {timeout_seconds:g} s")
        reply.chunks += 1
        choice = chunk.choices[0] if chunk.choices else None
        if choice is None:
            continue
        reply.finish_reason = choice.finish_reason or reply.finish_reason
        delta = choice.delta
        if delta is None:
            continue
        text = content_text(delta.content)
        if text:
            reply.text += text
            yield text
        for part in delta.tool_calls or []:
            call = by_index.get(part.index)
            if call is None or (part.id and call.id and part.id != call.id):
                call = by_index[part.index] = ToolCall()
                reply.tool_calls.append(call)
            call.id = call.id or part.id or ""
            if part.function is not None:
                call.name += str(part.function.name or "")
                arguments = part.function.arguments
                if arguments is not None:
                    call.arguments += arguments if isinstance(arguments, str) else json.dumps(arguments)
    if reply.chunks == 0:
        raise EmptyStreamError(
            "the model endpoint sent no stream chunks: is it a chat endpoint that streams?"
        )
    _give_unique_ids(reply.tool_calls)
    return reply


def content_text(content: Any) -> str:
    """The visible text of a delta's content: a string, or the text parts of a list."""
    if content is None:
        return ""
    if isinstance(content, str):
        return clean_text(content)
    if isinstance(
        content, list
    ):  # e.g. reasoning models: [{"type": "reasoning", ...}, {"type": "text", ...}]
        texts = [
            p.get("text") for p in content if isinstance(p, dict) and p.get("type") in ("text", "output_text")
        ]
        return clean_text("".join(t for t in texts if isinstance(t, str)))
    return clean_text(str(content))


def clean_text(text: str) -> str:
    """Replace what cannot be encoded (lone surrogates) so the response serialises."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _give_unique_ids(calls: list[ToolCall]) -> None:
    seen: set[str] = set()
    for call in calls:
        if not call.id or call.id in seen:
            call.id = f"call_{uuid.uuid4().hex}"
        seen.add(call.id)
