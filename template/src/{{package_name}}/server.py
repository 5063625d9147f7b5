"""Serve the agent and its chat page over HTTP: `uv run start-server [--port 8000] [--demo]`.

One process serves everything (`web/app.py`): the chat page at `/`, MLflow AgentServer's
POST `/invocations` and `/responses` (the OpenAI Responses API; `"stream": true` streams
server-sent events), GET `/health`, and the page's feedback route. The same command runs
the agent on your laptop and in a Databricks App (app.yaml), where the platform sets
DATABRICKS_APP_PORT and binds the target's endpoint and Genie spaces as environment
variables (`deployment/overrides.py`). Traces go where MLFLOW_TRACKING_URI and
MLFLOW_EXPERIMENT_ID/NAME say.

`--demo` serves the page against this repo's fake workspace (`web/demo.py`): no
workspace needed, and never a real one.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence

from databricks.sdk import WorkspaceClient

from .deployment import overrides
from .errors import describe_exception
from .responses_agent import ToolCallingAgent
from .settings import load_settings, read_config
from .tracing import setup_tracing
from .web import demo as demo_mode
from .web.app import WebSettings, build_app

APP_PORT_ENV = "DATABRICKS_APP_PORT"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    in_app = APP_PORT_ENV in os.environ
    parser = argparse.ArgumentParser(
        prog="start-server", description="Serve the agent and its chat page over HTTP."
    )
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
    parser.add_argument(
        "--demo",
        action="store_true",
        help="serve the page against this repo's fake workspace: sample data, no Databricks needed",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    import uvicorn

    args = parse_args(argv)
    try:  # a bad config, override or missing credentials: said before the port opens
        config = overrides.apply(read_config(), overrides.from_environment(os.environ))
        demo = demo_mode.start(config) if args.demo else None
        workspace = WorkspaceClient()
        agent = ToolCallingAgent(load_settings(config), connect=lambda: workspace)
        agent.tools  # noqa: B018 - builds the tools now: a broken custom tool fails here, not per request
        app = build_app(agent, WebSettings.from_config(config), demo)
    except Exception as exc:  # noqa: BLE001 - one line with the cause, not a traceback
        print(f"error: cannot start the agent: {describe_exception(exc)}", file=sys.stderr)
        return 2
    setup_tracing()
    print(f"Traces go to {trace_destination()}", flush=True)
    where = f"http://{'127.0.0.1' if args.host == '0.0.0.0' else args.host}:{args.port}/"
    what = "the demo (fake workspace, sample data)" if demo else "the agent"
    print(f"Starting {what}: the chat page will be at {where}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port)
    return 0


def trace_destination() -> str:
    """Where this process's traces go, in one line: with MLFLOW_TRACKING_URI unset, MLflow
    writes them to ./mlflow.db without a word, which is easy to miss."""
    import mlflow

    experiment = os.environ.get("MLFLOW_EXPERIMENT_NAME") or os.environ.get("MLFLOW_EXPERIMENT_ID")
    uri = re.sub(r"//[^/@]*@", "//", mlflow.get_tracking_uri())  # no user:password@ of a tracking server
    where = f"{uri}, experiment {experiment or 'Default'}"
    if "MLFLOW_TRACKING_URI" not in os.environ:
        return f"{where} (MLflow's local default: MLFLOW_TRACKING_URI is unset; `uv run quickstart` sets it)"
    return where


def cli() -> None:
    """The `start-server` console script: its exit status is the process's."""
    sys.exit(main())


if __name__ == "__main__":
    cli()
