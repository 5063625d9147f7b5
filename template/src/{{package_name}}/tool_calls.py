"""Run one step's tool calls: concurrently, each in a TOOL span, none able to raise.

When the model asks several tools in one step (say, two Genie spaces), the calls
run at the same time, so two 2-second calls take about 2 seconds. Each worker gets
a copy of the caller's context, so its TOOL span is a child of the turn's AGENT span.
Each tool bounds its own time (`Tool.timeout_seconds`); results come back in the
order the model asked for them.
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


def run_tool_calls(
    calls: Sequence[ToolCall], tools: Mapping[str, Tool], history: Sequence[Mapping[str, Any]]
) -> list[ToolResult]:
    """Every call's result, in call order."""
    if len(calls) == 1:  # no thread needed
        return [_run(calls[0], tools, history)]
    with concurrent.futures.ThreadPoolExecutor(len(calls), thread_name_prefix="tool") as pool:
        futures = [pool.submit(contextvars.copy_context().run, _run, c, tools, history) for c in calls]
        return [future.result() for future in futures]


def _run(call: ToolCall, tools: Mapping[str, Tool], history: Sequence[Mapping[str, Any]]) -> ToolResult:
    tool = tools.get(call.name)
    if tool is None:
        cause = f"the model asked for an unknown tool '{call.name}'"
        return error_result(call.name, f"tool '{call.name}'", cause)
    try:
        arguments = json.loads(call.arguments or "{}")
    except json.JSONDecodeError:
        arguments = None
    if not isinstance(arguments, dict):
        cause = f"the model sent arguments that are not a JSON object: {call.arguments[:200]!r}"
        return error_result(tool.name, f"tool '{tool.name}'", cause)
    with mlflow.start_span(name=tool.name, span_type=SpanType.TOOL) as span:
        span.set_inputs(arguments)
        try:
            result = tool(arguments, history)
        except Exception as exc:  # noqa: BLE001 - a broken tool is a failed call, not a crashed turn
            result = error_result(tool.name, f"tool '{tool.name}'", f"the tool crashed: {exc!r}"[:300])
        span.set_outputs(result.as_dict())
        span.set_attributes({"status": result.status.value, **result.attributes})
        if result.failed:
            span.set_status(SpanStatusCode.ERROR)
    return result


def tool_history(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The JSON outputs of every tool call in the conversation so far, oldest first."""
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
