"""MLflow tracing set-up, kept in one place.

`setup_tracing()` runs once when `agent.py` is imported; it turns on the autolog of
this repo's framework (`autolog()` in `agent_loop.py`), which records every call to
the LLM endpoint as a CHAT_MODEL span, streaming included. The AGENT span of a turn
comes from `ResponsesAgent` itself; every tool call has a TOOL span, with an error
status when it failed (`tool_calls.py`). Where traces go is MLflow's standard
configuration: `MLFLOW_TRACKING_URI` and `MLFLOW_EXPERIMENT_NAME` / `_ID`.
"""

from __future__ import annotations

import os

import mlflow
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
