"""AGENTS.md, the README's "First hour" and .vscode/ name only what the render has.

For every variant, each command they give runs something the repo has: `uv run X` a
console script of pyproject.toml or a dev tool of its dev group, `python -m M` a module
file, `databricks bundle ...` a target of databricks.yml and, for `run`, a job or app of
its resources; `uvx copier` and `git` need nothing. Each path they name exists:
every `code span` that looks like a path, every path in prose that starts at a top-level
folder, and every entry of AGENTS.md's Layout tree. A program the check does not know
is an error, so a new kind of command teaches this file first.
"""

from __future__ import annotations

import itertools
import json
import re
import shlex
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers import user_owned_paths
from variants import VARIANTS

RenderedVariant = Callable[[str], Path]

# Dev-group tools that `uv run` may start by name (each installs an executable of that name).
DEV_TOOLS = {"mlflow", "playwright", "pre-commit", "pytest", "ruff"}
UV_RUN_VALUE_OPTIONS = {"--env-file", "--with", "--group", "--extra", "--python", "-p", "--package"}
UV_COMMANDS = {"sync", "lock", "run"}
COPIER_COMMANDS = {"update", "check-update", "copy"}
BUNDLE_VERBS = {"validate", "deploy", "run", "destroy", "summary"}
BUNDLE_VALUE_OPTIONS = {"-t", "--target", "--var", "-p", "--profile"}
SHELL_SEPARATORS = {"&&", "||", ";", "&", "|"}
# The first word of a `code span` that makes it a command rather than a name or a path.
COMMAND_WORDS = {"uv", "uvx", "databricks", "git", "python", "python3", "pip", "copier", "make", "npm"}
PATH_SUFFIXES = {
    ".py",
    ".yml",
    ".yaml",
    ".toml",
    ".md",
    ".json",
    ".txt",
    ".env",
    ".html",
    ".js",
    ".css",
    ".png",
}
FENCE = re.compile(r"^\s*```(\w*)\s*$")
TOP_LEVEL_IN_PROSE = re.compile(
    r"(?<![\w./`-])((?:src|tests|evaluation|resources|docs|\.vscode|\.github)/[\w./-]*[\w/])"
)


class Repo:
    """What a render offers: scripts, dev tools, modules, bundle targets and resources."""

    def __init__(self, root: Path) -> None:
        self.root = root
        pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
        self.scripts: dict[str, str] = pyproject["project"]["scripts"]
        dev = pyproject["dependency-groups"]["dev"]
        self.dev_tools = DEV_TOOLS & {re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0] for spec in dev}
        bundle = yaml.safe_load((root / "databricks.yml").read_text(encoding="utf-8"))
        self.targets = set(bundle["targets"])
        self.runnable: set[str] = set()
        for path in [root / "databricks.yml", *sorted((root / "resources").glob("*.yml"))]:
            resources = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("resources", {})
            for kind in ("jobs", "apps", "pipelines"):
                self.runnable |= set(resources.get(kind) or {})
        self.package = yaml.safe_load((root / ".copier-answers.yml").read_text(encoding="utf-8"))[
            "package_name"
        ]

    def module_file(self, module: str, roots: list[str]) -> Path | None:
        """The file `python -m module` runs, under `src` or the given PYTHONPATH roots."""
        parts = module.split(".")
        for base in ["src", *roots]:
            for candidate in (Path(base, *parts).with_suffix(".py"), Path(base, *parts, "__main__.py")):
                if (self.root / candidate).is_file():
                    return candidate
        return None

    def path_exists(self, text: str) -> bool:
        text = text.removeprefix("./")
        if any(char in text for char in "*?["):
            return any(self.root.glob(text))
        return (self.root / text).exists()


def is_placeholder(word: str) -> bool:
    return "<" in word or "${" in word or "..." in word


