"""The same answers give byte-identical repositories, answers file included.

`copier update` diffs a fresh render against the project; any output that depends on
the clock, the machine, dict order or the destination path would show up as a change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import render, rendered_files
from variants import VARIANTS


def snapshot(root: Path) -> dict[str, bytes]:
    return {path.as_posix(): (root / path).read_bytes() for path in rendered_files(root)}


@pytest.mark.parametrize("variant", ["default", "hostile_text"])
def test_same_answers_same_bytes(variant: str, tmp_path: Path) -> None:
    first = snapshot(render(tmp_path / "first", VARIANTS[variant]))
    second = snapshot(render(tmp_path / "elsewhere" / "second", VARIANTS[variant]))
    assert sorted(first) == sorted(second)
    differing = [path for path in first if first[path] != second[path]]
    assert differing == []
