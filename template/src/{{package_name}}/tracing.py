"""MLflow tracing set-up, kept in one place.

`setup_tracing()` runs once when `agent.py` is imported; it turns on the autolog of
this repo's framework (`autolog()` in `agent_loop.py`), which records every call to
the LLM endpoint as a CHAT_MODEL span, streaming included. The AGENT span of a turn
comes from `ResponsesAgent` itself; every tool call has a TOOL span, with an error
status when it failed (`tool_calls.py`). Where traces go is MLflow's standard
configuration: `MLFLOW_TRACKING_URI` and `MLFLOW_EXPERIMENT_NAME` / `_ID`.

A turn that ends before the model's stream does (a client that stops reading) calls
`end_open_spans`: MLflow's autolog ends a streamed model span only when the stream is
read to its end, and a trace with a span left open is never written whole.
"""

from __future__ import annotations

import os

import mlflow
from mlflow.tracing.trace_manager import InMemoryTraceManager
from mlflow.types.responses import ResponsesAgentRequest

from . import agent_loop

ENVIRONMENT_VARIABLE = "AGENT_ENVIRONMENT"


def setup_tracing() -> None:
    """Record the framework's LLM calls (and its own steps, where it has them)."""
    agent_loop.autolog()


def tag_current_trace(request: ResponsesAgentRequest) -> None:
    """Tag the trace with the environment and the caller's conversation and user."""
    if mlflow.get_current_active_span() is None:  # called outside a trace (tracing off): nothing to tag
        return
    # Set by deploy-agent on a serving endpoint; a Databricks App is named per target.
    environment = os.environ.get(ENVIRONMENT_VARIABLE) or os.environ.get("DATABRICKS_APP_NAME") or "local"
    tags = {"environment": environment}
    context = request.context
    conversation_id = context.conversation_id if context else None
    user_id = context.user_id if context else None
    if conversation_id:
        tags["conversation_id"] = conversation_id
    if user_id:
        tags["user_id"] = user_id
    mlflow.update_current_trace(tags=tags, session_id=conversation_id, user=user_id)


def end_open_spans(reason: str) -> None:
    """End the spans below the current one that are still open, noting `reason` on each."""
    current = mlflow.get_current_active_span()
    if current is None:
        return
    with InMemoryTraceManager.get_instance().get_trace(current.trace_id) as trace:
        spans = list(trace.span_dict.values()) if trace else []
    parents = {span.span_id: span.parent_id for span in spans}

    def below_current(span_id: str | None) -> bool:
        while span_id is not None and span_id != current.span_id:
            span_id = parents.get(span_id)
        return span_id is not None

    for span in spans:
        if span.end_time_ns is None and span.span_id != current.span_id and below_current(span.span_id):
            span.set_attribute("ended_early", reason)
            span.end()
