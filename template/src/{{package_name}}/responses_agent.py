"""The agent: a bounded tool-calling loop over a serving endpoint, streamed.

`ToolCallingAgent` is an MLflow `ResponsesAgent`. Each turn it streams the model's
reply from the Chat Completions API; when the model asks for tools it runs them,
emits `function_call` and `function_call_output` items, and asks again, at most
`max_tool_rounds` times. Text reaches the caller as the model writes it, except
when `no_fallback.review` already knows the answer will be replaced: then the
model's words are held back and never shown.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable, Generator, Iterator
from functools import cached_property
from typing import Any

import mlflow
import openai
from databricks.sdk import WorkspaceClient
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import (
    ResponsesAgentRequest,
    ResponsesAgentResponse,
    ResponsesAgentStreamEvent,
)

from . import no_fallback
from .llm import serving_endpoints_client
from .settings import AgentSettings
from .tools import Tool, build_tools
from .tools.base import ToolResult, error_result
from .tracing import tag_current_trace, traced_tool_call

EMPTY_ANSWER = "The model returned an empty answer. Please rephrase the question or try again."
ROUND_LIMIT_ANSWER = "I stopped after the maximum number of tool rounds without reaching an answer."


@dataclasses.dataclass
class _ToolCall:
    id: str = ""
    name: str = ""
    arguments: str = ""


@dataclasses.dataclass
class _Step:
    """What one streamed model reply contained."""

    text: str = ""
    item_id: str = ""
    tool_calls: list[_ToolCall] = dataclasses.field(default_factory=list)


class ToolCallingAgent(ResponsesAgent):
    """Answers from tools when it can, and says so plainly when they fail."""

    def __init__(
        self,
        settings: AgentSettings,
        connect: Callable[[], WorkspaceClient] = WorkspaceClient,
    ) -> None:
        self.settings = settings
        self._connect = connect  # called on first use, so importing needs no credentials

    @cached_property
    def _workspace(self) -> WorkspaceClient:
        return self._connect()

    @cached_property
    def _llm(self) -> openai.OpenAI:
        return serving_endpoints_client(self._workspace, self.settings.llm_timeout_seconds)

    @cached_property
    def tools(self) -> dict[str, Tool]:
        return {tool.name: tool for tool in build_tools(self.settings.config, self._workspace)}

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        done = [e.item for e in self._respond(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=done, custom_outputs=request.custom_inputs)

    def predict_stream(
        self, request: ResponsesAgentRequest
    ) -> Generator[ResponsesAgentStreamEvent, None, None]:
        yield from self._respond(request)

    def _respond(self, request: ResponsesAgentRequest) -> Iterator[ResponsesAgentStreamEvent]:
        """One turn. `predict` and `predict_stream` share it, so a turn is one AGENT span."""
        tag_current_trace(request)
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": self.settings.system_prompt},
            *self.prep_msgs_for_cc_llm([item.model_dump() for item in request.input]),
        ]
        results: list[ToolResult] = []
        for round_number in range(self.settings.max_tool_rounds + 1):
            offer_tools = round_number < self.settings.max_tool_rounds
            live = not no_fallback.review(results).replace_answer
            step = yield from self._stream_model(messages, offer_tools=offer_tools, live=live)
            if not (offer_tools and step.tool_calls):
                no_text = ROUND_LIMIT_ANSWER if step.tool_calls else EMPTY_ANSWER
                yield from self._final_answer(step, results, no_text)
                return
            messages.append(_assistant_message(step))
            for call in step.tool_calls:
                yield _done(self.create_function_call_item(call.id, call.id, call.name, call.arguments))
                result = self._run_tool(call)
                results.append(result)
                output = result.to_model_text()
                messages.append({"role": "tool", "tool_call_id": call.id, "content": output})
                yield _done(self.create_function_call_output_item(call.id, output))

    def _stream_model(
        self, messages: list[dict[str, Any]], *, offer_tools: bool, live: bool
    ) -> Generator[ResponsesAgentStreamEvent, None, _Step]:
        """Stream one model reply; yield its text deltas only when `live`."""
        extra: dict[str, Any] = {}
        if offer_tools and self.tools:
            extra["tools"] = [tool.spec for tool in self.tools.values()]
        stream = self._llm.chat.completions.create(
            model=self.settings.llm_endpoint, messages=messages, stream=True, **extra
        )
        step = _Step(item_id=_new_id("msg"))
        calls: dict[int, _ToolCall] = {}
        for chunk in stream:
            if not chunk.choices:
                continue
            delta = chunk.choices[0].delta
            if delta.content:
                step.text += delta.content
                if live:
                    yield _delta(delta.content, step.item_id)
            for part in delta.tool_calls or []:
                call = calls.setdefault(part.index, _ToolCall())
                call.id = call.id or part.id or ""
                if part.function is not None:
                    call.name += part.function.name or ""
                    call.arguments += part.function.arguments or ""
        step.tool_calls = [
            dataclasses.replace(call, id=call.id or _new_id("call")) for call in calls.values()
        ]
        if live and step.text and step.tool_calls:  # text the model wrote before asking for tools
            yield _done(self.create_text_output_item(step.text, step.item_id))
        return step

    def _run_tool(self, call: _ToolCall) -> ToolResult:
        tool = self.tools.get(call.name)
        if tool is None:
            cause = f"the model asked for an unknown tool '{call.name}'"
            return error_result(call.name, f"tool '{call.name}'", cause)
        try:
            arguments = json.loads(call.arguments or "{}")
        except json.JSONDecodeError as exc:
            arguments = exc
        if not isinstance(arguments, dict):
            cause = f"the model sent arguments that are not a JSON object: {call.arguments!r}"
            return error_result(tool.name, f"tool '{tool.name}'", cause)
        return traced_tool_call(tool, arguments)

    def _final_answer(
        self, step: _Step, results: list[ToolResult], no_text: str
    ) -> Iterator[ResponsesAgentStreamEvent]:
        """Close the turn with the model's answer, as far as the no-fallback rule allows.

        `no_text` stands in when the model wrote nothing.
        """
        verdict = no_fallback.review(results)
        if verdict.replace_answer:
            span = mlflow.get_current_active_span()
            if span is not None:
                span.set_attribute("no_fallback.discarded_answer", step.text)
            yield from self._message(verdict.text, _new_id("msg"))
            return
        text, item_id = step.text, step.item_id
        if not text.strip():
            text, item_id = no_text, _new_id("msg")
            yield _delta(text, item_id)
        if verdict.text:
            notice = f"\n\n{verdict.text}"
            yield _delta(notice, item_id)
            text += notice
        yield _done(self.create_text_output_item(text, item_id))

    def _message(self, text: str, item_id: str) -> Iterator[ResponsesAgentStreamEvent]:
        yield _delta(text, item_id)
        yield _done(self.create_text_output_item(text, item_id))


def _new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def _delta(text: str, item_id: str) -> ResponsesAgentStreamEvent:
    return ResponsesAgentStreamEvent(**ResponsesAgent.create_text_delta(text, item_id))


def _done(item: dict[str, Any]) -> ResponsesAgentStreamEvent:
    return ResponsesAgentStreamEvent(type="response.output_item.done", item=item)


def _assistant_message(step: _Step) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": step.text or None,
        "tool_calls": [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments or "{}"}}
            for c in step.tool_calls
        ],
    }
