"""Answer keys and values are a public API: every released one still works, or a migration handles it.

`copier update` reads a repo's answers back and renders the new release with them. A key
the new copier.yml no longer asks, or a choice value it no longer offers, would be
dropped or refused: the release that changed it needs a migration. This test compares
each release's copier.yml (from git) with the working tree's.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import pytest
import yaml
from packaging.version import Version

from helpers import COPIER_YML, choice_values, questions
from releases import ROOT, git, releases

TAGGED = [release for release in releases() if release.commit]
# Released answers that a migration renames or re-values: "key" or "key: value" -> its script.
MIGRATED: dict[str, str] = {}


def released_questions(commit: str) -> dict[str, dict[str, Any]]:
    config = yaml.safe_load(git(ROOT, "show", f"{commit}:copier.yml"))
    return {key: value for key, value in config.items() if not key.startswith("_")}


def dropped_answers(released: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """Keys of `released` that `now` does not ask, and choice values it does not offer."""
    dropped = []
    for key, question in released.items():
        if question.get("when") is False:  # computed on each render, never stored: not an answer
            continue
        if key not in now:
            dropped.append(key)
        elif question.get("choices"):
            gone = set(choice_values(question)) - set(choice_values(now[key]))
            dropped += [f"{key}: {value}" for value in sorted(gone)]
    return dropped


@pytest.mark.parametrize("release", TAGGED, ids=[release.version for release in TAGGED])
def test_every_released_answer_is_still_accepted_or_migrated(release) -> None:
    migrations = yaml.safe_load(COPIER_YML.read_text(encoding="utf-8")).get("_migrations", [])
    later = [m for m in migrations if Version(str(m["version"])) > Version(release.version)]
    later_scripts = {part for migration in later for part in migration["command"]}
    for answer in dropped_answers(released_questions(release.commit), questions()):
        assert answer in MIGRATED, f"{release.version}'s answer {answer!r} is gone: it needs a migration"
        assert any(MIGRATED[answer] in part for part in later_scripts), (
            f"{answer!r}: {MIGRATED[answer]} is not a migration that runs on updates from {release.version}"
        )


def test_a_renamed_key_or_a_removed_choice_value_is_caught() -> None:
    now = copy.deepcopy(questions())
    now["ci"] = now.pop("ci_provider")
    now["deployment_target"]["choices"] = {"Model Serving": "model_serving"}
    released = released_questions(TAGGED[0].commit)

    assert dropped_answers(released, now) == ["deployment_target: databricks_apps", "ci_provider"]


def test_computed_values_are_not_stored_answers(rendered_variant) -> None:
    """copier.yml's `when: false` questions (the validators' shared patterns) are computed on
    each render and never written to .copier-answers.yml, so they are no public answer key."""
    root = rendered_variant("default")
    answers = yaml.safe_load((root / ".copier-answers.yml").read_text(encoding="utf-8"))
    computed = {key for key, question in questions().items() if question.get("when") is False}
    assert computed, "expected the validators' shared patterns"
    assert computed.isdisjoint(answers)
    assert {key for key in answers if not key.startswith("_")} <= set(questions()) - computed