def looks_like_path(text: str) -> bool:
    """A code span or argument that names a file or folder of the repo."""
    if not text or " " in text or "://" in text or is_placeholder(text) or "=" in text:
        return False
    if text in {".", "./"}:
        return True
    if text.startswith("-") or not re.fullmatch(r"[\w./*-]+", text):
        return False
    return "/" in text or Path(text).suffix in PATH_SUFFIXES or (text.startswith(".") and len(text) > 1)


def split_commands(line: str) -> Iterator[list[str]]:
    """The simple commands of one shell line, comments dropped, split at && ; | &."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    words: list[str] = []
    for token in lexer:
        if token in SHELL_SEPARATORS:
            if words:
                yield words
            words = []
        else:
            words.append(token)
    if words:
        yield words


def check_command(words: list[str], repo: Repo) -> list[str]:
    """What is wrong with one simple command: empty when it runs something the repo has."""
    shown = " ".join(words)
    roots: list[str] = []
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        if name == "PYTHONPATH":
            roots += value.split(":")
    if not words:
        return [f"{shown!r}: no command"]
    program, *args = words
    problems = [
        f"{shown!r}: {arg} does not exist"
        for arg in args
        if looks_like_path(arg) and not repo.path_exists(arg)
    ]
    if program == "uv":
        if not args or args[0] not in UV_COMMANDS:
            return [*problems, f"{shown!r}: uv has no command {args[:1]}"]
        if args[0] == "run":
            return problems + check_uv_run(args[1:], roots, repo, shown)
    elif program in {"uvx", "copier"}:  # `copier update` in prose, `uvx copier update` to run
        command = (
            args[1:2]
            if program == "uvx" and args[:1] == ["copier"]
            else args[:1]
            if program == "copier"
            else []
        )
        if not command or command[0] not in COPIER_COMMANDS:
            problems.append(f"{shown!r}: uvx runs only copier {sorted(COPIER_COMMANDS)} here")
    elif program == "databricks":
        problems += check_databricks(args, repo, shown)
    elif program != "git":
        problems.append(f"{shown!r}: unknown program {program!r} (run it with `uv run`, or teach this test)")
    return problems


def check_uv_run(args: list[str], roots: list[str], repo: Repo, shown: str) -> list[str]:
    while args and args[0].startswith("-"):
        option = args.pop(0)
        if option in UV_RUN_VALUE_OPTIONS and "=" not in option:
            args.pop(0)
    if not args:
        return [f"{shown!r}: uv run without a command"]
    command, *rest = args
    if is_placeholder(command):
        return []
    if command == "python":
        if rest[:1] != ["-m"] or len(rest) < 2:
            return [f"{shown!r}: use `python -m <module>`"]
        if repo.module_file(rest[1], roots) is None:
            return [f"{shown!r}: no module {rest[1]} under src/ {' '.join(roots)}"]
        return []
    if command in repo.scripts or command in repo.dev_tools:
        return []
    return [f"{shown!r}: {command!r} is neither a [project.scripts] entry nor a dev tool"]


def check_databricks(args: list[str], repo: Repo, shown: str) -> list[str]:
    if args[:2] == ["auth", "login"]:
        return []
    if args[:1] != ["bundle"] or len(args) < 2 or args[1] not in BUNDLE_VERBS:
        return [f"{shown!r}: not a databricks bundle command this repo documents"]
    problems = []
    for flag, value in itertools.pairwise(args):
        if flag in {"-t", "--target"} and not is_placeholder(value) and value not in repo.targets:
            problems.append(f"{shown!r}: databricks.yml has no target {value!r}")
    if args[1] == "run":
        rest, key = iter(args[2:]), None
        for word in rest:
            if word in BUNDLE_VALUE_OPTIONS:
                next(rest, None)
            elif not word.startswith("-"):
                key = word
                break
        if key is None or (not is_placeholder(key) and key not in repo.runnable):
            problems.append(f"{shown!r}: no job or app {key!r} in the bundle's resources")
    return problems


def markdown_parts(text: str) -> tuple[list[tuple[str, list[str]]], str]:
    """The fenced blocks (language, lines) and the text outside them."""
    blocks: list[tuple[str, list[str]]] = []
    prose: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        fence = FENCE.match(line)
        if fence and current is None:
            current = []
            blocks.append((fence.group(1), current))
        elif fence:
            current = None
        elif current is not None:
            current.append(line)
        else:
            prose.append(line)
    assert current is None, "a code fence is left open"
    return blocks, "\n".join(prose)


def check_markdown(text: str, repo: Repo) -> list[str]:
    """Every command and path `text` names, checked against the repo."""
    blocks, prose = markdown_parts(text)
    problems: list[str] = []
    for language, lines in blocks:
        if language in {"bash", "sh", "shell", "console"}:
            for line in "\n".join(lines).replace("\\\n", " ").splitlines():  # continuation lines joined
                for words in split_commands(line):
                    problems += check_command(words, repo)
    spans = re.findall(r"`([^`\n]+)`", prose)
    for span in spans:
        words = span.split()
        if words and words[0] in COMMAND_WORDS:
            for command in split_commands(span):
                problems += check_command(command, repo)
        elif looks_like_path(span) and not repo.path_exists(span):
            problems.append(f"`{span}` does not exist")
    for path in TOP_LEVEL_IN_PROSE.findall(re.sub(r"`[^`\n]+`", "", prose)):
        if not repo.path_exists(path):
            problems.append(f"{path} (in prose) does not exist")
    return problems


def section(text: str, title: str) -> str:
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def layout_entries(agents: str) -> list[tuple[str, bool]]:
    """(path, marked yours) for each entry of the Layout tree, built from its indentation."""
    ((language, lines),) = markdown_parts(section(agents, "Layout"))[0]
    assert language == "text"
    entries: list[tuple[str, bool]] = []
    parents: list[str] = []
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        assert indent % 2 == 0, f"Layout: odd indentation in {line!r}"
        name = line.split()[0]
        parents = parents[: indent // 2]
        assert len(parents) == indent // 2, f"Layout: {line!r} has no parent folder"
        path = "".join(parents) + name
        entries.append((path, "(yours)" in line))
        if name.endswith("/"):
            parents.append(name)
    return entries


def check_layout(agents: str, repo: Repo) -> list[str]:
    problems = []
    for path, _ in layout_entries(agents):
        exists = (repo.root / path).is_dir() if path.endswith("/") else (repo.root / path).is_file()
        if not exists:
            problems.append(f"Layout: {path} does not exist")
    return problems


@pytest.fixture(scope="module")
def repo_of(rendered_variant: RenderedVariant) -> Callable[[str], Repo]:
    cache: dict[str, Repo] = {}

    def get(variant: str) -> Repo:
        if variant not in cache:
            cache[variant] = Repo(rendered_variant(variant))
        return cache[variant]

    return get


def read(repo: Repo, name: str) -> str:
    return (repo.root / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_command_and_path_in_agents_md_exists(variant: str, repo_of: Callable[[str], Repo]) -> None:
    repo = repo_of(variant)
    agents = read(repo, "AGENTS.md")
    assert check_markdown(agents, repo) == []
    assert check_layout(agents, repo) == []


@pytest.mark.parametrize("variant", VARIANTS)
def test_agents_md_names_the_commands_a_newcomer_needs(variant: str, repo_of: Callable[[str], Repo]) -> None:
    """Test, lint, serve, evaluate, preflight, deploy and update, each as this repo runs it."""
    repo = repo_of(variant)
    commands = section(read(repo, "AGENTS.md"), "Commands")
    serving = "register-agent" in repo.scripts
    deploy = (
        ["databricks bundle run deploy_agent -t dev"]
        if serving
        else [
            "databricks bundle run evaluation -t dev",
            "databricks bundle run agent_app -t dev",
        ]
    )
    for command in [
        "uv run pytest",
        "uv run ruff check .",
        "uv run start-server",
        "uv run --env-file .env evaluate-agent",
        "uv run --env-file .env preflight -t dev",
        "uv run quickstart",
        "uv run --env-file .env discover",
        "databricks bundle deploy -t dev",
        *deploy,
        "uvx copier update --trust --defaults",
    ]:
        assert re.search(rf"^{re.escape(command)}(\s|$)", commands, flags=re.MULTILINE), command


@pytest.mark.parametrize("variant", VARIANTS)
def test_agents_md_marks_exactly_the_users_files(variant: str, repo_of: Callable[[str], Repo]) -> None:
    """The files it calls yours, in the list and in the Layout tree, are copier.yml's _skip_if_exists."""
    repo = repo_of(variant)
    agents = read(repo, "AGENTS.md")
    owned = set(user_owned_paths(repo.package))
    listed = set(re.findall(r"^- `([^`]+)`$", section(agents, "Yours or the template's"), flags=re.MULTILINE))
    assert listed == owned
    assert {path for path, yours in layout_entries(agents) if yours} == owned


