"""Template releases, read from CHANGELOG.md, rebuilt as git tags in a throwaway clone.

Tags do not always travel with a clone of this repository (CI clones, forks, a
`git clone` without `--tags` from some hosts), so the update tests never rely on
them: `tagged_clone` clones the repo, drops whatever tags came along, and tags each
release at the commit CHANGELOG.md names, and the newest release at the working tree
(committed in the clone when it differs from HEAD, so uncommitted work is what gets
tested).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
CHANGELOG = ROOT / "CHANGELOG.md"
HEADING = re.compile(r"^## (?P<version>\S+) \((?P<when>unreleased|\d{4}-\d{2}-\d{2})\)$", re.MULTILINE)
TAGGED = re.compile(r"^Tagged commit: (?P<commit>[0-9a-f]{7,40})$", re.MULTILINE)
EVALUATION_SINCE = "0.3.0"  # the first release whose repos have an evaluation dataset
GIT_IDENTITY = ["-c", "user.name=Template Tests", "-c", "user.email=template-tests@example.com"]


@dataclasses.dataclass(frozen=True)
class Release:
    version: str
    commit: str | None  # None: the newest release, not tagged yet (the working tree)


def releases(changelog: Path = CHANGELOG) -> list[Release]:
    """Every release in CHANGELOG.md, newest first, with the commit its entry names."""
    text = changelog.read_text(encoding="utf-8")
    headings = list(HEADING.finditer(text))
    found = []
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        entry = text[heading.end() : following.start() if following else len(text)]
        tagged = TAGGED.search(entry)
        found.append(Release(heading["version"], tagged["commit"] if tagged else None))
    return found


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *GIT_IDENTITY, *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"git {' '.join(args)} failed in {cwd}:\n{done.stderr}")
    return done.stdout.strip()


def tagged_clone(destination: Path, source: Path = ROOT) -> None:
    """Clone `source` into `destination` and tag every release."""
    git(source.parent, "clone", "--quiet", "--no-hardlinks", str(source), str(destination))
    for tag in git(destination, "tag", "--list").split():
        git(destination, "tag", "--delete", tag)
    _commit_working_tree(source, destination)
    for release in releases():
        commit = release.commit or "HEAD"
        try:
            git(destination, "cat-file", "-e", f"{commit}^{{commit}}")
        except RuntimeError:
            raise RuntimeError(
                f"release {release.version}: commit {commit} is not in this clone; "
                "a shallow clone? Run `git fetch --unshallow` and try again."
            ) from None
        git(destination, "tag", release.version, commit)


def _commit_working_tree(source: Path, clone: Path) -> None:
    """Make the clone's HEAD match the source's working tree (tracked and untracked, not ignored)."""
    listed = _ls_files(source, "--cached", "--others", "--exclude-standard")
    wanted = {name for name in listed if (source / name).is_file()}  # not those deleted but not yet staged
    for name in _ls_files(clone) - wanted:
        (clone / name).unlink()
    for name in wanted:
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, clone / name)
    git(clone, "add", "--all")
    if git(clone, "status", "--porcelain"):
        git(clone, "commit", "--quiet", "--no-verify", "-m", "working tree under test")


def _ls_files(repo: Path, *options: str) -> set[str]:
    return set(git(repo, "ls-files", "-z", *options).split("\0")) - {""}


def newest() -> Release:
    return releases()[0]


def is_pep440(version: str) -> bool:
    return str(Version(version)) == version
