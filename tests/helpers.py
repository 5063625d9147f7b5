"""Render the template the way a user would, from the working tree, in-process.

One render function for the pytest suite and for the nox `render`/`smoke` sessions
(`python tests/helpers.py <variant> <destination>`), so they cannot drift apart.
In-process `copier.run_copy` costs ~0.3 s a render; the copier CLI costs ~1.5 s.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import copier
import yaml
from copier.errors import DirtyLocalWarning
from plumbum import local

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
COPIER_YML = TEMPLATE_ROOT / "copier.yml"

# With vcs_ref="HEAD" and uncommitted changes, copier commits the working tree in a
# temporary clone; that commit id (stored as `_commit` in .copier-answers.yml) hashes
# the clock. Fixed dates make renders of a dirty tree as reproducible as renders of a
# clean one. Copier sets its own git author/committer names, so no git identity is needed.
_FIXED_GIT_DATES = {
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+0000",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+0000",
}


def render(
    destination: Path,
    answers: Mapping[str, Any],
    *,
    overwrite: bool = False,
    template: Path = TEMPLATE_ROOT,
    vcs_ref: str = "HEAD",
) -> Path:
    """Render the working tree (uncommitted changes included) into `destination`.

    `overwrite=True` renders over an existing repo, as a re-copy does. `template` and
    `vcs_ref` render another clone or a release tag instead.
    """
    with warnings.catch_warnings(), local.env(**_FIXED_GIT_DATES):
        warnings.simplefilter("ignore", DirtyLocalWarning)
        copier.run_copy(
            str(template),
            str(destination),
            data=dict(answers),
            defaults=True,
            vcs_ref=vcs_ref,
            quiet=True,
            unsafe=False,
            overwrite=overwrite,
        )
    return destination


def questions() -> dict[str, dict[str, Any]]:
    """The questions of copier.yml (keys not starting with `_`)."""
    config = yaml.safe_load(COPIER_YML.read_text(encoding="utf-8"))
    return {key: value for key, value in config.items() if not key.startswith("_")}


def choice_values(question: Mapping[str, Any]) -> list[Any]:
    """The values of a `choices` question: a mapping's values or a list's items."""
    choices = question["choices"]
    return list(choices.values()) if isinstance(choices, Mapping) else list(choices)


def user_owned_paths(package: str) -> list[str]:
    """The files a render gives the user (copier.yml `_skip_if_exists`), for this package."""
    patterns = yaml.safe_load(COPIER_YML.read_text(encoding="utf-8"))["_skip_if_exists"]
    return [pattern.replace("src/*/", f"src/{package}/") for pattern in patterns]


def rendered_files(root: Path) -> Iterator[Path]:
    """Every file below `root`, as paths relative to it, in a stable order."""
    return (path.relative_to(root) for path in sorted(root.rglob("*")) if path.is_file())


def _main(argv: list[str]) -> int:
    """`python tests/helpers.py <variant> <destination>`: used by the nox sessions."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from variants import VARIANTS

    if len(argv) != 2 or argv[0] not in VARIANTS:
        print(f"usage: helpers.py {{{','.join(VARIANTS)}}} DESTINATION", file=sys.stderr)
        return 2
    print(render(Path(argv[1]), VARIANTS[argv[0]]))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
