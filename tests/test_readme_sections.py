"""The rendered README's "Data sources" and "Updating from the template" sections.

The Data sources table and its `copier update --data 'genie_spaces=[...]'` command are
built from free text (the space descriptions): the table must keep one row per space
and the command must give back exactly the current answer, whatever the text holds.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers import questions, render, user_owned_paths
from variants import VARIANTS

RenderedVariant = Callable[[str], Path]

NEW_SPACE = {
    "name": "<new_space>",
    "space_id": "<32 hex characters from its URL>",
    "description": "<what it holds>",
}
# Descriptions that break a Markdown table row or a single-quoted shell word.
AWKWARD = [
    'It\'s the "net" | gross split: C:\\data\\ 😀\n- second line | with {{ braces }} and `ticks`',
    "Plain.",
    "'quoted'\n\n'twice'  |",
]


def answer(variant: str, question: str) -> Any:
    return VARIANTS[variant].get(question, questions()[question].get("default"))


def section(readme: str, title: str) -> str:
    """The text of one `## ` section, up to the next one."""
    start = readme.index(f"\n## {title}\n")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else None]


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the first Markdown table in `text`, split on unescaped pipes."""
    lines = [line for line in text.splitlines() if line.startswith("|")][2:]
    return [[cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]


def genie_spaces_command(text: str) -> list[dict[str, str]]:
    """The genie_spaces answer in the section's `copier update --data` command, parsed
    the way a shell and then copier read it."""
    (command,) = [line for line in text.splitlines() if line.startswith("uvx copier update")]
    words = shlex.split(command)
    assert words[:6] == ["uvx", "copier", "update", "--trust", "--defaults", "--data"]
    (value,) = words[6:]
    key, _, spaces = value.partition("=")
    assert key == "genie_spaces"
    return yaml.safe_load(spaces)


def check_data_sources(readme: str, spaces: list[dict[str, str]]) -> None:
    text = section(readme, "Data sources")
    rows = table_rows(text)
    assert [row[:3] for row in rows] == [
        [f"`{space['name']}`", f"`{space['space_id']}`", f"`genie_space_{space['name']}`"] for space in spaces
    ]
    for row, space in zip(rows, spaces, strict=True):
        assert len(row) == 4
        assert row[3].replace("\\|", "|") == " ".join(space["description"].split())
    assert genie_spaces_command(text) == [*spaces, NEW_SPACE]


@pytest.mark.parametrize("variant", [name for name in VARIANTS if answer(name, "genie_spaces")])
def test_data_sources_list_each_space(variant: str, rendered_variant: RenderedVariant) -> None:
    readme = (rendered_variant(variant) / "README.md").read_text(encoding="utf-8")
    check_data_sources(readme, answer(variant, "genie_spaces"))


def test_data_sources_survive_awkward_descriptions(tmp_path: Path) -> None:
    spaces = [
        {"name": f"space_{i}", "space_id": f"{i:032x}", "description": text} for i, text in enumerate(AWKWARD)
    ]
    root = render(tmp_path / "project", {"project_name": "Awkward Agent", "genie_spaces": spaces})
    check_data_sources((root / "README.md").read_text(encoding="utf-8"), spaces)


@pytest.mark.parametrize("variant", [name for name in VARIANTS if not answer(name, "genie_spaces")])
def test_a_chat_only_readme_says_how_to_add_a_space(variant: str, rendered_variant: RenderedVariant) -> None:
    readme = (rendered_variant(variant) / "README.md").read_text(encoding="utf-8")
    text = section(readme, "Data sources")
    assert "chat-only" in text
    assert "--data 'genie_spaces=[" in text
    assert not table_rows(text)


@pytest.mark.parametrize("variant", VARIANTS)
def test_updating_lists_the_files_the_user_owns(variant: str, rendered_variant: RenderedVariant) -> None:
    """The files the README calls yours are exactly copier.yml's _skip_if_exists."""
    root = rendered_variant(variant)
    text = section((root / "README.md").read_text(encoding="utf-8"), "Updating from the template")
    package = yaml.safe_load((root / ".copier-answers.yml").read_text(encoding="utf-8"))["package_name"]
    owned = set(user_owned_paths(package))
    listed = set(re.findall(r"^- `([^`]+)`$", text, flags=re.MULTILINE))
    assert listed == owned
    for command in ["uvx copier update --trust --defaults", "uvx copier check-update", "--conflict rej"]:
        assert command in text
    drift = {"github": "`template drift` job", "azure_devops": '"Template drift" step', "none": None}
    expected = drift[answer(variant, "ci_provider")]
    assert (expected in text) if expected else ("drift" not in text)


# How every release's README has ended. A section a user appends after it merges cleanly
# on update only while these lines stay as they are: git reports a conflict when the
# template changes the lines right before an insertion.
README_ENDING = """
Copier merges the template's changes with yours; resolve any conflict markers it
leaves, run the tests, and commit. `--trust` is needed only when an update runs a
migration script from the template.
"""


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_readme_keeps_its_last_paragraph(variant: str, rendered_variant: RenderedVariant) -> None:
    readme = (rendered_variant(variant) / "README.md").read_text(encoding="utf-8")
    assert readme.endswith("\n" + README_ENDING)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_layout_lists_exactly_the_package_modules(variant: str, rendered_variant: RenderedVariant) -> None:
    """The Layout block names each top-level module the render has, and no other: a
    framework's files appear only in its own renders."""
    project = rendered_variant(variant)
    readme = (project / "README.md").read_text(encoding="utf-8")
    layout = section(readme, "Layout").split("```")[1]
    package_line, *lines = [line for line in layout.splitlines() if line.strip()]
    package_dir = project / package_line.strip()
    listed = {line.split()[0] for line in lines if line.startswith("  ") and not line.startswith("   ")}
    modules = {path.name for path in package_dir.glob("*.py")} - {"__init__.py"}
    assert {name for name in listed if name.endswith(".py")} == modules


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_layout_names_only_what_the_render_has(variant: str, rendered_variant: RenderedVariant) -> None:
    """Each top-level entry of the Layout block, and each folder inside the package, exists."""
    project = rendered_variant(variant)
    layout = section((project / "README.md").read_text(encoding="utf-8"), "Layout").split("```")[1]
    package_line, *lines = [line for line in layout.splitlines() if line.strip()]
    package_dir = project / package_line.strip()
    top = [line.split()[0] for line in lines if not line.startswith(" ")]
    folders = [line.split()[0] for line in lines if line.startswith("  ") and not line.startswith("   ")]
    assert top and all((project / name).exists() for name in top), top
    assert all((package_dir / name).is_dir() for name in folders if name.endswith("/")), folders
