"""Shared fixtures: each named variant is rendered once per test session and reused.

Rendering is the slow part (~0.3 s, a git clone of the working tree each time), and the
checks on a render only read it, so one render per variant serves every test.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import render
from variants import VARIANTS


@pytest.fixture(scope="session")
def rendered_variant(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Return a function: variant name -> directory holding that variant's render."""
    cache: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in cache:
            cache[name] = render(tmp_path_factory.mktemp(name) / "project", VARIANTS[name])
        return cache[name]

    return get
