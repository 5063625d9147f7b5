"""A user's repo, made from an older release, edited the way users edit, then updated.

One scenario for the pytest suite (`test_update.py`, every release) and for the nox
`update` session (`python tests/update_scenario.py <from-version> <workdir>`, which then
runs the updated repo's own tests):

1. `tagged_clone` rebuilds the release tags from CHANGELOG.md in a temporary clone;
2. the old release is rendered and committed, as `copier copy` + `git init` leave it;
3. the user's edits are made and committed (`EDITS`, each only where the old release
   has the file it edits);
4. `copier update --trust --defaults` runs to the newest release, optionally changing
   answers (`--data`);
5. `check_update` asserts that no conflict markers, `.rej` files or unmerged paths are
   left, that the answers file moved on, and that the updated repo is exactly a fresh
   render of the new release with the user's edits made on it: every template change
   arrived, every user edit survived, no file the template dropped is left behind.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import sys
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import copier
import yaml
from copier.errors import DirtyLocalWarning
from packaging.version import Version

from helpers import render, user_owned_paths
from releases import git, newest, tagged_clone
from variants import VARIANTS

ANSWERS_FILE = ".copier-answers.yml"
PROMPT_MOVED_IN = Version("0.5.0")  # the release whose migration moves `system_prompt`

README_SECTION = (
    "\n## Our team runbook\n\nPage #data-oncall when a Genie space is down; answers then say so.\n"
)
PROMPT_LINE = "Answer in British English, and name the quarter for every figure."
CONFIG_BEFORE, CONFIG_AFTER = "max_tool_rounds: 4\n", "max_tool_rounds: 6\n"
EVAL_ROW = """\
# Our own row: March EMEA revenue, checked against finance's monthly report.
- inputs:
    input:
      - role: user
        content: "What was EMEA revenue in March?"
  expectations:
    expected_tools: [sales]
    expected_facts:
      - "The answer gives EMEA revenue for March from the sales space."
"""
CALENDAR_MODULE = '''\
"""Our fiscal calendar: quarters start in February."""


def fiscal_quarter(month: int) -> str:
    """The fiscal quarter ("Q1".."Q4") of a calendar month (1-12)."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1-12, got {month}")
    return f"Q{((month - 2) % 12) // 3 + 1}"
'''
CALENDAR_TEST = """\
from {package}.business_calendar import fiscal_quarter


def test_quarters_start_in_february() -> None:
    assert [fiscal_quarter(m) for m in (1, 2, 5, 11, 12)] == ["Q4", "Q1", "Q2", "Q4", "Q4"]
"""
WEATHER_TOOL = '''\
"""Our own tool: the weather at head office, which is not business data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .base import Status, ToolResult


class WeatherTool:
    name = "weather"

    @property
    def spec(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": "Today's weather at head office.",
                "parameters": {"type": "object", "properties": {}},
            },
        }

    def __call__(self, arguments: Mapping[str, Any], history: Sequence[Mapping[str, Any]] = ()) -> ToolResult:
        del arguments, history
        return ToolResult(
            tool=self.name,
            source="weather service",
            status=Status.OK,
            content={"forecast": "sunny"},
            is_data_source=False,
        )
'''
WEATHER_TEST = """\
from databricks.sdk import WorkspaceClient

from {package}.responses_agent import ToolCallingAgent
from {package}.settings import load_settings


def test_the_agent_offers_our_weather_tool(workspace) -> None:  # the template's fake workspace
    client = WorkspaceClient(host=workspace.url, token="fake-token")
    agent = ToolCallingAgent(load_settings(), connect=lambda: client)
    assert "weather" in agent.tools
    assert agent.tools["weather"]({}).content == {"forecast": "sunny"}
"""


@dataclasses.dataclass(frozen=True)
class Edit:
    """One thing users do to their repo: files it changes (text -> text) and files it adds."""

    name: str
    changes: Mapping[str, Callable[[str], str]]  # path -> transform; the edit needs these files
    adds: Mapping[str, str] = dataclasses.field(default_factory=dict)
    # False when a migration carries the change elsewhere (checked there, not on a fresh render)
    survives_in_place: bool = True

    @property
    def kind(self) -> str:
        """What the user does, without where: "a custom tool registered in the agent"."""
        return self.name.split(" (")[0]

    def applies_to(self, repo: Path, package: str) -> bool:
        return all((repo / path.format(package=package)).is_file() for path in self.changes)

    def apply(self, repo: Path, package: str) -> None:
        for path, change in self.changes.items():
            target = repo / path.format(package=package)
            target.write_text(change(target.read_text(encoding="utf-8")), encoding="utf-8")
        for path, text in self.adds.items():
            target = repo / path.format(package=package)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text.replace("{package}", package), encoding="utf-8")


def _replace_once(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        if text.count(old) != 1:
            raise AssertionError(f"expected {old!r} once in the file, found it {text.count(old)} times")
        return text.replace(old, new)

    return change


def _add_rows(text: str) -> str:
    """Add our row, as a user would: after the last row, or in place of an empty `[]`."""
    if "\n[]\n" in f"\n{text}":
        return _replace_once("[]\n", EVAL_ROW)(text)
    return text.rstrip("\n") + "\n\n" + EVAL_ROW


def _add_prompt_line_to_config(text: str) -> str:
    """Add a line at the end of the `system_prompt: |` block (releases before 0.5.0)."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("system_prompt: |"))
    end = start + 1
    while end < len(lines) and lines[end].startswith("  "):
        end += 1
    return "".join([*lines[:end], f"  {PROMPT_LINE}\n", *lines[end:]])


