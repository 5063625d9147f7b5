"""Run one step's tool calls: concurrently, each in a TOOL span, none able to raise.

When the model asks several tools in one step (say, two Genie spaces), the calls
run at the same time, so two 2-second calls take about 2 seconds. Each worker gets
a copy of the caller's context, so its TOOL span is a child of the turn's AGENT span.
Each tool bounds its own time (see `Tool`); results come back in the
order the model asked for them. A step runs at most `MAX_CALLS_PER_STEP` calls, and
identical calls (same tool, same arguments) run once: a model that asks sixty times
cannot turn one turn into hours.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import json
from collections.abc import Mapping, Sequence
from typing import Any

import mlflow
from mlflow.entities import SpanStatusCode, SpanType

from .model_stream import ToolCall
from .tools.base import Tool, ToolResult, error_result

MAX_CALLS_PER_STEP = 8


def run_tool_calls(
    calls: Sequence[ToolCall], tools: Mapping[str, Tool], history: Sequence[Mapping[str, Any]]
) -> list[ToolResult]:
    """Every call's result, in call order."""
    unique = list(dict.fromkeys(_key(call) for call in calls))
    to_run, skipped = unique[:MAX_CALLS_PER_STEP], unique[MAX_CALLS_PER_STEP:]
    if len(to_run) == 1:  # no thread needed
        results = [_run(*to_run[0], tools, history)]
    else:
        with concurrent.futures.ThreadPoolExecutor(len(to_run), thread_name_prefix="tool") as pool:
            futures = [pool.submit(contextvars.copy_context().run, _run, *k, tools, history) for k in to_run]
            results = [future.result() for future in futures]
    done = dict(zip(to_run, results, strict=True))
    cause = f"not run: the model asked for more than {MAX_CALLS_PER_STEP} different calls in one step"
    done |= {key: _failed(key[0], cause) for key in skipped}
    return [done[_key(call)] for call in calls]


def _key(call: ToolCall) -> tuple[str, str]:
    """Calls with the same tool and arguments are the same call."""
    return call.name, call.arguments


def _run(
    name: str, raw_arguments: str, tools: Mapping[str, Tool], history: Sequence[Mapping[str, Any]]
) -> ToolResult:
    tool = tools.get(name)
    if tool is None:
        return _failed(name, f"the model asked for an unknown tool '{name}'")
    try:
        arguments = json.loads(raw_arguments or "{}")
    except json.JSONDecodeError:
        arguments = None
    if not isinstance(arguments, dict):
        return _failed(name, f"the model sent arguments that are not a JSON object: {raw_arguments[:200]!r}")
    with mlflow.start_span(name=tool.name, span_type=SpanType.TOOL) as span:
        span.set_inputs(arguments)
        try:
            result = tool(arguments, history)
        except Exception as exc:  # noqa: BLE001 - a broken tool is a failed call, not a crashed turn
            result = _failed(name, f"the tool crashed: {exc!r}"[:300])
        span.set_outputs(result.as_dict())
        span.set_attributes({"status": result.status.value, **result.attributes})
        if result.failed:
            span.set_status(SpanStatusCode.ERROR)
    return result


def _failed(name: str, cause: str) -> ToolResult:
    """A call that failed before or inside its tool, named by the tool it asked for."""
    return error_result(name, f"tool '{name}'", cause)
