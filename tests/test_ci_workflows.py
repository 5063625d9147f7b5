"""The rendered CI/CD files: valid, pinned, least-privilege, deploying what the bundle defines.

check-jsonschema validates them against its vendored GitHub Actions and Azure Pipelines
schemas and zizmor audits the GitHub workflows, both offline. Each check also runs on a
deliberately broken copy of a rendered file, so a check that cannot fail would be caught.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sysconfig
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers import questions
from variants import VARIANTS

RenderedVariant = Callable[[str], Path]


def answer(variant: str, question: str) -> Any:
    return VARIANTS[variant].get(question, questions()[question].get("default"))


GITHUB = [name for name in VARIANTS if answer(name, "ci_provider") == "github"]
AZURE = [name for name in VARIANTS if answer(name, "ci_provider") == "azure_devops"]
NO_CI = [name for name in VARIANTS if answer(name, "ci_provider") == "none"]
# What each deploy runs after `bundle deploy`, in order: jobs and apps of resources/*.yml.
BUNDLE_RUNS = {
    "model_serving": ["deploy_agent"],
    "databricks_apps": ["evaluation", "agent_app"],
}
TARGETS = ["staging", "prod"]
PINNED_USES = re.compile(r"^\s*(?:- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")
UNSAFE_STEP = """\
      - name: Greet
        run: echo "${{ github.event.pull_request.title }}"
