"""Serve the fake workspace on its own, to try the agent or its evaluation offline.

    PYTHONPATH=tests uv run python -m fake_workspace --port 8765 [--behaviour fabricating]

then, in another shell, point Databricks clients at it:

    DATABRICKS_HOST=http://127.0.0.1:8765 DATABRICKS_TOKEN=fake uv run python -m <package>.evaluation

The first line printed is the URL. Every Genie space answers with rows.
"""

from __future__ import annotations

import argparse
import threading

from .workspace import FakeWorkspace


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m fake_workspace", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    parser.add_argument(
        "--behaviour",
        choices=["honest", "fabricating", "silent"],
        default="honest",
        help="how the model answers after tool calls (default: %(default)s)",
    )
    parser.add_argument("--judge-verdict", choices=["yes", "no"], default="yes", help="what every judge says")
    args = parser.parse_args()
    workspace = FakeWorkspace(port=args.port)
    workspace.llm.behaviour = args.behaviour
    workspace.judge.verdict = args.judge_verdict
    workspace.server.start()
    print(workspace.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        workspace.server.stop()


if __name__ == "__main__":
    main()
