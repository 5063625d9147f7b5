"""What every tool returns: a typed result that cannot pass an error off as data.

A tool never raises into the agent loop. It returns a `ToolResult` whose `status`
says what happened. Only `OK` carries data; an `ERROR` carries its cause. The
no-fallback rule (`no_fallback.py`) reads these statuses, never the model's prose.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class Status(enum.Enum):
    OK = "ok"  # data came back
    EMPTY = "empty"  # the query ran and returned no rows: no error, but no data either
    TEXT = "text"  # the source answered in words (e.g. a clarifying question), not data
    ERROR = "error"  # the call failed; `error` says why


@dataclasses.dataclass(frozen=True)
class ToolResult:
    """The outcome of one tool call.

    `source` names the data source for people ("Genie space 'sales'"); `content` is
    what the model reads; `attributes` go onto the TOOL span of the trace. `error` is
    the cause in our own words, shown to users; `detail` is text from outside (a
    workspace's message, an exception's text), for the model and the trace only: the
    fixed messages users see never quote it, as it can hold figures or the model's words.
    """

    tool: str
    source: str
    status: Status
    content: Mapping[str, Any]
    error: str | None = None
    is_data_source: bool = True
    attributes: Mapping[str, str | int | bool] = dataclasses.field(default_factory=dict)
    detail: str | None = None

    @property
    def failed(self) -> bool:
        return self.status is Status.ERROR

    @property
    def has_data(self) -> bool:
        return self.status is Status.OK

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status.value, **self.content}
        if self.error is not None:
            body["error"] = self.error
        if self.detail is not None:
            body["detail"] = self.detail
        return body

    def summary(self) -> dict[str, Any]:
        """What a client shows of this call (the chat page's tool status): no data, no ids, no detail."""
        row_count = self.content.get("row_count")
        return {
            "tool": self.tool,
            "source": self.source,
            "status": self.status.value,
            "error": self.error,
            "row_count": row_count if isinstance(row_count, int) else None,
        }

    def to_model_text(self) -> str:
        """The tool message the model sees: JSON, so status and error are explicit."""
        return json.dumps(self.as_dict(), ensure_ascii=False, default=str)


class Tool(Protocol):
    """A callable the model may invoke, described by an OpenAI function spec.

    `history` holds the outputs of earlier tool calls in the conversation (parsed
    JSON), so a tool can carry state across turns without the agent keeping any.
    A call must bound its own time (nothing else will); tools run concurrently in threads.
    """

    name: str

    @property
    def spec(self) -> dict[str, Any]: ...

    def __call__(
        self, arguments: Mapping[str, Any], history: Sequence[Mapping[str, Any]] = ()
    ) -> ToolResult: ...


def error_result(tool: str, source: str, cause: str, detail: str | None = None, **content: Any) -> ToolResult:
    """A failed call: `cause`, in our words, is shown to users too; `detail` only to the model and trace."""
    return ToolResult(
        tool=tool, source=source, status=Status.ERROR, content=content, error=cause, detail=detail
    )


def tool_outputs(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The JSON outputs of every tool call in a chat-completions message list, oldest first."""
    outputs = []
    for message in messages:
        if message.get("role") != "tool" or not isinstance(message.get("content"), str):
            continue
        try:
            output = json.loads(message["content"])
        except json.JSONDecodeError:
            continue
        if isinstance(output, dict):
            outputs.append(output)
    return outputs
