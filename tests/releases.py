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
HEADING = re.compile(r"^## (?P<version>\S+) \((?P<when>unreleased|\d{4}-\d{2}-\d{2})\)$")
TAGGED = re.compile(r"^Tagged commit: (?P<commit>[0-9a-f]{7,40})$")
GIT_IDENTITY = ["-c", "user.name=Template Tests", "-c", "user.email=template-tests@example.com"]


@dataclasses.dataclass(frozen=True)
class Release:
    version: str
    commit: str | None  # None: the newest release, not tagged yet (the working tree)


def releases(changelog: Path = CHANGELOG) -> list[Release]:
    """Every release in CHANGELOG.md, newest first."""
    found: list[Release] = []
    version: str | None = None
    for line in changelog.read_text(encoding="utf-8").splitlines():
        if heading := HEADING.match(line):
            if version is not None:
                found.append(Release(version, None))
            version = heading["version"]
        elif (tagged := TAGGED.match(line)) and version is not None:
            found.append(Release(version, tagged["commit"]))
            version = None
    if version is not None:
        found.append(Release(version, None))
    return found


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *GIT_IDENTITY, *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"git {' '.join(args)} failed in {cwd}:\n{done.stderr}")
    return done.stdout.strip()


def tagged_clone(destination: Path, source: Path = ROOT) -> dict[str, str]:
    """Clone `source` into `destination` and tag every release; returns version -> commit."""
    git(source.parent, "clone", "--quiet", "--no-hardlinks", str(source), str(destination))
    for tag in git(destination, "tag", "--list").split():
        git(destination, "tag", "--delete", tag)
    _commit_working_tree(source, destination)
    tags = {}
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
        tags[release.version] = git(destination, "rev-parse", f"{release.version}^{{commit}}")
    return tags


def _commit_working_tree(source: Path, clone: Path) -> None:
    """Make the clone's HEAD match the source's working tree (tracked and untracked, not ignored)."""
    wanted = set(git(source, "ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0")) - {
        ""
    }
    wanted = {name for name in wanted if (source / name).is_file()}  # deleted but not yet staged
    for name in set(git(clone, "ls-files", "-z").split("\0")) - {""} - wanted:
        (clone / name).unlink()
    for name in wanted:
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, clone / name)
    git(clone, "add", "--all")
    if git(clone, "status", "--porcelain"):
        git(clone, "commit", "--quiet", "--no-verify", "-m", "working tree under test")


def newest() -> Release:
    return releases()[0]


def is_pep440(version: str) -> bool:
    return str(Version(version)) == version
