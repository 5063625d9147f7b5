"""MLflow tracing set-up, kept in one place.

`setup_tracing()` runs once when `agent.py` is imported; it turns on the OpenAI
autolog, which records every call to the LLM endpoint as a CHAT_MODEL span,
streaming included. The AGENT span of a turn comes from `ResponsesAgent` itself, and
TOOL spans from `traced_tool_call`. Where traces go is MLflow's standard
configuration: `MLFLOW_TRACKING_URI` and `MLFLOW_EXPERIMENT_NAME` / `_ID`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import mlflow
from mlflow.entities import SpanStatusCode, SpanType
from mlflow.types.responses import ResponsesAgentRequest

from .tools.base import Tool, ToolResult

ENVIRONMENT_VARIABLE = "AGENT_ENVIRONMENT"


def setup_tracing() -> None:
    """Record LLM calls made through the `openai` client."""
    mlflow.openai.autolog()


def tag_current_trace(request: ResponsesAgentRequest) -> None:
    """Tag the trace with the environment and the caller's conversation and user."""
    tags = {"environment": os.environ.get(ENVIRONMENT_VARIABLE, "local")}
    context = request.context
    conversation_id = context.conversation_id if context else None
    user_id = context.user_id if context else None
    if conversation_id:
        tags["conversation_id"] = conversation_id
    if user_id:
        tags["user_id"] = user_id
    mlflow.update_current_trace(tags=tags, session_id=conversation_id, user=user_id)


def traced_tool_call(tool: Tool, arguments: Mapping[str, Any]) -> ToolResult:
    """Run a tool inside a TOOL span whose status is ERROR when the tool failed."""
    with mlflow.start_span(name=tool.name, span_type=SpanType.TOOL) as span:
        span.set_inputs(dict(arguments))
        result = tool(arguments)
        span.set_outputs(result.as_dict())
        span.set_attributes({"status": result.status.value, **result.attributes})
        if result.failed:
            span.set_status(SpanStatusCode.ERROR)
    return result
