"""`start-server --demo`: the chat page against this repo's fake workspace, with no workspace at all.

It starts the fake workspace the tests use (`tests/fake_workspace`: a scripted model,
Genie spaces that answer with sample rows) on 127.0.0.1 and points this process at it
alone: DATABRICKS_HOST and a token of its own, no profile, no config file, and an MLflow
store in `.demo/` (so `harvest` can be tried on the demo's feedback). The page labels
itself as demo data, and `POST /demo/space` lets it make a space fail.

It never runs by accident against a real workspace, and a deployment cannot switch it on:
it refuses to start inside a Databricks App or a serving container, and every Databricks
setting of this process is replaced, not added to.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

REPO_ROOT = Path(__file__).resolve().parents[3]
DEPLOYED_MARKERS = ("DATABRICKS_APP_NAME", "DATABRICKS_APP_PORT", "IS_IN_DB_MODEL_SERVING_ENV")
DEMO_DIR = ".demo"
EXPERIMENT = "demo"
# Slow enough to watch: tokens arrive one by one and Genie takes a moment.
MODEL_CHUNK_SECONDS = 0.04
GENIE_POLLS = 3
MAX_BODY_BYTES = 1024


class DemoRefused(Exception):
    """--demo cannot run here; the message says why."""


class Demo:
    """The fake workspace this process runs against, and the page's controls for it."""

    def __init__(self, workspace: Any, spaces: Mapping[str, str]) -> None:
        self.workspace = workspace
        self.spaces = dict(spaces)  # tool name -> space id
        self.failing: set[str] = set()

    def controls(self) -> dict[str, Any]:
        """The spaces the page may switch, and those failing now (a reloaded page shows them)."""
        return {"spaces": sorted(self.spaces), "failing": sorted(self.failing)}

    async def space_route(self, request: Request) -> JSONResponse:
        """`{"name": "<space>", "fail": true|false}`: the space fails every question, or answers again."""
        usage = JSONResponse({"detail": 'send {"name": "<space>", "fail": true or false}'}, status_code=400)
        body = await request.body()
        try:
            data = json.loads(body) if len(body) <= MAX_BODY_BYTES else None
        except (ValueError, RecursionError):
            return usage
        name, fail = (data.get("name"), data.get("fail")) if isinstance(data, dict) else (None, None)
        if not isinstance(name, str) or not isinstance(fail, bool):
            return usage
        if name not in self.spaces:
            return JSONResponse({"detail": f"no demo space {name[:50]!r}"}, status_code=404)
        self.set_failing(name, fail)
        return JSONResponse({"ok": True})

    def set_failing(self, name: str, fail: bool) -> None:
        (self.failing.add if fail else self.failing.discard)(name)
        self.workspace.genie.script(
            self.spaces[name], "failed" if fail else "rows", polls_to_complete=GENIE_POLLS
        )


def start(config: Mapping[str, Any], environ: dict[str, str] = os.environ) -> Demo:  # type: ignore[assignment]
    """Start the fake workspace and point this process at it; DemoRefused when it must not run."""
    if found := [name for name in DEPLOYED_MARKERS if environ.get(name)]:
        raise DemoRefused(f"--demo is for your own machine; this looks like a deployment ({found[0]} is set)")
    tests = REPO_ROOT / "tests"
    if not (tests / "fake_workspace").is_dir():
        raise DemoRefused(f"--demo needs the repo's tests/fake_workspace, not found under {REPO_ROOT}")
    sys.path.insert(0, str(tests))
    from fake_workspace.workspace import FakeWorkspace

    workspace = FakeWorkspace()
    workspace.llm.chunk_delay_seconds = MODEL_CHUNK_SECONDS
    workspace.server.start()
    store = Path.cwd() / DEMO_DIR
    store.mkdir(exist_ok=True)
    for name in [n for n in environ if n.startswith("DATABRICKS_")]:
        del environ[name]
    environ.update(
        DATABRICKS_HOST=workspace.url,
        DATABRICKS_TOKEN="demo-token",
        DATABRICKS_CONFIG_FILE=str(store / "no-databrickscfg"),
        MLFLOW_TRACKING_URI=f"sqlite:///{store / 'mlflow.db'}",
        MLFLOW_EXPERIMENT_NAME=EXPERIMENT,
        DATABRICKS_AUTH_TYPE="pat",  # the demo's token alone, whatever Azure or Google credentials are set
        MLFLOW_DISABLE_TELEMETRY="true",
        MLFLOW_MODEL_CATALOG_URI="",  # no price list from the internet: the demo works offline
        AGENT_ENVIRONMENT="demo",
    )
    environ.pop("MLFLOW_EXPERIMENT_ID", None)
    _create_experiment(store)
    spaces = {space["name"]: space["space_id"] for space in (config.get("genie") or {}).get("spaces", [])}
    demo = Demo(workspace, spaces)
    for name in spaces:
        demo.set_failing(name, False)
    return demo


def _create_experiment(store: Path) -> None:
    """The demo's experiment, its artifacts kept in `.demo/` too (not ./mlruns)."""
    import mlflow

    if mlflow.get_experiment_by_name(EXPERIMENT) is None:
        mlflow.create_experiment(EXPERIMENT, artifact_location=(store / "artifacts").as_uri())