@pytest.mark.parametrize("variant", VARIANTS)
def test_agents_md_ends_where_users_add_their_notes(variant: str, repo_of: Callable[[str], Repo]) -> None:
    """Notes appended after the template's last line merge cleanly on update, as long as
    that line stays as it is; CLAUDE.md imports AGENTS.md and says nothing else."""
    repo = repo_of(variant)
    last = "The template writes nothing below this line; notes your team adds here survive updates.\n"
    assert read(repo, "AGENTS.md").endswith("\n## Your notes\n\n" + last)
    assert read(repo, "CLAUDE.md") == "@AGENTS.md\n"


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_readmes_first_hour_runs_in_this_repo(variant: str, repo_of: Callable[[str], Repo]) -> None:
    repo = repo_of(variant)
    first_hour = section(read(repo, "README.md"), "First hour")
    assert check_markdown(first_hour, repo) == []
    steps = re.findall(r"^\d\. \*\*([^*]+)\*\*", first_hour, flags=re.MULTILINE)
    assert steps == [
        "Set up.",
        "Chat.",
        "Change the prompt.",
        "Add a Genie space.",
        "Evaluate.",
        "Deploy to dev.",
    ]
    for command in [
        "uv run quickstart",
        "start-server",
        "discover",
        "copier update",
        "evaluate-agent",
        "-t dev",
    ]:
        assert command in first_hour, command
    assert "git add uv.lock" in first_hour  # CI installs with --locked: the lock file is committed first


