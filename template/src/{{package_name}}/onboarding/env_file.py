"""The repo's `.env`: values are added, never replaced.

`.env` is the user's file (never committed, never touched by template updates), so a
value they set stays, whatever quickstart would have chosen. Comments and lines this
module does not know stay as they are; a missing key fills its commented-out template
line (`# KEY=...`) where there is one, or is added at the end.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.*?)\s*$")
COMMENTED = re.compile(r"^\s*#\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)=")
PLAIN = re.compile(r"[\w@%+=:,./-]*")
HEADER = [
    "# Your local environment, written by `uv run quickstart`. This file is yours: it is never",
    "# committed (.gitignore lists it) and template updates never touch it. Nothing loads it on",
    "# its own: pass it with `uv run --env-file .env <command>`.",
]


def read_values(path: Path) -> dict[str, str]:
    """The keys `path` sets to a non-empty value (the last assignment of each wins)."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    values = {}
    for line in lines:
        match = ASSIGNMENT.match(line)
        if match and not line.lstrip().startswith("#"):
            value = match["value"]
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            if value:
                values[match["key"]] = value
    return values


def add_missing(path: Path, wanted: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Write the keys of `wanted` that `path` lacks; returns (kept, added): the user's
    values of the keys it already had, and what it wrote."""
    current = read_values(path)
    kept = {key: current[key] for key in wanted if key in current}
    added = {key: value for key, value in wanted.items() if key not in current}
    if not added:
        return kept, added
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else list(HEADER)
    for key, value in added.items():
        line = f"{key}={_quoted(value)}"
        slot = _slot(lines, key)
        if slot is None:
            lines.append(line)
        else:
            lines[slot] = line
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return kept, added


def _slot(lines: list[str], key: str) -> int | None:
    """The line to fill for `key`: an empty assignment, else its commented template line."""
    for pattern in (ASSIGNMENT, COMMENTED):
        for number, line in enumerate(lines):
            match = pattern.match(line)
            if match and match["key"] == key and (pattern is COMMENTED) == line.lstrip().startswith("#"):
                return number
    return None


def _quoted(value: str) -> str:
    if PLAIN.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
