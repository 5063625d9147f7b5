"""Run the model's tool calls: each in a TOOL span, concurrently, none able to raise.

`TurnTools` holds one turn's tools and the typed result of every call made in it,
by call id. The agent reads the no-fallback verdict from those results, never from
what a framework or the model says a tool returned.

When the model asks several tools in one step (say, two Genie spaces), the calls
run at the same time, so two 2-second calls take about 2 seconds. Each worker gets
a copy of the caller's context, so its TOOL span is a child of the turn's span.
Each tool bounds its own time (see `Tool`). A step runs at most `MAX_CALLS_PER_STEP`
calls, and identical calls (same tool, same arguments) run once: a model that asks
sixty times cannot turn one turn into hours.

A failed call's cause is in our own words: users see it in the tool row and in the
refusal or notice. What the model wrote (a tool name, its arguments) and an exception's
text go only into `detail`, for the model and the trace; an unknown name is not even
there, only its length and a hash, as the model can put anything (figures too) in it.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import mlflow
from mlflow.entities import SpanStatusCode, SpanType

from .errors import describe_exception
from .loop_events import ToolCall
from .tools.base import Tool, ToolResult, error_result

MAX_CALLS_PER_STEP = 8
UNKNOWN_TOOL = "(unknown tool)"
UNKNOWN_SOURCE = "a tool the model named that does not exist"


class TurnTools:
    """The tools of one turn, and what each of its calls returned."""

    def __init__(self, tools: Mapping[str, Tool], history: Sequence[Mapping[str, Any]]) -> None:
        self.tools = tools
        self._history = list(history)  # outputs of earlier turns' calls, oldest first
        self.results: dict[str, ToolResult] = {}

    @property
    def earlier(self) -> list[Mapping[str, Any]]:
        """The tool outputs of earlier turns, oldest first."""
        return list(self._history)

    @property
    def outputs(self) -> list[Mapping[str, Any]]:
        """The outputs of this turn's calls, in the order they were made."""
        return [result.as_dict() for result in self.results.values()]

    @property
    def history(self) -> list[Mapping[str, Any]]:
        """Every tool output of the conversation so far, this turn's included."""
        return [*self.earlier, *self.outputs]

    def run_step(self, calls: Sequence[ToolCall]) -> list[ToolResult]:
        """Every call of one step, concurrently, in call order."""
        history = self.history
        unique = list(dict.fromkeys(_key(call) for call in calls))
        to_run, skipped = unique[:MAX_CALLS_PER_STEP], unique[MAX_CALLS_PER_STEP:]
        if len(to_run) == 1:  # no thread needed
            results = [_run(*to_run[0], self.tools, history)]
        else:
            with concurrent.futures.ThreadPoolExecutor(len(to_run), thread_name_prefix="tool") as pool:
                futures = [
                    pool.submit(contextvars.copy_context().run, _run, *key, self.tools, history)
                    for key in to_run
                ]
                results = [future.result() for future in futures]
        done = dict(zip(to_run, results, strict=True))
        cause = f"not run: the model asked for more than {MAX_CALLS_PER_STEP} different calls in one step"
        done |= {key: _failed(key[0], self.tools, cause) for key in skipped}
        step = [done[_key(call)] for call in calls]
        self.results |= {call.id: result for call, result in zip(calls, step, strict=True)}
        return step


def _run(
    name: str,
    raw_arguments: str,
    tools: Mapping[str, Tool],
    history: Sequence[Mapping[str, Any]],
) -> ToolResult:
    """One call in its TOOL span, which is marked ERROR when the call failed."""
    with mlflow.start_span(name=name, span_type=SpanType.TOOL) as span:
        tool = tools.get(name)
        try:
            arguments = json.loads(raw_arguments or "{}")
        except json.JSONDecodeError:
            arguments = None
        if tool is None:
            result = _failed(
                name,
                tools,
                "the model asked for a tool that does not exist",
                _digest(name),
            )
        elif not isinstance(arguments, dict):
            cause = "the model sent arguments that are not a JSON object"
            result = _failed(name, tools, cause, _digest(raw_arguments or ""))
        else:
            span.set_inputs(arguments)
            try:
                result = tool(arguments, history)
            except Exception as exc:  # noqa: BLE001 - a broken tool is a failed call, not a crashed turn
                cause = f"the tool crashed ({type(exc).__name__})"
                result = _failed(name, tools, cause, describe_exception(exc))
        span.set_outputs(result.as_dict())
        span.set_attributes({"status": result.status.value, **result.attributes})
        if result.failed:
            span.set_status(SpanStatusCode.ERROR)
    return result


def _failed(name: str, tools: Mapping[str, Tool], cause: str, detail: str | None = None) -> ToolResult:
    """A call that failed before or inside its tool, named as the tool is configured."""
    tool = tools.get(name)
    if tool is None:  # the name is the model's text: neither users nor the model see it back
        return error_result(UNKNOWN_TOOL, UNKNOWN_SOURCE, cause, detail)
    return error_result(name, str(getattr(tool, "source", f"tool '{name}'")), cause, detail)


def _digest(text: str) -> str:
    """Which text the model sent, without its content: a length and a short hash."""
    digest = hashlib.sha256(text.encode(errors="surrogatepass")).hexdigest()
    return f"{len(text)} characters, sha256 {digest[:12]}"


def _key(call: ToolCall) -> tuple[str, str]:
    """Calls with the same tool and arguments are the same call."""
    return call.name, call.arguments
