"""Headless Chromium for the page benchmarks and the screenshot, found as the rendered tests find it."""

from __future__ import annotations

import os
import shutil
from typing import Any

# As the rendered browser tests start it; the network flags keep Chromium off Google's hosts.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch(playwright: Any) -> Any:
    """CHROMIUM_PATH, else a system Chromium or Chrome on PATH, else Playwright's own download."""
    names = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
    path = os.environ.get("CHROMIUM_PATH") or next(filter(None, map(shutil.which, names)), None)
    return playwright.chromium.launch(executable_path=path, args=ARGS)