def _register_tool(text: str) -> str:
    """Register WeatherTool where the release says to: the first `return [...]` in the file."""
    lines = text.splitlines(keepends=True)
    last_import = max(i for i, line in enumerate(lines) if line.startswith(("from ", "import ")))
    lines.insert(last_import + 1, "from .weather import WeatherTool\n")
    returns = [
        i
        for i, line in enumerate(lines)
        if line.strip().startswith("return [") and line.rstrip().endswith("]")
    ]
    if not returns:
        raise AssertionError("no `return [...]` line to register the tool in")
    line = lines[returns[0]].rstrip("\n")  # the first tool list: build_tools / custom_tools
    lines[returns[0]] = line[:-1] + ("WeatherTool()]" if line.endswith("[]") else ", WeatherTool()]") + "\n"
    return "".join(lines)


EDITS = (
    Edit("a README section", {"README.md": lambda text: text + README_SECTION}),
    Edit(
        "a new module, with its test",
        {},
        {
            "src/{package}/business_calendar.py": CALENDAR_MODULE,
            "tests/test_business_calendar.py": CALENDAR_TEST,
        },
    ),
    Edit("extra eval rows", {"evaluation/dataset.yaml": _add_rows}),
    Edit(
        "a changed config value",
        {"src/{package}/agent_config.yaml": _replace_once(CONFIG_BEFORE, CONFIG_AFTER)},
    ),
    Edit(
        "a custom tool registered in the agent (tools/custom.py)",
        {"src/{package}/tools/custom.py": _register_tool},
        {"src/{package}/tools/weather.py": WEATHER_TOOL, "tests/test_weather_tool.py": WEATHER_TEST},
    ),
    Edit(
        "a custom tool registered in the agent (tools/__init__.py, before tools/custom.py existed)",
        {"src/{package}/tools/__init__.py": _register_tool},
        {"src/{package}/tools/weather.py": WEATHER_TOOL, "tests/test_weather_tool.py": WEATHER_TEST},
    ),
    Edit(
        "an edited system prompt (prompts/system.md)",
        {"src/{package}/prompts/system.md": lambda t: t + PROMPT_LINE},
    ),
    Edit(
        "an edited system prompt (agent_config.yaml, before prompts/system.md existed)",
        {"src/{package}/agent_config.yaml": _add_prompt_line_to_config},
        survives_in_place=False,
    ),
)


def user_edits(repo: Path, package: str) -> list[Edit]:
    """The edits this repo's release allows: of two ways to do one thing, the first that applies."""
    chosen: list[Edit] = []
    for edit in EDITS:
        if edit.applies_to(repo, package) and all(done.kind != edit.kind for done in chosen):
            chosen.append(edit)
    return chosen


@dataclasses.dataclass
class Scenario:
    clone: Path  # the template clone with rebuilt tags
    repo: Path  # the user's repo
    package: str
    old_version: str
    new_version: str
    answers: dict[str, Any]  # answers the repo was made with
    new_data: dict[str, Any]  # answers changed during the update
    edits: list[Edit]
    user_files: dict[str, str]  # user-owned files and their content just before the update
    config_before: str  # agent_config.yaml just before the update


def prepare(
    workdir: Path, old_version: str, answers: Mapping[str, Any] | None = None, *, edits: bool = True
) -> Scenario:
    """Steps 1-3: the tagged clone, the old render committed, the user's edits (if `edits`) committed."""
    clone, repo = workdir / "template", workdir / "repo"
    tagged_clone(clone)
    answers = dict(VARIANTS["default"] if answers is None else answers)
    render(repo, answers, template=clone, vcs_ref=old_version)
    package = _answers(repo)["package_name"]
    git(repo, "init", "--quiet")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", f"Render template {old_version}")
    made = user_edits(repo, package) if edits else []
    for edit in made:
        edit.apply(repo, package)
    if made:
        git(repo, "add", "--all")
        git(repo, "commit", "--quiet", "-m", "Our edits")
    user_files = {
        path: (repo / path).read_text(encoding="utf-8")
        for path in user_owned_paths(package)
        if (repo / path).is_file()
    }
    config_before = (repo / "src" / package / "agent_config.yaml").read_text(encoding="utf-8")
    return Scenario(
        clone, repo, package, old_version, newest().version, answers, {}, made, user_files, config_before
    )


