"""Template 0.5.0: move the system prompt from agent_config.yaml to prompts/system.md.

Copier runs this before an update that crosses 0.5.0, in the root of the repo being
updated: `python v0_5_0_system_prompt_file.py .copier-answers.yml` (the package name
comes from the answers file: answers are not yet in copier's context at this stage).
Releases before 0.5.0 kept the prompt under `system_prompt:` in `src/<package>/agent_config.yaml`, a file the
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

Run again with `--after` once the update is done, it cleans up after `--conflict rej`:
git could not re-apply the staged move to a file that already has it, so it left the
move in `agent_config.yaml.rej`; those hunks go, any other rejected hunk stays.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

KEY = "system_prompt"
TAG = "[template 0.5.0 migration]"
POINTER = "# The system prompt is in prompts/system.md next to this file (yours: updates never touch it).\n"


def main(argv: list[str]) -> int:
    after = argv[:1] == ["--after"]
    argv = argv[1:] if after else argv
    if len(argv) != 1:
        print(f"usage: {Path(__file__).name} [--after] <answers-file>", file=sys.stderr)
        return 2
    answers = yaml.safe_load(Path(argv[0]).read_text(encoding="utf-8"))
    if not isinstance(answers, dict) or not isinstance(answers.get("package_name"), str):
        return fail(f"{argv[0]} has no package_name answer: is this a repo made from the template?")
    package = Path("src") / answers["package_name"]
    config_path = package / "agent_config.yaml"
    prompt_path = package / "prompts" / "system.md"
    if after:
        return drop_the_move_from_rejects(config_path)
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
    if "no access to company data" in prompt:
        say(f"this is the chat-only prompt: if this update adds Genie spaces, rewrite {prompt_path}.")
    stage(config_path, prompt_path)
    return 0


def without_key(text: str) -> str | None:
    """`text` with the top-level `system_prompt:` key and its indented lines replaced by `POINTER`.

    Blank lines inside the value go with it. `POINTER` is the line 0.5.0 renders in the
    key's place, so the region reads as 0.5.0 renders it and merges without a conflict,
    also beside a value the user changed a line or more away. An edit on the lines right
    next to the key (a comment just above it, a key of the user's just below it) can
    still conflict: the conflict then shows both sides. None when the key is not a
    single plain top-level line.
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


def drop_the_move_from_rejects(config_path: Path) -> int:
    """After the update: with `--conflict rej`, git could not re-apply the move this script
    staged (0.5.0 renders the same change), so `agent_config.yaml.rej` holds it. Remove
    those hunks, which are already in the file, and keep any other rejected hunk."""
    rejects = config_path.with_name(config_path.name + ".rej")
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) if config_path.is_file() else None
    if not rejects.is_file() or not isinstance(config, dict) or KEY in config:
        return 0
    header, *hunks = re.split(r"(?m)^(?=@@ )", rejects.read_text(encoding="utf-8"))
    kept = [hunk for hunk in hunks if not is_the_move(hunk)]
    if len(kept) == len(hunks):
        return 0
    if kept:
        rejects.write_text(header + "".join(kept), encoding="utf-8")
        say(f"removed the prompt move, already made, from {rejects}; the rest of it is yours to apply.")
    else:
        rejects.unlink()
        say(f"deleted {rejects}: it held only the prompt move, already made.")
    return 0


def is_the_move(hunk: str) -> bool:
    """A rejected hunk that only replaces the `system_prompt` block with `POINTER`."""
    lines = hunk.splitlines()[1:]
    removed = [line[1:] for line in lines if line.startswith("-")]
    added = [line[1:] for line in lines if line.startswith("+")]
    return (
        bool(removed)
        and removed[0].startswith(f"{KEY}:")
        and all(not line.strip() or line[0].isspace() for line in removed[1:])
        and added == [POINTER.rstrip("\n")]
    )


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
