"""The agent: a bounded tool-calling loop over a serving endpoint, streamed.

`ToolCallingAgent` is an MLflow `ResponsesAgent`. Each turn it streams the model's
reply from the Chat Completions API; when the model asks for tools it runs them,
emits `function_call` and `function_call_output` items, and asks again, at most
`max_tool_rounds` times. The final answer passes through `no_fallback` before the
user sees it.

Text streams as the model writes it once it can no longer be made up: when no tools
are offered, or after a data tool has answered. Before that, text is held until the
reply is complete, because a model may write figures first and call a tool second.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Generator, Iterator
from functools import cached_property
from typing import Any

import httpx
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
from .errors import describe_exception
from .llm import serving_endpoints_client
from .model_stream import ModelReply, read_reply
from .settings import AgentSettings
from .tool_calls import run_tool_calls, tool_history
from .tools import Tool, build_tools
from .tools.base import ToolResult
from .tracing import tag_current_trace

EMPTY_ANSWER = "The model returned an empty answer. Please rephrase the question or try again."
ROUND_LIMIT_ANSWER = "I stopped after the maximum number of tool rounds without reaching an answer."
NO_TOOLS_ANSWER = "The model asked for tools instead of answering, and this agent has none."


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
            offer_tools = bool(self.tools) and round_number < self.settings.max_tool_rounds
            has_data = any(r.has_data for r in results)
            live = (has_data or not offer_tools) and not no_fallback.review(results).replace_answer
            item_id = _new_id("msg")
            try:
                reply = yield from self._stream_model(messages, item_id, offer_tools=offer_tools, live=live)
            except (openai.APIError, httpx.HTTPError) as exc:
                yield from self._endpoint_failed(exc, results)
                return
            if not (offer_tools and reply.tool_calls):
                no_text = EMPTY_ANSWER
                if reply.tool_calls:  # asked for tools that were not offered: not run
                    no_text = ROUND_LIMIT_ANSWER if self.tools else NO_TOOLS_ANSWER
                yield from self._final_answer(reply, item_id if live else None, messages, results, no_text)
                return
            if live and reply.text:  # what the model said before calling tools, once data exists
                yield _done(self.create_text_output_item(reply.text, item_id))
            messages.append(_assistant_message(reply))
            for call in reply.tool_calls:
                yield _done(self.create_function_call_item(call.id, call.id, call.name, call.arguments))
            step_results = run_tool_calls(reply.tool_calls, self.tools, tool_history(messages))
            for call, result in zip(reply.tool_calls, step_results, strict=True):
                output = result.to_model_text()
                messages.append({"role": "tool", "tool_call_id": call.id, "content": output})
                yield _done(self.create_function_call_output_item(call.id, output))
            results += step_results

    def _stream_model(
        self, messages: list[dict[str, Any]], item_id: str, *, offer_tools: bool, live: bool
    ) -> Generator[ResponsesAgentStreamEvent, None, ModelReply]:
        """Stream one model reply; yield its text deltas only when `live`."""
        extra: dict[str, Any] = {}
        if offer_tools:
            extra["tools"] = [tool.spec for tool in self.tools.values()]
        chunks = self._llm.chat.completions.create(
            model=self.settings.llm_endpoint, messages=messages, stream=True, **extra
        )
        reader = read_reply(chunks)
        try:
            while True:
                piece = next(reader)
                if live:
                    yield _delta(piece, item_id)
        except StopIteration as finished:
            return finished.value

    def _final_answer(
        self,
        reply: ModelReply,
        streamed_id: str | None,
        messages: list[dict[str, Any]],
        results: list[ToolResult],
        no_text: str,
    ) -> Iterator[ResponsesAgentStreamEvent]:
        """Close the turn with the model's answer, as far as the no-fallback rule allows.

        `streamed_id` is the message item the answer was streamed into, if it was;
        `no_text` stands in when the model wrote nothing.
        """
        verdict = no_fallback.review(results)
        if verdict.replace_answer:
            _note_on_trace("no_fallback.discarded_answer", reply.text)
            yield from self._message(verdict.text, _new_id("msg"))
            return
        text, item_id = reply.text, streamed_id or _new_id("msg")
        if not text.strip():
            text, item_id = no_text, _new_id("msg")
            yield _delta(text, item_id)
        elif streamed_id is None:
            yield _delta(text, item_id)
        notices = [verdict.text]
        if reply.cut_off:
            notices.append(f"Note: this answer is incomplete: {reply.cut_off}.")
        if self.tools:  # an agent with data tools must not pass off figures it did not fetch
            notices.append(no_fallback.figures_notice(reply.text, no_fallback.evidence(messages)))
        for notice in filter(None, notices):
            yield _delta(f"\n\n{notice}", item_id)
            text += f"\n\n{notice}"
        yield _done(self.create_text_output_item(text, item_id))

    def _endpoint_failed(
        self, exc: Exception, results: list[ToolResult]
    ) -> Iterator[ResponsesAgentStreamEvent]:
        """The model endpoint failed mid-turn: say so, with what the tools found out."""
        cause = describe_exception(exc)
        _note_on_trace("llm_error", cause)
        text = f"The model endpoint '{self.settings.llm_endpoint}' failed, so there is no answer: {cause}"
        verdict = no_fallback.review(results)
        yield from self._message(f"{text}\n\n{verdict.text}" if verdict.text else text, _new_id("msg"))

    def _message(self, text: str, item_id: str) -> Iterator[ResponsesAgentStreamEvent]:
        yield _delta(text, item_id)
        yield _done(self.create_text_output_item(text, item_id))


def _note_on_trace(key: str, value: str) -> None:
    span = mlflow.get_current_active_span()
    if span is not None:
        span.set_attribute(key, value)


def _new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def _delta(text: str, item_id: str) -> ResponsesAgentStreamEvent:
    return ResponsesAgentStreamEvent(**ResponsesAgent.create_text_delta(text, item_id))


def _done(item: dict[str, Any]) -> ResponsesAgentStreamEvent:
    return ResponsesAgentStreamEvent(type="response.output_item.done", item=item)


def _assistant_message(reply: ModelReply) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": reply.text or None,
        "tool_calls": [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments or "{}"}}
            for c in reply.tool_calls
        ],
    }
