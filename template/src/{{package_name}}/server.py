"""Serve the agent over HTTP: `uv run start-server [--port 8000]`.

MLflow's `AgentServer("ResponsesAgent")` gives the routes Databricks expects of an agent:
POST `/invocations` and `/responses` (the OpenAI Responses API; `"stream": true` streams
server-sent events) and GET `/health`. The same command runs the agent on your laptop
and in a Databricks App (app.yaml), where the platform sets DATABRICKS_APP_PORT and
binds the target's endpoint and Genie spaces as environment variables
(`deployment/overrides.py`). Traces go where MLFLOW_TRACKING_URI and
MLFLOW_EXPERIMENT_ID/NAME say.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Iterator, Sequence

from databricks.sdk import WorkspaceClient
from mlflow.genai.agent_server import AgentServer, invoke, stream
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent

from .deployment import overrides
from .errors import describe_exception
from .responses_agent import ToolCallingAgent
from .settings import load_settings, read_config
from .tracing import setup_tracing

APP_PORT_ENV = "DATABRICKS_APP_PORT"


@functools.cache
def agent() -> ToolCallingAgent:
    """The agent, built once from agent_config.yaml and the deployment's overrides, on a
    workspace client made now: missing credentials fail at start-up, not per request."""
    config = overrides.apply(read_config(), overrides.from_environment(os.environ))
    workspace = WorkspaceClient()
    return ToolCallingAgent(load_settings(config), connect=lambda: workspace)


@invoke()
def respond(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return agent().predict(request)


@stream()
def respond_streaming(request: ResponsesAgentRequest) -> Iterator[ResponsesAgentStreamEvent]:
    yield from agent().predict_stream(request)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    in_app = APP_PORT_ENV in os.environ
    parser = argparse.ArgumentParser(prog="start-server", description="Serve the agent over HTTP.")
    parser.add_argument(
        "--port",
        type=int,
        default=os.environ.get(APP_PORT_ENV, "8000"),  # argparse converts and checks it
        help=f"port to listen on (default: ${APP_PORT_ENV}, else 8000)",
    )
    parser.add_argument(
        "--host",
        default="0.0.0.0" if in_app else "127.0.0.1",
        help="interface to listen on (default: all in a Databricks App, else 127.0.0.1)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    import uvicorn

    args = parse_args(argv)
    try:
        agent()  # a bad config, override or missing credentials: said before the port opens
    except Exception as exc:  # noqa: BLE001 - one line with the cause, not a traceback
        print(f"error: cannot start the agent: {describe_exception(exc)}", file=sys.stderr)
        return 2
    setup_tracing()
    uvicorn.run(AgentServer("ResponsesAgent").app, host=args.host, port=args.port)
    return 0


def cli() -> None:
    """The `start-server` console script: its exit status is the process's."""
    sys.exit(main())


if __name__ == "__main__":
    cli()
