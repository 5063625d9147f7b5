"""A fake judge endpoint: answers MLflow's LLM judges, whose requests ask for JSON.

MLflow's built-in judges (`databricks:/<endpoint>`) send Chat Completions requests
with a `response_format` JSON schema and read `{"result", "rationale"}` back. The
fake grades nothing: it returns `verdict` for every question, so tests control what
the judges conclude, or `failure` (an HTTP error) so they can see a judge that
cannot run. `verdicts` answers otherwise where the prompt holds a given text: a
row's own guideline, say, which only the judge that grades it is shown. `requests`
records what each judge was asked.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .server import FakeServer, Reply, Request

RATIONALE = "The fake judge was told to answer this way."


class FakeJudge:
    """Answers `POST /serving-endpoints/chat/completions` requests that carry `response_format`."""

    def __init__(self, server: FakeServer) -> None:
        self.reset()
        server.route(
            "POST",
            r"/serving-endpoints/chat/completions",
            self._handle,
            when=lambda body: isinstance(body, dict) and "response_format" in body,
        )

    def reset(self) -> None:
        self.verdict = "yes"
        self.verdicts: dict[str, str] = {}  # text in the prompt -> the verdict for that request
        self.content: str | None = None  # raw message content, instead of a verdict (e.g. not JSON)
        self.failure: Reply | None = None
        self.requests: list[dict[str, Any]] = []

    def _handle(self, request: Request, _: re.Match[str]) -> Reply:
        self.requests.append(request.body)
        if self.failure is not None:
            return self.failure
        messages = request.body.get("messages") or []
        prompt = "\n".join(str(m.get("content") if isinstance(m, dict) else m) for m in messages)
        verdict = next((v for text, v in self.verdicts.items() if text in prompt), self.verdict)
        content = self.content or json.dumps({"result": verdict, "rationale": RATIONALE})
        message = {"role": "assistant", "content": content}
        return Reply(
            body={
                "id": "chatcmpl-judge",
                "object": "chat.completion",
                "created": 0,
                "model": request.body.get("model"),
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
            }
        )
