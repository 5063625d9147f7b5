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
from .tool_calls import run_tool_calls
from .tools import Tool, build_tools, custom
from .tools.base import ToolResult, tool_outputs
from .tracing import tag_current_trace

EMPTY_ANSWER = "The model returned an empty answer. Please rephrase the question or try again."
ROUND_LIMIT_ANSWER = "I stopped after the maximum number of tool rounds without reaching an answer."
CUT_OFF_NOTICE = "Note: the model's reply above broke off before it was complete."
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
        """The template's tools, then yours from tools/custom.py, by name."""
        config, workspace = self.settings.config, self._workspace
        return _by_name(
            ("build_tools() in tools/__init__.py", build_tools(config, workspace)),
            ("custom_tools() in tools/custom.py", custom.custom_tools(config, workspace)),
        )

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
            item_id, reply = _new_id("msg"), ModelReply()
            try:
                yield from self._stream_model(messages, item_id, reply, offer_tools=offer_tools, live=live)
            except Exception as exc:  # noqa: BLE001 - whatever broke the model call, the turn ends explicitly
                if live and reply.text:  # close the text already shown, and check it
                    notices = [CUT_OFF_NOTICE, self._figures_notice(reply.text, messages)]
                    yield from self._close(reply.text, item_id, notices)
                yield from self._endpoint_failed(exc, results)
                return
            if not (offer_tools and reply.tool_calls):
                no_text = EMPTY_ANSWER
                if reply.tool_calls:  # asked for tools that were not offered: not run
                    no_text = ROUND_LIMIT_ANSWER if self.tools else NO_TOOLS_ANSWER
                yield from self._final_answer(reply, item_id if live else None, messages, results, no_text)
                return
            if live and reply.text:  # text written before calling tools, once data exists
                yield from self._close(reply.text, item_id, [self._figures_notice(reply.text, messages)])
            messages.append(_assistant_message(reply))
            for call in reply.tool_calls:
                yield _done(self.create_function_call_item(call.id, call.id, call.name, call.arguments))
            step_results = run_tool_calls(reply.tool_calls, self.tools, tool_outputs(messages))
            for call, result in zip(reply.tool_calls, step_results, strict=True):
                output = result.to_model_text()
                messages.append({"role": "tool", "tool_call_id": call.id, "content": output})
                yield _done(self.create_function_call_output_item(call.id, output))
            results += step_results

    def _stream_model(
        self,
        messages: list[dict[str, Any]],
        item_id: str,
        reply: ModelReply,
        *,
        offer_tools: bool,
        live: bool,
    ) -> Iterator[ResponsesAgentStreamEvent]:
        """Stream one model reply into `reply`; yield its text deltas only when `live`."""
        extra: dict[str, Any] = {}
        if offer_tools:
            extra["tools"] = [tool.spec for tool in self.tools.values()]
        chunks = self._llm.chat.completions.create(
            model=self.settings.llm_endpoint, messages=messages, stream=True, **extra
        )
        with chunks:  # a caller that stops reading closes the HTTP response now, not at GC time
            for piece in read_reply(chunks, reply, self.settings.llm_timeout_seconds):
                if live:
                    yield _delta(piece, item_id)

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
            yield from self._close(verdict.text, _new_id("msg"), [], streamed=False)
            return
        text, item_id = reply.text, streamed_id or _new_id("msg")
        if not text.strip():
            _note_on_trace("stand_in_answer", no_text)
            text, item_id, streamed_id = no_text, _new_id("msg"), None
        cut_off = f"Note: this answer is incomplete: {reply.cut_off}." if reply.cut_off else ""
        notices = [verdict.text, cut_off, self._figures_notice(reply.text, messages)]
        yield from self._close(text, item_id, notices, streamed=streamed_id is not None)

    def _figures_notice(self, text: str, messages: list[dict[str, Any]]) -> str:
        """Unverified figures, in an agent that has data tools to verify them against."""
        if not self.tools:
            return ""
        return no_fallback.figures_notice(text, no_fallback.evidence(tool_outputs(messages)))

    def _close(
        self, text: str, item_id: str, notices: list[str], *, streamed: bool = True
    ) -> Iterator[ResponsesAgentStreamEvent]:
        """Finish a message item: its text (unless already streamed), then each notice."""
        if not streamed:
            yield _delta(text, item_id)
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
        yield from self._close(text, _new_id("msg"), [no_fallback.review(results).text], streamed=False)


def _by_name(*sources: tuple[str, list[Tool]]) -> dict[str, Tool]:
    """Each source's tools by name, in order; a name used twice is an error naming both."""
    tools: dict[str, Tool] = {}
    found_in: dict[str, str] = {}
    for source, found in sources:
        for tool in found:
            if tool.name in tools:
                raise ValueError(
                    f"Two tools are named {tool.name!r}: one from {found_in[tool.name]} and one from "
                    f"{source}. The model calls tools by name, so rename one of them."
                )
            tools[tool.name], found_in[tool.name] = tool, source
    return tools


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