@pytest.mark.parametrize("variant", VARIANTS)
def test_vscode_launch_configurations_run_this_repo(variant: str, repo_of: Callable[[str], Repo]) -> None:
    """Each launch configuration starts a module the repo has, with files that exist; the
    server, the tests and the evaluation each have one, running what the scripts run."""
    repo = repo_of(variant)
    launch = json.loads(read(repo, ".vscode/launch.json"))
    configurations: list[dict[str, Any]] = launch["configurations"]
    names = [configuration["name"] for configuration in configurations]
    assert len(names) == len(set(names)), "launch configuration names must be unique"
    modules = set()
    for configuration in configurations:
        assert (configuration["type"], configuration["request"]) == ("debugpy", "launch")
        module = configuration["module"]
        assert module in repo.dev_tools or repo.module_file(module, []) is not None, module
        modules.add(module)
        for key in ("cwd", "envFile", "program"):
            if key in configuration:
                assert repo.path_exists(workspace_path(configuration[key])), configuration[key]
        for arg in configuration["args"]:
            assert not looks_like_path(arg) or repo.path_exists(arg), arg
    for script in ("start-server", "evaluate-agent"):
        module = repo.scripts[script].split(":")[0].removesuffix(".__main__")
        assert module in modules, f"no launch configuration runs {script} ({module})"
    assert "pytest" in modules


