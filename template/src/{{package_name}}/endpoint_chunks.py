"""Streamed Chat Completions chunks, cleaned before any framework reads them.

Serving endpoints do not all stream alike. A delta may be missing; content may be a
list of parts (a reasoning model's thinking, then its text) instead of a string; a
tool call's arguments may come as an object and its name as something else than a
string; parallel calls may share an index, or have no id, or the same id; text may
hold lone surrogates that no JSON encoder accepts. Frameworks take such chunks at
face value: they show the reasoning as JSON, merge two calls into one, or fail the
turn. `ChunkCleaner` rewrites each chunk, in place, into the plain shape every
framework reads correctly: text only, one index and one unique id per call.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from openai.types.chat.chat_completion_chunk import ChoiceDelta


class ChunkCleaner:
    """Cleans the chunks of one streamed reply, in order."""

    def __init__(self) -> None:
        self._calls: dict[Any, int] = {}  # the endpoint's index -> our index, for the call at it
        self._ids: list[str] = []  # our index -> the call's id
        self._made_up: set[int] = set()  # calls whose id we gave: an id arriving later is theirs

    def clean(self, chunk: Any) -> Any:
        for choice in chunk.choices or []:
            if choice.delta is None:
                choice.delta = ChoiceDelta()
            delta = choice.delta
            if delta.content is not None:
                delta.content = content_text(delta.content)
            for part in delta.tool_calls or []:
                self._clean_call_part(part)
        return chunk

    def _clean_call_part(self, part: Any) -> None:
        """One index and one unique id per call; the id on its first part only."""
        ours = self._calls.get(part.index)
        starts = ours is None or bool(part.id and ours not in self._made_up and part.id != self._ids[ours])
        if starts:
            ours = self._calls[part.index] = len(self._ids)
            if part.id and isinstance(part.id, str) and part.id not in self._ids:
                self._ids.append(part.id)
            else:
                self._made_up.add(ours)
                self._ids.append(f"call_{uuid.uuid4().hex}")
        part.index, part.id = ours, self._ids[ours] if starts else None
        function = part.function
        if function is not None:
            if function.name is not None and not isinstance(function.name, str):
                function.name = str(function.name)
            if function.arguments is not None and not isinstance(function.arguments, str):
                function.arguments = json.dumps(function.arguments)


def clean_chunks(chunks: Iterable[Any]) -> Iterator[Any]:
    """The chunks of one reply, cleaned; closing this closes `chunks`."""
    cleaner = ChunkCleaner()
    try:
        for chunk in chunks:
            yield cleaner.clean(chunk)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def content_text(content: Any) -> str:
    """The visible text of a delta's content: a string, or the text parts of a list."""
    if isinstance(content, str):
        return clean_text(content)
    if isinstance(content, list):  # a reasoning model's [{"type": "reasoning", ...}, {"type": "text", ...}]
        kinds = ("text", "output_text")
        texts = [p.get("text") for p in content if isinstance(p, dict) and p.get("type") in kinds]
        return clean_text("".join(t for t in texts if isinstance(t, str)))
    return clean_text(str(content))


def clean_text(text: str) -> str:
    """Replace what cannot be encoded (lone surrogates) so the response serialises."""
    return text.encode("utf-8", "replace").decode("utf-8")
