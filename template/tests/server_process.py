"""`start-server` in a subprocess, as app.yaml and a person start it, for the tests that need HTTP."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx

START_SECONDS = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_server(log: Path, env: Mapping[str, str], *args: str) -> Iterator[str]:
    """The console script with this process's environment plus `env`; yields its base URL
    (ending in `/`) once /health answers, and stops it afterwards. Its output goes to `log`."""
    port = free_port()
    script = Path(sys.executable).with_name("start-server")
    with log.open("w") as output:
        process = subprocess.Popen(
            [script, "--port", str(port), *args], env={**os.environ, **env}, stdout=output, stderr=output
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            assert process.poll() is None, f"start-server exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"no /health after {START_SECONDS}s:\n{log.read_text()}"
            try:
                if httpx.get(f"{url}health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
