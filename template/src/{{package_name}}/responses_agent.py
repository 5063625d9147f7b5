"""The agent: one ResponsesAgent contract over the framework in `agent_loop.py`.

`ToolCallingAgent` is an MLflow `ResponsesAgent`. The framework in `agent_loop.py`
runs the model and the tools and reports what happens as `loop_events`; this class
turns those events into stream events (text deltas, `function_call` and
`function_call_output` items) and decides what the user sees. The final answer
passes through `no_fallback`, in code, whatever the framework or the model did.

Text streams as the model writes it once it can no longer be made up: when no tools
are offered, or after a data tool has answered. Before that, text is held until the
reply is complete, because a model may write figures first and call a tool second.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Generator, Iterator, Sequence
from functools import cached_property
from typing import Any

import mlflow
from databricks.sdk import WorkspaceClient
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import (
    ResponsesAgentRequest,
    ResponsesAgentResponse,
    ResponsesAgentStreamEvent,
)

from . import no_fallback
from .agent_loop import ModelLoop
from .errors import OwnWordsError, describe_exception, explain_exception
from .figures import check_figures
from .loop_events import (
    ModelCallFinished,
    ModelCallStarted,
    RoundLimitReached,
    TextDelta,
    ToolCall,
    ToolsFinished,
)
from .settings import AgentSettings
from .stopping import stop_requested
from .tool_calls import TurnTools
from .tools import Tool, build_tools, custom
from .tools.base import ToolResult, tool_outputs
from .tracing import end_open_spans, tag_current_trace

EMPTY_ANSWER = "The model returned an empty answer. Please rephrase the question or try again."
ROUND_LIMIT_ANSWER = "I stopped after the maximum number of tool rounds without reaching an answer."
CUT_OFF_NOTICE = "Note: the model's reply above broke off before it was complete."
NO_TOOLS_ANSWER = "The model asked for tools instead of answering, and this agent has none."
STOPPED_NOTICE = "Note: this answer was stopped before it was complete."
CHECK_ATTRIBUTE = "figures_check"  # on the span the check ran in: one record per message it read


@dataclasses.dataclass(frozen=True)
class Notice:
    """The agent's own words in an answer, never the model's. Clients show them apart from
    model text by `kind` (in each delta's `custom_outputs`): refusal, missing_sources,
    unverified_figures, cut_off, error or stand_in. An empty `text` adds nothing."""

    kind: str
    text: str


class LoopEndedError(OwnWordsError):
    """The framework's run ended without a final answer from the model."""


@dataclasses.dataclass(frozen=True)
class Reply:
    """The model's last reply of a turn; `no_text` stands in if it wrote nothing."""

    text: str
    cut_off: str | None = None
    no_text: str = EMPTY_ANSWER


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
    def workspace(self) -> WorkspaceClient:
        """The workspace client, made on first use: importing the agent needs no credentials."""
        return self._connect()

    @cached_property
    def _loop(self) -> ModelLoop:
        return ModelLoop(self.settings, self.workspace)

    @cached_property
    def tools(self) -> dict[str, Tool]:
        """The template's tools, then yours from tools/custom.py, by name."""
        config, workspace = self.settings.config, self.workspace
        return _by_name(
            ("build_tools() in tools/__init__.py", build_tools(config, workspace)),
            (
                "custom_tools() in tools/custom.py",
                custom.custom_tools(config, workspace),
            ),
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
        history = [item.model_dump() for item in request.input]
        turn = TurnTools(self.tools, tool_outputs(self.prep_msgs_for_cc_llm(history)))
        asked = _user_texts(history)
        events = self._loop.stream(history, turn)
        results: list[ToolResult] = []
        live, offered, item_id, text = False, False, "", ""
        try:
            for event in events:
                if stop_requested():  # the client went away: end the turn here, its trace complete
                    _note_on_trace("stopped", "the client stopped the turn")
                    mlflow.update_current_trace(tags={"stopped": "true"})
                    if live and text:
                        yield from self._close(text, item_id, [Notice("cut_off", STOPPED_NOTICE)])
                    return
                if isinstance(event, ModelCallStarted):
                    offered, item_id, text = event.tools_offered, _new_id("msg"), ""
                    has_data = any(r.has_data for r in results)
                    live = (has_data or not offered) and not no_fallback.review(results).replace_answer
                elif isinstance(event, TextDelta):
                    text += event.text
                    if live:
                        yield _delta(event.text, item_id)
                elif isinstance(event, ModelCallFinished) and event.tool_calls and offered:
                    if live and text:  # text written before calling tools, once data exists
                        yield from self._close(text, item_id, [self._figures_notice(text, turn, asked)])
                    for call in event.tool_calls:
                        yield _done(_call_item(call))
                    live, text = False, ""
                elif isinstance(event, ModelCallFinished):  # asked for tools not offered: not run
                    reply = Reply(
                        text,
                        event.cut_off,
                        self._no_answer(asked_tools=bool(event.tool_calls)),
                    )
                    yield from self._final_answer(reply, item_id if live else None, turn, results, asked)
                    return
                elif isinstance(event, ToolsFinished):
                    for call, result in zip(event.calls, event.results, strict=True):
                        output = self.create_function_call_output_item(call.id, result.to_model_text())
                        yield _done(output, tool_result=result.summary())
                    results += event.results
                elif isinstance(event, RoundLimitReached):
                    reply = Reply("", no_text=self._no_answer(asked_tools=True))
                    yield from self._final_answer(reply, None, turn, results, asked)
                    return
            raise LoopEndedError("the agent loop ended without an answer from the model")
        except Exception as exc:  # noqa: BLE001 - whatever broke the model call, the turn ends explicitly
            if live and text:  # close the text already shown, and check it
                notices = [
                    Notice("cut_off", CUT_OFF_NOTICE),
                    self._figures_notice(text, turn, asked),
                ]
                yield from self._close(text, item_id, notices)
            yield from self._endpoint_failed(exc, results)
        finally:
            events.close()  # a caller that stops reading ends the framework's run now
            end_open_spans("the turn ended before the model's stream did")

    def _final_answer(
        self,
        reply: Reply,
        streamed_id: str | None,
        turn: TurnTools,
        results: list[ToolResult],
        asked: list[str],
    ) -> Iterator[ResponsesAgentStreamEvent]:
        """Close the turn with the model's answer, as far as the no-fallback rule allows.

        `streamed_id` is the message item the answer was streamed into, if it was.
        """
        verdict = no_fallback.review(results)
        if verdict.replace_answer:
            _note_on_trace("no_fallback.discarded_answer", reply.text)
            yield from self._close_as_notice(Notice("refusal", verdict.text))
            return
        notices = [
            Notice("missing_sources", verdict.text),
            Notice(
                "cut_off",
                f"Note: this answer is incomplete: {reply.cut_off}." if reply.cut_off else "",
            ),
            self._figures_notice(reply.text, turn, asked),
        ]
        if not reply.text.strip():
            _note_on_trace("stand_in_answer", reply.no_text)
            yield from self._close_as_notice(Notice("stand_in", reply.no_text), notices)
            return
        item_id = streamed_id or _new_id("msg")
        yield from self._close(reply.text, item_id, notices, streamed=streamed_id is not None)

    def _no_answer(self, *, asked_tools: bool) -> str:
        """What stands in for an empty answer: why there is none."""
        if not asked_tools:
            return EMPTY_ANSWER
        return ROUND_LIMIT_ANSWER if self.tools else NO_TOOLS_ANSWER

    def _figures_notice(self, text: str, turn: TurnTools, asked: list[str]) -> Notice:
        """Unverified figures, in an agent that has data tools to verify them against.

        Each check is recorded on the trace (`figures_check`): how every figure was
        verified, or that it was not. The scorer `no_fabricated_figures` reads it there.
        """
        if not self.tools or not text.strip():
            return Notice("unverified_figures", "")
        check = check_figures(text, turn=turn.outputs, earlier=turn.earlier, asked=asked)
        span = mlflow.get_current_active_span()
        if span is not None:
            span.set_attribute(
                CHECK_ATTRIBUTE,
                [*(span.get_attribute(CHECK_ATTRIBUTE) or []), check.record()],
            )
        return Notice("unverified_figures", check.notice())

    def _close(
        self, text: str, item_id: str, notices: list[Notice], *, streamed: bool = True
    ) -> Iterator[ResponsesAgentStreamEvent]:
        """Finish a message item: the model's text (unless already streamed), then each notice."""
        if not streamed:
            yield _delta(text, item_id)
        for notice in notices:
            if notice.text:
                yield _delta(f"\n\n{notice.text}", item_id, notice=notice.kind)
                text += f"\n\n{notice.text}"
        yield _done(self.create_text_output_item(text, item_id))

    def _close_as_notice(
        self, message: Notice, notices: Sequence[Notice] = ()
    ) -> Iterator[ResponsesAgentStreamEvent]:
        """A message item that is the agent's own words from the first character, not the model's."""
        item_id = _new_id("msg")
        yield _delta(message.text, item_id, notice=message.kind)
        yield from self._close(message.text, item_id, list(notices))

    def _endpoint_failed(
        self, exc: Exception, results: list[ToolResult]
    ) -> Iterator[ResponsesAgentStreamEvent]:
        """The model endpoint failed mid-turn: say so, with what the tools found out.

        The cause is in our words: an endpoint's error body can quote the prompt or the
        model's output, so its own text goes onto the trace (`llm_error`) only.
        """
        _note_on_trace("llm_error", describe_exception(exc))
        cause = explain_exception(exc)
        text = f"The model endpoint '{self.settings.llm_endpoint}' failed, so there is no answer: {cause}"
        missing = Notice("missing_sources", no_fallback.review(results).text)
        yield from self._close_as_notice(Notice("error", text), [missing])


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


def _user_texts(history: Sequence[dict[str, Any]]) -> list[str]:
    """What the user wrote in the conversation: their figures are theirs, not inventions."""
    texts = []
    for item in history:
        if item.get("role") != "user":
            continue
        content = item.get("content")
        parts = content if isinstance(content, list) else [{"text": content}]
        texts += [str(p.get("text")) for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str)]
    return texts


def _new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def _call_item(call: ToolCall) -> dict[str, Any]:
    return ResponsesAgent.create_function_call_item(call.id, call.id, call.name, call.arguments)


def _delta(text: str, item_id: str, *, notice: str | None = None) -> ResponsesAgentStreamEvent:
    """A text delta; the agent's own notices say so in `custom_outputs`, for clients to show apart."""
    custom = {"notice": notice} if notice else None
    return ResponsesAgentStreamEvent(**ResponsesAgent.create_text_delta(text, item_id), custom_outputs=custom)


def _done(item: dict[str, Any], **custom: Any) -> ResponsesAgentStreamEvent:
    return ResponsesAgentStreamEvent(
        type="response.output_item.done", item=item, custom_outputs=custom or None
    )
