"""The 0.5.0 migration, run as copier runs it: a script in the root of the user's repo."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from releases import ROOT, git

SCRIPT = ROOT / "hooks" / "migrations" / "v0_5_0_system_prompt_file.py"
POINTER = runpy.run_path(str(SCRIPT))["POINTER"]  # the line 0.5.0 renders where the key was
CONFIG = """\
# Agent settings, read through mlflow.models.ModelConfig (see settings.py).

llm_endpoint: "databricks-claude-sonnet-4-5"
# Most tool-calling rounds in one turn.
max_tool_rounds: 6

system_prompt: |
  You are our data assistant: quote figures exactly.

  Our rule: say "I don't know" rather than guess. # not a comment
{tail}"""
GENIE_TAIL = "\ngenie:\n  timeout_seconds: 120\n"


def make_repo(tmp_path: Path, config: str) -> Path:
    repo = tmp_path / "repo"
    (repo / "src" / "shop_agent").mkdir(parents=True)
    (repo / ".copier-answers.yml").write_text("_commit: 0.4.0\npackage_name: shop_agent\n", encoding="utf-8")
    (repo / "src" / "shop_agent" / "agent_config.yaml").write_text(config, encoding="utf-8")
    git(repo, "init", "--quiet")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "repo")
    return repo


def migrate(repo: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCRIPT), ".copier-answers.yml"]
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("tail", [GENIE_TAIL, ""], ids=["genie-after", "prompt-last"])
def test_the_prompt_moves_word_for_word_and_nothing_else_changes(tmp_path: Path, tail: str) -> None:
    original = CONFIG.format(tail=tail)
    repo = make_repo(tmp_path, original)
    prompt = yaml.safe_load(original)["system_prompt"]

    done = migrate(repo)

    assert done.returncode == 0, done.stderr
    assert "moved `system_prompt`" in done.stdout and "staged" in done.stdout
    assert (repo / "src/shop_agent/prompts/system.md").read_text(encoding="utf-8") == prompt
    config = (repo / "src/shop_agent/agent_config.yaml").read_text(encoding="utf-8")
    assert config == original.split("\nsystem_prompt:")[0] + "\n" + POINTER + tail
    rest = {key: value for key, value in yaml.safe_load(original).items() if key != "system_prompt"}
    assert yaml.safe_load(config) == rest
    staged = git(repo, "diff", "--cached", "--name-only").splitlines()
    assert staged == ["src/shop_agent/agent_config.yaml", "src/shop_agent/prompts/system.md"]


def test_running_it_again_changes_nothing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, CONFIG.format(tail=GENIE_TAIL))
    assert migrate(repo).returncode == 0
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}

    again = migrate(repo)

    assert again.returncode == 0 and "nothing to move" in again.stdout
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts} == before


def test_an_existing_prompt_file_is_never_overwritten(tmp_path: Path) -> None:
    original = CONFIG.format(tail=GENIE_TAIL)
    repo = make_repo(tmp_path, original)
    prompt_file = repo / "src/shop_agent/prompts/system.md"
    prompt_file.parent.mkdir()
    prompt_file.write_text("Our prompt, written by hand.\n", encoding="utf-8")

    done = migrate(repo)

    assert done.returncode == 0 and "left both as they are" in done.stdout
    assert prompt_file.read_text(encoding="utf-8") == "Our prompt, written by hand.\n"
    assert (repo / "src/shop_agent/agent_config.yaml").read_text(encoding="utf-8") == original


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('{llm_endpoint: x, system_prompt: "inline mapping"}\n', "without changing anything else"),
        ("llm_endpoint: x\nsystem_prompt: [not, text]\n", "is not text"),
    ],
    ids=["flow-mapping", "not-text"],
)
def test_what_it_cannot_move_exactly_it_leaves_alone_and_stops_the_update(
    tmp_path: Path, config: str, message: str
) -> None:
    repo = make_repo(tmp_path, config)

    done = migrate(repo)

    assert done.returncode == 1 and message in done.stderr
    assert (repo / "src/shop_agent/agent_config.yaml").read_text(encoding="utf-8") == config
    assert not (repo / "src/shop_agent/prompts").exists()
    assert not git(repo, "status", "--porcelain")


MOVE_HUNK = """@@ -9,9 +9,1 @@
 max_tool_rounds: 4
-system_prompt: |
-  You are our data assistant.
-
-  Quote figures exactly.
+# The system prompt is in prompts/system.md next to this file (yours: updates never touch it).
"""
OTHER_HUNK = """@@ -20,1 +13,1 @@
-  max_rows: 50
+  max_rows: 80
"""


@pytest.mark.parametrize(
    ("hunks", "left"),
    [([MOVE_HUNK], None), ([MOVE_HUNK, OTHER_HUNK], [OTHER_HUNK]), ([OTHER_HUNK], [OTHER_HUNK])],
    ids=["only-the-move", "the-move-and-a-user-hunk", "only-a-user-hunk"],
)
def test_after_the_update_only_the_moves_own_rejected_hunks_are_dropped(
    tmp_path: Path, hunks: list[str], left: list[str] | None
) -> None:
    repo = make_repo(tmp_path, CONFIG.format(tail=GENIE_TAIL))
    assert migrate(repo).returncode == 0
    header = "diff a/src/shop_agent/agent_config.yaml b/src/shop_agent/agent_config.yaml\t(rejected hunks)\n"
    rejects = repo / "src/shop_agent/agent_config.yaml.rej"
    rejects.write_text(header + "".join(hunks), encoding="utf-8")

    command = [sys.executable, str(SCRIPT), "--after", ".copier-answers.yml"]
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)

    assert done.returncode == 0, done.stderr
    if left is None:
        assert not rejects.exists() and "deleted" in done.stdout
    else:
        assert rejects.read_text(encoding="utf-8") == header + "".join(left)
