"""The rendered commit checks (.pre-commit-config.yaml): pinned, in step with the project's
ruff, and passed by every fresh render, checked here offline as each hook checks.

Running the hooks for real needs their repositories from GitHub; these tests need no
network. A `copier update` conflict must stay visible: markers fail a hook, a .rej file
fails a hook and shows in `git status`.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement

from helpers import rendered_files
from variants import VARIANTS

RenderedVariant = Callable[[str], Path]

FROZEN_REV = re.compile(r"^\s+rev: [0-9a-f]{40} # frozen: v(\d+\.\d+\.\d+)$", re.MULTILINE)
# What pre-commit-hooks' check-merge-conflict looks for at the start of a line.
CONFLICT_MARKERS = ("<<<<<<< ", "======= ", "=======\n", "=======\r\n", ">>>>>>> ")


def config(root: Path) -> dict[str, Any]:
    return yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))


def hooks(root: Path) -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for repo in config(root)["repos"] for hook in repo["hooks"]}


def test_hook_repositories_are_pinned(rendered_variant: RenderedVariant) -> None:
    """Each remote repo at a commit SHA, its tag alongside (as `autoupdate --freeze` writes)."""
    root = rendered_variant("default")
    text = (root / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    remote = [repo for repo in config(root)["repos"] if repo["repo"] != "local"]
    assert len(FROZEN_REV.findall(text)) == len(remote) == 2


def test_ruff_hook_matches_the_projects_ruff(rendered_variant: RenderedVariant) -> None:
    """The hook's ruff is one the project's own dev requirement allows (CI runs that one)."""
    root = rendered_variant("default")
    text = (root / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    (ruff_repo,) = [repo for repo in config(root)["repos"] if repo["repo"].endswith("/ruff-pre-commit")]
    frozen = re.search(rf"rev: {ruff_repo['rev']} # frozen: v(\S+)", text)
    assert frozen is not None
    version = frozen.group(1)
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    (ruff,) = [Requirement(r) for r in project["dependency-groups"]["dev"] if r.startswith("ruff")]
    assert ruff.specifier.contains(version), f"ruff-pre-commit v{version} is outside {ruff}"
    assert {"ruff-check", "ruff-format"} <= set(hooks(root))


def test_conflict_leftovers_fail_a_hook(rendered_variant: RenderedVariant) -> None:
    found = hooks(rendered_variant("default"))
    # copier update merges outside a git merge: without this flag the hook checks nothing.
    assert "--assume-in-merge" in found["check-merge-conflict"]["args"]
    rej = found["no-rej-files"]
    assert rej["language"] == "fail"
    for path in ["README.md.rej", "src/pkg/agent.py.rej", ".gitignore.rej"]:
        assert re.search(rej["files"], path), path
    for path in ["README.md", "notes.rej.md", "src/rej.py"]:
        assert not re.search(rej["files"], path), path


@pytest.mark.parametrize("variant", VARIANTS)
def test_fresh_render_passes_the_hooks(variant: str, rendered_variant: RenderedVariant) -> None:
    """check-merge-conflict, check-yaml, check-toml, end-of-file-fixer and trailing-whitespace
    (Markdown line breaks allowed) would pass, and change nothing, on a fresh render."""
    root = rendered_variant(variant)
    assert set(hooks(root)) >= {
        "check-merge-conflict", "check-yaml", "check-toml", "end-of-file-fixer", "trailing-whitespace",
    }  # fmt: skip
    for path in rendered_files(root):
        data = (root / path).read_bytes()
        if b"\0" in data:
            continue
        text = data.decode("utf-8")
        assert not text or (text.endswith("\n") and not text.endswith("\n\n")), f"{path}: end of file"
        for number, line in enumerate(text.splitlines(keepends=True), start=1):
            assert not line.startswith(CONFLICT_MARKERS), f"{path}:{number}: reads as a conflict marker"
            content = line.rstrip("\r\n")
            if path.suffix == ".md" and content.endswith("  ") and content.strip():
                continue  # a Markdown line break
            assert content == content.rstrip(), f"{path}:{number}: trailing whitespace"
        if path.suffix in (".yml", ".yaml"):
            yaml.safe_load(text)  # one document each: check-yaml runs without --multi
        elif path.suffix == ".toml":
            tomllib.loads(text)


def test_rej_files_show_in_git_status(rendered_variant: RenderedVariant, tmp_path: Path) -> None:
    """A .rej file that `copier update --conflict rej` leaves is not ignored: git status
    lists it (and copier refuses the next update until it is gone)."""
    gitignore = rendered_variant("default") / ".gitignore"
    (tmp_path / ".gitignore").write_bytes(gitignore.read_bytes())
    for name in ["README.md.rej", "README.md.orig"]:
        (tmp_path / name).write_text("@@ -1 +1 @@\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert "?? README.md.rej" in status
    assert "?? README.md.orig" not in status
