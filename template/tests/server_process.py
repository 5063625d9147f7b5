"""`start-server` in a subprocess, as app.yaml and a person start it, for the tests that need HTTP.

A server takes seconds to start (it imports MLflow). `ServerProcess` starts it at once and
waits for it only when a test first asks for its URL, so the run's servers load side by
side while the first tests run (conftest starts the ones the selected tests use).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

START_SECONDS = 90
POLL_SECONDS = 0.05


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerProcess:
    """The console script with this process's environment plus `env`, started now; its
    output goes to `log`. `url()` waits until /health answers."""

    def __init__(self, log: Path, env: Mapping[str, str], *args: str) -> None:
        self.log = log
        port = free_port()
        script = Path(sys.executable).with_name("start-server")
        with log.open("w") as output:
            self.process = subprocess.Popen(
                [script, "--port", str(port), *args], env={**os.environ, **env}, stdout=output, stderr=output
            )
        self._url = f"http://127.0.0.1:{port}/"
        self._healthy = False

    def url(self) -> str:
        """The base URL (ending in `/`), once the server answers /health."""
        deadline = time.monotonic() + START_SECONDS
        while not self._healthy:
            assert self.process.poll() is None, f"start-server exited:\n{self.log.read_text()}"
            assert time.monotonic() < deadline, f"no /health after {START_SECONDS}s:\n{self.log.read_text()}"
            with contextlib.suppress(httpx.TransportError):
                self._healthy = httpx.get(f"{self._url}health", timeout=1).status_code == 200
            if not self._healthy:
                time.sleep(POLL_SECONDS)
        return self._url

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