@pytest.mark.parametrize("variant", VARIANTS)
def test_vscode_settings_point_at_this_repo(variant: str, repo_of: Callable[[str], Repo]) -> None:
    repo = repo_of(variant)
    settings = json.loads(read(repo, ".vscode/settings.json"))
    assert settings["python.testing.pytestEnabled"] is True
    assert all(repo.path_exists(arg) for arg in settings["python.testing.pytestArgs"])
    # Test runs load an empty file, not .env: the tests must never see your credentials.
    env_file = workspace_path(settings["python.envFile"])
    assert env_file != ".env" and repo.path_exists(env_file)
    assert not [
        line for line in read(repo, env_file).splitlines() if line.strip() and not line.startswith("#")
    ]
    assert settings["python.defaultInterpreterPath"] == "${workspaceFolder}/.venv/bin/python"  # uv's venv
    assert settings["[python]"]["editor.defaultFormatter"] == "charliermarshall.ruff"
    assert "ruff" in repo.dev_tools  # ruff.importStrategy fromEnvironment: the version uv.lock pins
    recommended = json.loads(read(repo, ".vscode/extensions.json"))["recommendations"]
    assert {"charliermarshall.ruff", "ms-python.python", "ms-python.debugpy"} <= set(recommended)
    for name in (".vscode/settings.json", ".vscode/launch.json", ".vscode/extensions.json"):
        text = read(repo, name)  # one entry a line, as written by json.dumps: merges stay line by line
        assert text.endswith("}\n") and "\t" not in text, name


# How .vscode/launch.json ends, in every release: configurations a user appends after it
# merge cleanly on update only while these lines stay as they are (see AGENTS.md). Add the
# template's new configurations before it.
LAUNCH_ENDING = """
    {
      "name": "pytest: current file",
      "type": "debugpy",
      "request": "launch",
      "module": "pytest",
      "args": ["-q", "${file}"],
      "cwd": "${workspaceFolder}",
      "console": "integratedTerminal"
    }
  ]
}
"""


@pytest.mark.parametrize("variant", VARIANTS)
def test_launch_json_keeps_its_last_configuration(variant: str, repo_of: Callable[[str], Repo]) -> None:
    repo = repo_of(variant)
    assert read(repo, ".vscode/launch.json").endswith("},\n" + LAUNCH_ENDING.removeprefix("\n"))
    assert "`pytest: current file`" in section(read(repo, "AGENTS.md"), "Yours or the template's")


def workspace_path(value: str) -> str:
    assert value.startswith("${workspaceFolder}"), value
    return value.removeprefix("${workspaceFolder}").removeprefix("/") or "."


# The check itself must fail on what it is there to catch.
INVENTED = """
## Commands

```bash
uv run frobnicate
uv run python -m {package}.nowhere
uv run --env-file .env pytest tests/test_nothing_here.py
databricks bundle deploy -t qa
databricks bundle run no_such_job -t dev
make test
DATABRICKS_TOKEN=fake \\
  uv run continued-script
```

See `src/{package}/imaginary.py`, `evaluation/missing.yaml` and `uv run invented-script`;
also tests/never_written.py in prose.
"""


def test_the_check_catches_invented_commands_and_paths(repo_of: Callable[[str], Repo]) -> None:
    repo = repo_of("default")
    problems = check_markdown(INVENTED.format(package=repo.package), repo)
    for culprit in [
        "frobnicate",
        ".nowhere",
        "tests/test_nothing_here.py",
        "'qa'",
        "no_such_job",
        "'make'",
        "imaginary.py",
        "evaluation/missing.yaml",
        "invented-script",
        "continued-script",
        "tests/never_written.py",
    ]:
        assert [problem for problem in problems if culprit in problem], culprit
    tree = "\n## Layout\n\n```text\nsrc/\n  nothing/\n    here.py\n```\n"
    assert check_layout(tree, repo) == [
        "Layout: src/nothing/ does not exist",
        "Layout: src/nothing/here.py does not exist",
    ]
