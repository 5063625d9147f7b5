"""Shared set-up for the benchmarks that run inside a rendered repo.

Points MLflow at a temp store and the SDK at the rendered repo's own fake workspace,
which it starts. Both benchmarks take `<project dir> <package>` as arguments.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any


def start_fake_workspace(prefix: str) -> tuple[Any, str]:
    """Start the fake workspace of the repo in argv[1]; return it and the package name."""
    package = isolate(prefix)
    from fake_workspace.server import FakeServer

    server = FakeServer()
    os.environ.update(DATABRICKS_HOST=server.url, DATABRICKS_TOKEN="bench")
    return server, package


def isolate(prefix: str) -> str:
    """A temp MLflow store and working directory, and the repo in argv[1]'s tests on the path;
    returns the package name (argv[2])."""
    store = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update(
        MLFLOW_TRACKING_URI=f"sqlite:///{store / 'mlflow.db'}",
        MLFLOW_DISABLE_TELEMETRY="true",
        DATABRICKS_CONFIG_FILE=str(store / "none"),
    )
    os.chdir(store)  # MLflow writes artifacts under the working directory
    sys.path.insert(0, str(Path(sys.argv[1]) / "tests"))
    return sys.argv[2]