def update(scenario: Scenario, new_data: Mapping[str, Any] | None = None, conflict: str = "inline") -> None:
    """Step 4: `copier update --trust --defaults [--data ...] [--conflict rej]` to the newest release."""
    scenario.new_data = dict(new_data or {})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DirtyLocalWarning)
        copier.run_update(
            str(scenario.repo),
            data=scenario.new_data,
            defaults=True,
            overwrite=True,
            unsafe=True,
            vcs_ref=scenario.new_version,
            quiet=True,
            conflict=conflict,
        )


def check_update(scenario: Scenario, workdir: Path) -> None:
    """Step 5: raise AssertionError naming every way the update differs from fresh + edits."""
    repo = scenario.repo
    problems = [f"unmerged path: {line}" for line in git(repo, "ls-files", "--unmerged").splitlines()]
    actual = _tree(repo)
    for path, text in actual.items():
        if path.endswith(".rej"):
            problems.append(f"{path}: a rejected hunk was left")
        if any(line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in text.splitlines()):
            problems.append(f"{path}: conflict markers were left")
    answers = _answers(repo)
    if answers.get("_commit") != scenario.new_version:
        problems.append(
            f"{ANSWERS_FILE}: _commit is {answers.get('_commit')!r}, not {scenario.new_version!r}"
        )
    expected = expected_tree(scenario, workdir / "fresh")
    for path in sorted(set(expected) | set(actual)):
        if path not in actual:
            problems.append(f"{path}: missing after the update")
        elif path not in expected:
            problems.append(f"{path}: left behind, though neither the template nor the user has it")
        elif actual[path] != expected[path]:
            diff = _diff(expected[path], actual[path])
            problems.append(f"{path}: differs from a fresh render with the user's edits:\n{diff}")
    if problems:
        raise AssertionError(
            f"update {scenario.old_version} -> {scenario.new_version}:\n" + "\n".join(problems)
        )


def expected_tree(scenario: Scenario, fresh: Path) -> dict[str, str]:
    """A fresh render of the new release and answers, with the user's edits made on it.

    Files the user owns keep the content they had before the update; a system prompt
    kept in agent_config.yaml by an older release is what the migration moves to
    prompts/system.md.
    """
    answers = {**scenario.answers, **scenario.new_data}
    render(fresh, answers, template=scenario.clone, vcs_ref=scenario.new_version)
    package = scenario.package
    tree = _tree(fresh)
    owned = user_owned_paths(package)
    for edit in scenario.edits:
        for path, change in edit.changes.items():
            path = path.format(package=package)
            if edit.survives_in_place and path not in owned:
                tree[path] = change(tree[path])
        for path, text in edit.adds.items():
            tree[path.format(package=package)] = text.replace("{package}", package)
    tree.update(scenario.user_files)
    prompt = f"src/{package}/prompts/system.md"
    if prompt not in scenario.user_files and Version(scenario.old_version) < PROMPT_MOVED_IN:
        text = yaml.safe_load(scenario.config_before)["system_prompt"]
        tree[prompt] = text if text.endswith("\n") else text + "\n"
    return tree


def _answers(repo: Path) -> dict[str, Any]:
    return yaml.safe_load((repo / ANSWERS_FILE).read_text(encoding="utf-8"))


def _tree(root: Path) -> dict[str, str]:
    """Every file under `root` (not .git, caches or venvs) by relative path: its text."""
    skip = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "mlruns"}
    tree = {}
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [name for name in subdirs if name not in skip]
        for name in files:
            path = Path(directory, name)
            tree[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8", errors="replace")
    return tree


def _diff(expected: str, actual: str) -> str:
    return "".join(
        difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "expected", "actual", n=1)
    )


def main(argv: list[str]) -> int:
    """`update_scenario.py <from-version> <workdir>`: steps 1-5, then a summary."""
    old_version, workdir = argv[0], Path(argv[1])
    scenario = prepare(workdir, old_version)
    update(scenario)
    check_update(scenario, workdir)
    print(f"updated {old_version} -> {scenario.new_version} in {scenario.repo}: no conflicts, edits kept:")
    for edit in scenario.edits:
        print(f"  - {edit.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
