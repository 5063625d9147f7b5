"""Template 0.5.0: move the system prompt from agent_config.yaml to prompts/system.md.

Copier runs this before an update that crosses 0.5.0, in the root of the repo being
updated: `python v0_5_0_system_prompt_file.py .copier-answers.yml` (the package name
comes from the answers file: answers are not yet in copier's context at this stage). Releases before 0.5.0
kept the prompt under `system_prompt:` in `src/<package>/agent_config.yaml`, a file the
template owns; 0.5.0 reads it from `src/<package>/prompts/system.md`, a file the user
owns. Without this step an edited prompt would meet the template's deletion of that
block as a merge conflict, and an agent still carrying the key refuses to start.

What it does, and nothing more:
- writes the current `system_prompt` value, word for word, to prompts/system.md;
- replaces the `system_prompt:` key and its indented lines in agent_config.yaml with
  the one-line comment 0.5.0 renders there, leaving every other line as it was;
- stages both files, so that copier's merge sees the move as the repo's own change.

It is idempotent: with no `system_prompt` key, or with prompts/system.md already there,
it changes nothing. When it cannot remove the key exactly (the YAML would change in any
other way), it changes nothing and exits 1, which stops the update before any file is
touched. Standard library and PyYAML only (copier itself depends on PyYAML).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

KEY = "system_prompt"
TAG = "[template 0.5.0 migration]"
POINTER = "# The system prompt is in prompts/system.md next to this file (yours: updates never touch it).\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(f"usage: {Path(__file__).name} <answers-file>", file=sys.stderr)
        return 2
    answers = yaml.safe_load(Path(argv[0]).read_text(encoding="utf-8"))
    if not isinstance(answers, dict) or not isinstance(answers.get("package_name"), str):
        return fail(f"{argv[0]} has no package_name answer: is this a repo made from the template?")
    package = Path("src") / answers["package_name"]
    config_path = package / "agent_config.yaml"
    prompt_path = package / "prompts" / "system.md"
    if not config_path.is_file():
        say(f"{config_path} not found: no system prompt to move.")
        return 0
    text = config_path.read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    if not isinstance(config, dict) or KEY not in config:
        say(f"{config_path} has no `{KEY}`: nothing to move.")
        return 0
    if prompt_path.exists():
        say(
            f"{prompt_path} already exists, and {config_path} still has `{KEY}`: left both as they are. "
            f"The agent reads only {prompt_path}; delete `{KEY}` from {config_path} once its text is there."
        )
        return 0
    prompt = config[KEY]
    if not isinstance(prompt, str) or not prompt.strip():
        return fail(f"`{KEY}` in {config_path} is not text; move it to {prompt_path} by hand.")
    remaining = without_key(text)
    expected = {key: value for key, value in config.items() if key != KEY}
    if remaining is None or yaml.safe_load(remaining) != expected:
        return fail(
            f"could not remove `{KEY}` from {config_path} without changing anything else; "
            f"move its text to {prompt_path} and delete the key by hand, commit, and update again."
        )
    prompt_path.parent.mkdir(parents=True, exist_ok=True)
    prompt_path.write_text(prompt if prompt.endswith("\n") else prompt + "\n", encoding="utf-8")
    config_path.write_text(remaining, encoding="utf-8")
    say(f"moved `{KEY}` from {config_path} to {prompt_path}, word for word.")
    stage(config_path, prompt_path)
    return 0


def without_key(text: str) -> str | None:
    """`text` with the top-level `system_prompt:` key and its indented lines replaced by `POINTER`.

    Blank lines inside the value go with it. `POINTER` is the line 0.5.0 renders in the
    key's place, so this file then reads as 0.5.0 renders it there and merges cleanly
    with it, even next to a value the user changed. None when the key is not a single
    plain top-level line.
    """
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith(f"{KEY}:")]
    if len(starts) != 1:
        return None
    end = starts[0] + 1
    for index in range(end, len(lines)):
        if lines[index].strip() and not lines[index][0].isspace():
            break  # the next top-level key or comment
        if lines[index].strip():
            end = index + 1
    return "".join([*lines[: starts[0]], POINTER, *lines[end:]])


def stage(*paths: Path) -> None:
    done = subprocess.run(["git", "add", "--", *map(str, paths)], capture_output=True, text=True, check=False)
    if done.returncode == 0:
        say("staged both files (git add): `git diff --cached` shows the move.")
    else:
        cause = done.stderr.strip() or "git add failed"
        say(f"could not stage the move ({cause}); run `git add` on both files.")


def say(message: str) -> None:
    print(f"{TAG} {message}", flush=True)


def fail(message: str) -> int:
    print(f"{TAG} {message}", file=sys.stderr, flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
