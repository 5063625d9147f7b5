"""`copier update` from every release keeps the user's work: see update_scenario.py."""

from __future__ import annotations

import subprocess
from pathlib import Path

import copier
import pytest
import yaml
from copier.errors import UnsafeTemplateError
from packaging.version import Version

from helpers import COPIER_YML, user_owned_paths
from releases import EVALUATION_SINCE, ROOT, git, is_pep440, releases
from update_scenario import PROMPT_MOVED_IN, check_update, prepare, update
from variants import SALES, SUPPORT

RELEASES = releases()
OLDER = [release.version for release in RELEASES[1:]]
EDIT_KINDS = {
    "a README section",
    "a new module, with its test",
    "a changed config value",
    "a custom tool registered in the agent",
    "an edited system prompt",
}


def test_the_changelog_lists_pep440_releases_newest_first_each_tagged_at_a_commit_of_main() -> None:
    versions = [Version(release.version) for release in RELEASES]
    assert len(RELEASES) >= 2
    assert all(is_pep440(release.version) for release in RELEASES)
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(versions)
    assert RELEASES[0].commit is None, "only the newest release is untagged (the tip of main)"
    for release in RELEASES[1:]:
        assert release.commit, f"{release.version} names no tagged commit"
        ancestor = subprocess.run(["git", "merge-base", "--is-ancestor", release.commit, "HEAD"], cwd=ROOT)
        assert ancestor.returncode == 0, f"{release.version}: {release.commit} is not a commit of this branch"


def test_each_migration_names_a_release_and_a_script_in_hooks() -> None:
    migrations = yaml.safe_load(COPIER_YML.read_text(encoding="utf-8"))["_migrations"]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert migrations
    for migration in migrations:
        assert migration["version"] in {release.version for release in RELEASES}
        script = next(part for part in migration["command"] if part.endswith(".py"))
        relative = script.split("}}/", 1)[1]
        assert (ROOT / relative).is_file(), relative
        assert Path(relative).name in changelog, f"CHANGELOG.md does not mention {Path(relative).name}"


@pytest.mark.parametrize("old_version", OLDER)
def test_updating_from_a_release_keeps_every_user_edit(tmp_path: Path, old_version: str) -> None:
    scenario = prepare(tmp_path, old_version)
    kinds = {edit.kind for edit in scenario.edits}
    has_evaluation = Version(old_version) >= Version(EVALUATION_SINCE)
    expected_kinds = EDIT_KINDS | ({"extra eval rows"} if has_evaluation else set())
    assert kinds == expected_kinds, "the scenario made every edit this release allows"

    update(scenario)

    check_update(scenario, tmp_path)


def test_adding_a_genie_space_while_updating_across_the_migration(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    old_version = next(version for version in OLDER if Version(version) < PROMPT_MOVED_IN)
    scenario = prepare(tmp_path, old_version)
    capfd.readouterr()

    update(scenario, {"genie_spaces": [SALES, SUPPORT]})

    out = capfd.readouterr().out
    assert "[template 0.5.0 migration] moved `system_prompt`" in out
    check_update(scenario, tmp_path)
    _assert_the_space_is_everywhere(scenario.repo, scenario.package, SUPPORT["name"])


def test_adding_a_genie_space_to_a_current_repo(tmp_path: Path) -> None:
    scenario = prepare(tmp_path, RELEASES[0].version)
    assert {edit.name for edit in scenario.edits} >= {
        "a custom tool registered in the agent (tools/custom.py)",
        "an edited system prompt (prompts/system.md)",
        "extra eval rows",
    }

    update(scenario, {"genie_spaces": [SALES, SUPPORT]})

    check_update(scenario, tmp_path)
    _assert_the_space_is_everywhere(scenario.repo, scenario.package, SUPPORT["name"])


def test_with_conflict_rej_the_migrations_own_move_leaves_no_rej_file(tmp_path: Path) -> None:
    old_version = next(version for version in OLDER if Version(version) < PROMPT_MOVED_IN)
    scenario = prepare(tmp_path, old_version, edits=False)

    update(scenario, conflict="rej")

    check_update(scenario, tmp_path)


def test_a_user_owned_file_that_was_deleted_comes_back(tmp_path: Path) -> None:
    scenario = prepare(tmp_path, RELEASES[0].version)
    owned = user_owned_paths(scenario.package)
    git(scenario.repo, "rm", "--quiet", "--ignore-unmatch", *owned)
    (scenario.repo / ".env").unlink(missing_ok=True)  # never committed: .gitignore lists it
    git(scenario.repo, "commit", "--quiet", "-m", "Delete the files we own")

    update(scenario, {"llm_endpoint": "databricks-meta-llama-3-3-70b-instruct"})

    assert [path for path in owned if not (scenario.repo / path).is_file()] == []


def test_an_update_across_a_migration_needs_trust(tmp_path: Path) -> None:
    old_version = next(version for version in OLDER if Version(version) < PROMPT_MOVED_IN)
    scenario = prepare(tmp_path, old_version)

    with pytest.raises(UnsafeTemplateError, match="migrations"):
        copier.run_update(str(scenario.repo), defaults=True, overwrite=True, vcs_ref=scenario.new_version)
    assert not subprocess.run(["git", "status", "--porcelain"], cwd=scenario.repo, capture_output=True).stdout


def _assert_the_space_is_everywhere(repo: Path, package: str, name: str) -> None:
    """The new space has its tool config, bundle variable, template eval rows and docs."""
    config = yaml.safe_load((repo / "src" / package / "agent_config.yaml").read_text(encoding="utf-8"))
    assert name in [space["name"] for space in config["genie"]["spaces"]]
    bundle = yaml.safe_load((repo / "databricks.yml").read_text(encoding="utf-8"))
    assert f"genie_space_{name}" in bundle["variables"]
    rows = yaml.safe_load((repo / "evaluation" / "template_rows.yaml").read_text(encoding="utf-8"))
    assert any(name in (row["expectations"].get("expected_tools") or []) for row in rows)
    assert f"`{name}`" in (repo / "README.md").read_text(encoding="utf-8")