"""


def tool(name: str) -> str:
    """The executable of a test requirement: next to this Python, else on PATH."""
    found = shutil.which(name, path=sysconfig.get_path("scripts")) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: run the tests with `nox -s tests` (see noxfile.py)")
    return found


def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True, check=False)


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    """Validate against a vendored schema: no download, whatever the network."""
    options = ["--builtin-schema", f"vendor.{schema}"]
    if schema == "azure-pipelines":
        # Expands ${{ }} template expressions; the schema's patterns need the non-unicode dialect.
        options += ["--data-transform", "azure-pipelines", "--regex-variant", "nonunicode"]
    return run(tool("check-jsonschema"), *options, *files)


def zizmor(root: Path) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """Audit every workflow under `root` offline, with no config file; return the findings."""
    done = run(tool("zizmor"), "--offline", "--no-config", "--format", "json", "--strict-collection", root)
    assert done.stdout.strip(), f"zizmor printed no report:\n{done.stderr}"
    return done, json.loads(done.stdout)


def load(path: Path) -> Any:
    """A YAML file, with `on:` kept as a key (YAML 1.1 would read it as true)."""
    text = re.sub(r"^on:", '"on":', path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return yaml.safe_load(text)


def workflows(root: Path) -> dict[str, Any]:
    return {path.name: load(path) for path in sorted((root / ".github" / "workflows").glob("*.yml"))}


def deploy_jobs(root: Path) -> dict[str, dict[str, Any]]:
    """The deploy jobs of a render, by target (their environment's name)."""
    if (root / ".github").exists():
        jobs = load(root / ".github" / "workflows" / "deploy.yml")["jobs"].values()
    else:
        pipeline = load(root / "azure-pipelines.yml")
        jobs = [job for stage in pipeline["stages"] for job in stage["jobs"] if "deployment" in job]
    return {job["environment"]: job for job in jobs if "environment" in job}


def strings(node: Any) -> Iterator[str]:
    """Every string inside a parsed YAML node, in document order."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def bundle_commands(job: dict[str, Any]) -> list[str]:
    """The `databricks bundle ...` commands a job runs, in order, without `databricks bundle`."""
    lines = (line.strip() for text in strings(job) for line in text.splitlines())
    return [
        line.removeprefix("databricks bundle ") for line in lines if line.startswith("databricks bundle ")
    ]


def bundle_resources(root: Path) -> dict[str, set[str]]:
    """The jobs and apps that the render's bundle defines (resources/*.yml)."""
    found: dict[str, set[str]] = {"jobs": set(), "apps": set()}
    for path in sorted((root / "resources").glob("*.yml")):
        resources = (load(path) or {}).get("resources", {})
        for kind, names in found.items():
            names.update(resources.get(kind) or {})
    return found


# --- GitHub Actions -------------------------------------------------------------------


@pytest.mark.parametrize("variant", GITHUB)
def test_github_workflows_match_the_schema(variant: str, rendered_variant: RenderedVariant) -> None:
    files = sorted((rendered_variant(variant) / ".github" / "workflows").glob("*.yml"))
    assert [path.name for path in files] == ["ci.yml", "deploy.yml"]
    done = check_jsonschema("github-workflows", *files)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("variant", GITHUB)
def test_github_workflows_pass_zizmor(variant: str, rendered_variant: RenderedVariant) -> None:
    done, findings = zizmor(rendered_variant(variant))
    assert findings == [], json.dumps(findings, indent=2)[:4000]
    assert done.returncode == 0, done.stderr


def test_the_checks_fail_a_broken_workflow(rendered_variant: RenderedVariant, tmp_path: Path) -> None:
    """An unpinned action and a PR title in a script fail zizmor; a misspelt key fails the schema."""
    ci = (rendered_variant(GITHUB[0]) / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    pinned = re.search(r"actions/checkout@\S+ # \S+", ci)
    assert pinned is not None
    unsafe = tmp_path / "unsafe" / ".github" / "workflows" / "ci.yml"
    unsafe.parent.mkdir(parents=True)
    unsafe.write_text(ci.replace(pinned.group(), "actions/checkout@v4") + UNSAFE_STEP, encoding="utf-8")
    done, findings = zizmor(tmp_path / "unsafe")
    assert done.returncode != 0
    assert {"unpinned-uses", "template-injection"} <= {finding["ident"] for finding in findings}

    misspelt = tmp_path / "misspelt.yml"
    misspelt.write_text(ci.replace("runs-on:", "runs_on:"), encoding="utf-8")
    assert check_jsonschema("github-workflows", misspelt).returncode != 0


@pytest.mark.parametrize("variant", GITHUB)
def test_actions_are_pinned_to_commit_shas(variant: str, rendered_variant: RenderedVariant) -> None:
    for path in sorted((rendered_variant(variant) / ".github" / "workflows").glob("*.yml")):
        uses = [line for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line]
        assert uses, path.name
        for line in uses:
            assert PINNED_USES.match(line), (
                f"{path.name}: pin to a full commit SHA, with a # vX comment: {line}"
            )


@pytest.mark.parametrize("variant", GITHUB)
def test_github_permissions_are_least_privilege(variant: str, rendered_variant: RenderedVariant) -> None:
    """Read-only or nothing at the top; `id-token: write` only on the deploy jobs."""
    for name, workflow in workflows(rendered_variant(variant)).items():
        assert workflow["permissions"] in ({}, {"contents": "read"}), name
        for job_id, job in workflow["jobs"].items():
            permissions = job.get("permissions", {})
            writes = {scope for scope, level in permissions.items() if level != "read"}
            if name == "deploy.yml":
                assert job["environment"] in TARGETS, job_id
                assert permissions == {"contents": "read", "id-token": "write"}, job_id
            else:
                assert not writes, f"{name}: {job_id} may write {sorted(writes)}"


@pytest.mark.parametrize("variant", GITHUB)
def test_github_deploy_triggers(variant: str, rendered_variant: RenderedVariant) -> None:
    """Pushes to main deploy staging; a published release or a manual run deploys prod."""
    deploy = workflows(rendered_variant(variant))["deploy.yml"]
    assert deploy["on"] == {
        "push": {"branches": ["main"]},
        "release": {"types": ["published"]},
        "workflow_dispatch": None,
    }
    conditions = {job["environment"]: job["if"] for job in deploy["jobs"].values()}
    assert conditions == {"staging": "github.event_name == 'push'", "prod": "github.event_name != 'push'"}


@pytest.mark.parametrize("variant", GITHUB)
def test_github_deploys_authenticate_with_oidc(variant: str, rendered_variant: RenderedVariant) -> None:
    for target, job in deploy_jobs(rendered_variant(variant)).items():
        env = job["env"]
        assert env["DATABRICKS_AUTH_TYPE"] == "github-oidc", target
        assert env["DATABRICKS_HOST"] == "${{ vars.DATABRICKS_HOST }}", target
        assert env["DATABRICKS_CLIENT_ID"] == env["BUNDLE_VAR_service_principal"], target
        assert job["concurrency"] == {"group": f"deploy-{target}", "cancel-in-progress": False}
        setup_uv = next(step for step in job["steps"] if step.get("uses", "").startswith("astral-sh/"))
        assert setup_uv["with"]["enable-cache"] is False, "a deploy must not restore a cache"
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), "pass expressions through env:, not into scripts"


# --- Azure Pipelines ------------------------------------------------------------------


@pytest.mark.parametrize("variant", AZURE)
def test_azure_pipeline_matches_the_schema(variant: str, rendered_variant: RenderedVariant) -> None:
    done = check_jsonschema("azure-pipelines", rendered_variant(variant) / "azure-pipelines.yml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_fails_a_broken_pipeline(rendered_variant: RenderedVariant, tmp_path: Path) -> None:
    pipeline = (rendered_variant(AZURE[0]) / "azure-pipelines.yml").read_text(encoding="utf-8")
    assert "scriptType: bash" in pipeline
    broken = tmp_path / "azure-pipelines.yml"
    broken.write_text(pipeline.replace("scriptType: bash", "scriptType: zsh"), encoding="utf-8")
    assert check_jsonschema("azure-pipelines", broken).returncode != 0


@pytest.mark.parametrize("variant", AZURE)
def test_azure_deploys_are_gated_deployment_jobs(variant: str, rendered_variant: RenderedVariant) -> None:
    """Each target deploys after Test, in a deployment job (its environment's approvals
    apply), through an Azure CLI service connection."""
    pipeline = load(rendered_variant(variant) / "azure-pipelines.yml")
    stages = {stage["stage"]: stage for stage in pipeline["stages"]}
    assert list(stages) == ["Test", "Staging", "Prod"]
    assert "eq(variables['Build.SourceBranch'], 'refs/heads/main')" in stages["Staging"]["condition"]
    assert "startsWith(variables['Build.SourceBranch'], 'refs/tags/v')" in stages["Prod"]["condition"]
    for target, job in deploy_jobs(rendered_variant(variant)).items():
        stage = stages[target.capitalize()]
        assert stage["dependsOn"] == "Test"
        assert stage["variables"] == [{"group": f"databricks-{target}"}]
        steps = job["strategy"]["runOnce"]["deploy"]["steps"]
        (task,) = [step for step in steps if step.get("task") == "AzureCLI@2"]
        assert task["inputs"]["azureSubscription"] == f"databricks-{target}"
        assert task["env"]["DATABRICKS_AUTH_TYPE"] == "azure-cli"
        assert task["env"]["BUNDLE_VAR_service_principal"] == "$(SERVICE_PRINCIPAL_CLIENT_ID)"


# --- Both -----------------------------------------------------------------------------


@pytest.mark.parametrize("variant", GITHUB + AZURE)
def test_deploys_run_what_the_bundle_defines(variant: str, rendered_variant: RenderedVariant) -> None:
    """Per target: validate, deploy, then run exactly this deployment target's bundle
    jobs and apps, each of which the rendered resources/*.yml defines."""
    root = rendered_variant(variant)
    runs = BUNDLE_RUNS[answer(variant, "deployment_target")]
    resources = bundle_resources(root)
    for name in runs:
        assert name in resources["jobs"] | resources["apps"], f"no job or app {name!r} in resources/"
    jobs = deploy_jobs(root)
    assert sorted(jobs) == sorted(TARGETS)
    for target, job in jobs.items():
        expected = [f"validate -t {target}", f"deploy -t {target}"]
        expected += [f"run {name} -t {target}" for name in runs]
        assert bundle_commands(job) == expected, target


@pytest.mark.parametrize("variant", GITHUB + AZURE)
def test_one_uv_version_everywhere(variant: str, rendered_variant: RenderedVariant) -> None:
    """uv is pinned, to the same version in every workflow and job."""
    root = rendered_variant(variant)
    pins = []
    for workflow in workflows(root).values():
        for job in workflow["jobs"].values():
            steps = [step for step in job["steps"] if step.get("uses", "").startswith("astral-sh/setup-uv@")]
            pins += [step["with"]["version"] for step in steps]
    if (root / "azure-pipelines.yml").exists():
        pins += re.findall(
            r"pip install uv==(\S+)", (root / "azure-pipelines.yml").read_text(encoding="utf-8")
        )
    assert len(pins) >= 2, "expected uv installs in the test and deploy jobs"
    assert len(set(pins)) == 1, f"uv pinned to several versions: {sorted(set(pins))}"
    assert re.fullmatch(r"\d+\.\d+\.\d+", pins[0]), f"pin an exact uv version, not {pins[0]!r}"


# --- Locked installs ------------------------------------------------------------------


def ci_steps(root: Path) -> list[tuple[str, str]]:
    """The test job's steps as (name, script), in order: GitHub's ci.yml or Azure's Test stage."""
    if (root / ".github").exists():
        steps = workflows(root)["ci.yml"]["jobs"]["test"]["steps"]
        return [(step.get("name", ""), step.get("run", "")) for step in steps]
    (test_stage, *_) = load(root / "azure-pipelines.yml")["stages"]
    steps = [step for job in test_stage["jobs"] for step in job["steps"]]
    return [(step.get("displayName", ""), step.get("script", "")) for step in steps]


@pytest.mark.parametrize("variant", GITHUB + AZURE)
def test_ci_installs_exactly_the_locked_versions(variant: str, rendered_variant: RenderedVariant) -> None:
    """`uv sync --locked` everywhere CI installs, after a step that checks uv.lock is there."""
    root = rendered_variant(variant)
    ci_files = [*(root / ".github" / "workflows").glob("*.yml"), *root.glob("azure-pipelines.yml")]
    syncs = [
        line.strip()
        for path in ci_files
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r"\buv sync\b", line) and "'uv sync --locked'" not in line
    ]
    assert syncs, "no uv sync in CI"
    assert all("--locked" in line.split() for line in syncs), syncs
    names = [name for name, _ in ci_steps(root)]
    assert names.index("Check that uv.lock is committed") < names.index("Install")


@pytest.mark.parametrize("variant", GITHUB[:1] + AZURE[:1])
def test_a_missing_uv_lock_fails_ci_with_the_fix(
    variant: str, rendered_variant: RenderedVariant, tmp_path: Path
) -> None:
    """The check step, run by bash as the CI runs it: no uv.lock fails with what to do."""
    (script,) = [
        run for name, run in ci_steps(rendered_variant(variant)) if name.startswith("Check that uv.lock")
    ]
    (tmp_path / "check.sh").write_text(script, encoding="utf-8")
    shell = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "check.sh"]
    done = subprocess.run(shell, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    prefix = "::error " if variant in GITHUB else "##vso[task.logissue type=error]"
    assert done.stdout.startswith(prefix), done.stdout
    assert "uv.lock is missing" in done.stdout and "commit uv.lock" in done.stdout

    (tmp_path / "uv.lock").write_text("version = 1\n", encoding="utf-8")
    done = subprocess.run(shell, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (0, "")


# --- Template drift -------------------------------------------------------------------

CHECK_UPDATE = "--from copier==9.19.1 copier check-update --output-format json"
UPDATE_COMMAND = "uvx copier update --trust"
# A stand-in for uvx: records its arguments, prints $UVX_OUT, exits with $UVX_STATUS.
STUB_UVX = """#!/bin/sh
printf '%s' "$*" > "$UVX_ARGS"
printf '%s' "$UVX_OUT"
exit "$UVX_STATUS"
"""
# What `copier check-update` (or its absence) may do -> (its output, exit status, the
# warning the step must emit: None for none).
DRIFT_CASES = {
    "update available": (
        '{"update_available": true, "current_version": "0.1.0", "latest_version": "0.4.0"}\n',
        0,
        "this repo is at template version 0.1.0, the latest is 0.4.0",
    ),
    "up to date": (
        '{"update_available": false, "current_version": "0.4.0", "latest_version": "0.4.0"}\n',
        0,
        None,
    ),
    "unreachable _src_path": ("Checking is only supported in git-tracked templates.\n", 1, "Could not check"),
    "no answers file": (
        "Cannot check because cannot obtain old template references from `.copier-answers.yml`.\n",
        1,
        "Could not check",
    ),
    "no uvx": ("uvx: command not found\n", 127, "Could not check"),
    "unexpected output": ("Project is up-to-date!\n", 0, "Could not read"),
    # Output that would be workflow or logging commands if printed as is.
    "commands in the output": (
        "::error::boom\n##vso[task.complete result=Failed]x\n##[error]y\n  ::set-env name=A::b\n",
        1,
        "Could not check",
    ),
}


def drift_step(root: Path) -> tuple[dict[str, Any], str]:
    """The CI step that checks for template updates, and its script."""
    if (root / ".github").exists():
        steps = workflows(root)["ci.yml"]["jobs"]["template-drift"]["steps"]
        key = "run"
    else:
        (test_stage, *_) = load(root / "azure-pipelines.yml")["stages"]
        steps = [step for job in test_stage["jobs"] for step in job["steps"]]
        key = "script"
    (step,) = [step for step in steps if "check-update" in step.get(key, "")]
    return step, step[key]


def is_command(line: str, github: bool) -> bool:
    """Would the CI runner read this output line as a command?"""
    if github:  # `::name::` after leading spaces; the legacy `##[name]` anywhere
        return line.lstrip(" ").startswith("::") or "##[" in line
    return "##vso[" in line or "##[" in line


@pytest.mark.parametrize("variant", GITHUB + AZURE)
def test_template_drift_cannot_fail_the_build(variant: str, rendered_variant: RenderedVariant) -> None:
    root = rendered_variant(variant)
    step, script = drift_step(root)
    assert CHECK_UPDATE.replace("copier==9.19.1", "'copier==9.19.1'") in script
    assert script.rstrip().endswith("exit 0")
    if variant in GITHUB:
        job = workflows(root)["ci.yml"]["jobs"]["template-drift"]
        assert job["continue-on-error"] is True
        assert "permissions" not in job, "the workflow's read-only default is enough"
        checkout, setup_uv, _ = job["steps"]
        assert checkout["with"]["persist-credentials"] is False
        assert setup_uv["with"]["enable-cache"] is False, "the test job owns the uv cache"
        assert "${{" not in script
    else:
        assert step["continueOnError"] in (True, "true")
        assert step["condition"] == "succeededOrFailed()"
        # $(name) is an Azure macro, replaced before bash runs when such a variable exists.
        assert not re.search(r"\$\([\w.]+\)", script), "no $(name) in an Azure script"


@pytest.mark.parametrize("case", DRIFT_CASES)
@pytest.mark.parametrize("variant", GITHUB[:1] + AZURE[:1])
def test_template_drift_warns_and_exits_0(
    variant: str, case: str, rendered_variant: RenderedVariant, tmp_path: Path
) -> None:
    """The step's script, run by bash as the CI runs it, against a stub uvx."""
    github = variant in GITHUB
    _, script = drift_step(rendered_variant(variant))
    (tmp_path / "script.sh").write_text(script, encoding="utf-8")
    stub = tmp_path / "bin" / "uvx"
    stub.parent.mkdir()
    stub.write_text(STUB_UVX, encoding="utf-8")
    stub.chmod(0o755)
    out, status, warning = DRIFT_CASES[case]
    env = {
        "PATH": f"{stub.parent}:/usr/bin:/bin",
        "UVX_ARGS": str(tmp_path / "args"),
        "UVX_OUT": out,
        "UVX_STATUS": str(status),
    }
    shell = ["bash", "--noprofile", "--norc"] + (["-eo", "pipefail"] if github else [])
    done = subprocess.run(
        [*shell, "script.sh"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "args").read_text(encoding="utf-8") == CHECK_UPDATE
    commands = [line for line in done.stdout.splitlines() if is_command(line, github)]
    prefix = "::warning title=Template drift::" if github else "##vso[task.logissue type=warning]"
    if warning is None:
        assert commands == [], done.stdout
        assert "Up to date with the template." in done.stdout
    else:
        (command,) = commands
        assert command.startswith(prefix), command
        assert warning in command
        if case == "update available":
            assert UPDATE_COMMAND in command
    # Copier's output is in the log, each line of it.
    assert all(f"  | {line}".replace("##", "# #") in done.stdout for line in out.splitlines())


@pytest.mark.parametrize("variant", NO_CI)
def test_no_ci_files_without_a_ci_provider(variant: str, rendered_variant: RenderedVariant) -> None:
    root = rendered_variant(variant)
    assert not (root / ".github").exists()
    assert not list(root.glob("azure-pipelines*"))


def test_every_ci_provider_has_a_variant() -> None:
    assert GITHUB and AZURE and NO_CI
