"""The rendered commit checks (.pre-commit-config.yaml): local hooks that run the project's
own tools, the same checks as before, passed by every fresh render.

Every hook is `repo: local`: nothing is fetched from GitHub when a hook first runs, so
commits work offline and behind proxies. One test runs pre-commit for real on a render,
offline, with `uv run --frozen` standing for the tools of this test environment (the
same packages the render's dev group pins). A `copier update` conflict must stay
visible: markers fail a hook, a .rej file fails a hook and shows in `git status`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sysconfig
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

# What pre-commit-hooks' check-merge-conflict looks for at the start of a line.
CONFLICT_MARKERS = ("<<<<<<< ", "======= ", "=======\n", "=======\r\n", ">>>>>>> ")
# The checks, by hook id, and the dev dependency whose executable each one runs.
CHECKS = {
    "check-merge-conflict": "pre-commit-hooks",
    "check-yaml": "pre-commit-hooks",
    "check-toml": "pre-commit-hooks",
    "end-of-file-fixer": "pre-commit-hooks",
    "trailing-whitespace": "pre-commit-hooks",
    "ruff-check": "ruff",
    "ruff-format": "ruff",
}
RUN_FROZEN = "uv run --frozen "
# A stand-in for uv: `uv run --frozen TOOL ARGS` runs TOOL from this test environment.
STUB_UV = """#!/bin/sh
[ "$1 $2" = "run --frozen" ] || { echo "stub uv: unexpected arguments: $*" >&2; exit 64; }
shift 2
exec "$@"
"""


def config(root: Path) -> dict[str, Any]:
    return yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))


def hooks(root: Path) -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for repo in config(root)["repos"] for hook in repo["hooks"]}


def dev_requirements(root: Path) -> dict[str, Requirement]:
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    found = [Requirement(text) for text in project["dependency-groups"]["dev"]]
    return {requirement.name: requirement for requirement in found}


def test_every_hook_is_local(rendered_variant: RenderedVariant) -> None:
    """No hook repository to clone: each hook runs from the repo (or fails by design)."""
    root = rendered_variant("default")
    assert [repo["repo"] for repo in config(root)["repos"]] == ["local"]
    assert {hook["language"] for hook in hooks(root).values()} <= {"system", "fail"}


def test_the_same_checks_run_the_projects_own_tools(rendered_variant: RenderedVariant) -> None:
    """Each check runs an executable of a dev dependency, through the locked environment."""
    root = rendered_variant("default")
    found = hooks(root)
    requirements = dev_requirements(root)
    assert set(CHECKS) <= set(found)
    for hook_id, package in CHECKS.items():
        hook = found[hook_id]
        assert hook["language"] == "system", hook_id
        assert hook["entry"].startswith(RUN_FROZEN), f"{hook_id}: run it with `{RUN_FROZEN}...`"
        assert package in requirements, f"{hook_id} runs {package}, which the dev group lacks"
    assert found["ruff-check"]["entry"].split()[3:5] == ["ruff", "check"]
    assert found["ruff-format"]["entry"].split()[3:5] == ["ruff", "format"]
    assert "--markdown-linebreak-ext=md" in found["trailing-whitespace"]["entry"]


def test_conflict_leftovers_fail_a_hook(rendered_variant: RenderedVariant) -> None:
    found = hooks(rendered_variant("default"))
    # copier update merges outside a git merge: without this flag the hook checks nothing.
    assert "--assume-in-merge" in found["check-merge-conflict"]["entry"]
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


def test_the_hooks_run_offline_on_a_render(rendered_variant: RenderedVariant, tmp_path: Path) -> None:
    """pre-commit itself, as `git commit` starts it, with no network: a fresh render passes
    every hook; conflict markers, trailing spaces, bad YAML and unformatted code fail one."""
    scripts = sysconfig.get_path("scripts")
    for name in ["pre-commit", "check-yaml", "ruff"]:
        if shutil.which(name, path=scripts) is None:
            pytest.fail(f"{name} is not installed: run the tests with `nox -s tests` (see noxfile.py)")
    root = tmp_path / "repo"
    shutil.copytree(rendered_variant("default"), root)
    stub = tmp_path / "bin" / "uv"
    stub.parent.mkdir()
    stub.write_text(STUB_UV, encoding="utf-8")
    stub.chmod(0o755)
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(stub.parent), scripts, os.environ.get("PATH", "")]),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),  # nothing cached from earlier runs
        "HTTPS_PROXY": "http://127.0.0.1:9",  # a fetch would fail, not hang
        "HTTP_PROXY": "http://127.0.0.1:9",
    }

    def run_hooks() -> subprocess.CompletedProcess[str]:
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
        return subprocess.run(
            [str(Path(scripts) / "pre-commit"), "run", "--all-files", "--color=never"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    done = run_hooks()
    assert done.returncode == 0, done.stdout + done.stderr
    assert not list((tmp_path / "pre-commit-home").glob("repo*")), "a hook repository was fetched"

    (root / "notes.md").write_text("<<<<<<< ours\n", encoding="utf-8")
    (root / "broken.yaml").write_text("a: [1\n", encoding="utf-8")
    (root / "src" / "spaced.py").write_text("x  =  1   \n", encoding="utf-8")
    done = run_hooks()
    assert done.returncode != 0
    failed = set(re.findall(r"^- hook id: (\S+)$", done.stdout, flags=re.MULTILINE))
    assert failed == {"check-merge-conflict", "check-yaml", "trailing-whitespace", "ruff-format"}, done.stdout
