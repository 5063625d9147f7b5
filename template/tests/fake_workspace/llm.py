"""A scripted serving endpoint for the Chat Completions API, JSON and SSE.

It plays the model. Given a user question and tools, it answers small talk ("what
can you help me with?") directly, and otherwise calls the tools whose names appear in
the question (or the first tool). Given tool results, it answers according
to `behaviour`:

* "honest" repeats what the tools returned, errors included;
* "fabricating" invents figures whatever the tools said, as real models do after a
  failed query. The agent's no-fallback rule must keep those figures from users;
* "silent" answers with no text at all.

Tests that need exact replies put `(text, tool_calls)` pairs in `script`.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

from .server import FakeServer, Reply, Request

INVENTED_ANSWER = "Revenue was $4,812,339.27 across 1,204 orders, up 12.5% on last quarter."
CHAT_ANSWER = "Hello! Ask me a question and I will look it up."
SMALL_TALK = re.compile(r"\bwhat can you help\b", re.IGNORECASE)
USAGE = {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}


class FakeChatModel:
    """Answers `POST /serving-endpoints/chat/completions`."""

    def __init__(self, server: FakeServer) -> None:
        self.reset()
        server.route("POST", r"/serving-endpoints/chat/completions", self._handle)

    def reset(self) -> None:
        self.behaviour = "honest"
        self.failure: Reply | None = None  # when set, calls get this reply once `script` is used up
        self.stream_gate: threading.Event | None = None  # holds a stream after its first chunk
        self.barrier: threading.Barrier | None = None  # each call waits for the others: proves concurrency
        self.payloads: list[dict[str, Any]] = []
        self.script: list[tuple[str, list[dict[str, str]]]] = []  # exact replies, used first
        self.raw_script: list[list[dict[str, Any] | None]] = []  # exact stream deltas, used before `script`
        self.finish_reason: str | None = None  # e.g. "length": overrides how streams end
        self.error_after_chunks: int | None = None  # send an SSE error event after N text chunks
        self.ignore_stream = False  # answer with plain JSON even when asked to stream
        self.chunk_delay_seconds = 0.001  # pause between streamed text chunks (a trickle, if large)
        self._ids = itertools.count(1)

    def _handle(self, request: Request, _: re.Match[str]) -> Reply:
        self.payloads.append(request.body)
        if self.barrier is not None:
            self.barrier.wait(timeout=10)  # BrokenBarrierError drops the call: the calls came one by one
        if self.raw_script and request.body.get("stream"):
            return Reply(events=self._raw_sse(request.body["model"], self.raw_script.pop(0)))
        if self.failure is not None and not self.script:
            return self.failure
        text, calls = self.reply(request.body)
        if request.body.get("stream") and not self.ignore_stream:
            return Reply(events=self._sse(request.body["model"], text, calls))
        return Reply(body=_completion(request.body["model"], text, calls))

    def reply(self, payload: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
        """The model's turn: some text, or tool calls."""
        if self.script:
            return self.script.pop(0)
        if self.behaviour == "silent":
            return "", []
        messages = payload["messages"]
        tools = [t["function"]["name"] for t in payload.get("tools") or []]
        last = messages[-1]
        if last["role"] == "user" and tools and not SMALL_TALK.search(_text(last)):
            question = _text(last)
            chosen = [name for name in tools if name in question] or tools[:1]
            arguments = json.dumps({"question": question})
            return "", [{"id": f"call_{next(self._ids)}", "name": n, "arguments": arguments} for n in chosen]
        if last["role"] == "tool":
            if self.behaviour == "fabricating":
                return INVENTED_ANSWER, []
            outputs = list(itertools.takewhile(lambda m: m["role"] == "tool", reversed(messages)))
            return "\n".join(_describe(json.loads(m["content"])) for m in reversed(outputs)), []
        return CHAT_ANSWER, []

    def _raw_sse(self, model: str, deltas: list[dict[str, Any] | None]) -> Iterator[str]:
        """Each delta exactly as scripted (None sends `"delta": null`), then the end of the reply."""
        for delta in deltas:
            chunk = _chunk(model, {})
            chunk["choices"][0]["delta"] = delta
            yield json.dumps(chunk)
        calls = any(delta and delta.get("tool_calls") for delta in deltas)
        yield json.dumps({**_chunk(model, {}, finish="tool_calls" if calls else "stop"), "usage": USAGE})
        yield "[DONE]"

    def _sse(self, model: str, text: str, calls: list[dict[str, str]]) -> Iterator[str]:
        pieces = re.findall(r"\S+\s*|\s+", text)
        for number, piece in enumerate(pieces):
            if number == self.error_after_chunks:
                yield json.dumps({"error": {"message": "upstream model overloaded", "type": "server_error"}})
                return
            yield json.dumps(_chunk(model, {"role": "assistant", "content": piece}))
            if number == 0 and self.stream_gate is not None:
                self.stream_gate.wait(timeout=10)
            time.sleep(self.chunk_delay_seconds)
        for index, call in enumerate(calls):
            head = {"index": index, "id": call["id"], "type": "function"}
            head["function"] = {"name": call["name"], "arguments": ""}
            yield json.dumps(_chunk(model, {"tool_calls": [head]}))
            half = len(call["arguments"]) // 2
            for part in (call["arguments"][:half], call["arguments"][half:]):
                delta = {"tool_calls": [{"index": index, "function": {"arguments": part}}]}
                yield json.dumps(_chunk(model, delta))
        finish = self.finish_reason or ("tool_calls" if calls else "stop")
        yield json.dumps({**_chunk(model, {}, finish=finish), "usage": USAGE})  # as Databricks reports it
        yield "[DONE]"


def _text(message: dict[str, Any]) -> str:
    content = message.get("content") or ""
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content)
    return content


def _describe(output: dict[str, Any]) -> str:
    """How an honest model reports one tool result: figures copied, failures admitted."""
    space = output.get("space", "the tool")
    if output["status"] == "ok":  # a Genie table, or the data of a tool of your own
        data = output.get("table") or json.dumps({k: v for k, v in output.items() if k != "status"})
        return f"From {space}:\n{data}"
    if output["status"] == "text":
        return f"{space} replied: {output['text']}"
    if output["status"] == "empty":
        return f"{space} returned no rows."
    return f"I could not get data from {space}: {output.get('error')}"


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _completion(model: str, text: str, calls: list[dict[str, str]]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        message["tool_calls"] = [
            {"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
            for c in calls
        ]
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}],
        "usage": USAGE,
    }
