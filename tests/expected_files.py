"""Which files a render must contain, as data: edit this when the template gains a file.

`EXPECTED_FILES["always"]` lists the files every render has. Every other key is a
question of copier.yml; under it, each possible answer maps to the files that answer
adds. `genie_spaces` is keyed by "empty" / "non-empty" (any list answer is). `{package}`
stands for the package_name answer. A render must hold exactly the union of "always"
and the sets its answers select: a missing file and a surprise file both fail.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

EXPECTED_FILES: dict[str, Any] = {
    "always": {
        ".copier-answers.yml",
        ".env",
        ".gitignore",
        ".pre-commit-config.yaml",
        ".vscode/extensions.json",
        ".vscode/launch.json",
        ".vscode/settings.json",
        ".vscode/tests.env",
        "AGENTS.md",
        "CLAUDE.md",
        "docs/chat-page.png",
        ".python-version",
        "README.md",
        "databricks.yml",
        "evaluation/config.yaml",
        "evaluation/dataset.yaml",
        "evaluation/template_rows.yaml",
        "pyproject.toml",
        "resources/evaluation.yml",
        "src/{package}/__init__.py",
        "src/{package}/agent.py",
        "src/{package}/agent_config.yaml",
        "src/{package}/deployment/__init__.py",
        "src/{package}/deployment/preflight.py",
        "src/{package}/errors.py",
        "src/{package}/evaluation/__init__.py",
        "src/{package}/evaluation/__main__.py",
        "src/{package}/evaluation/dataset.py",
        "src/{package}/evaluation/gate.py",
        "src/{package}/evaluation/harvest.py",
        "src/{package}/evaluation/judges.py",
        "src/{package}/evaluation/monitoring.py",
        "src/{package}/evaluation/run.py",
        "src/{package}/evaluation/scorers.py",
        "src/{package}/evaluation/settings.py",
        "src/{package}/endpoint_chunks.py",
        "src/{package}/figures/__init__.py",
        "src/{package}/figures/check.py",
        "src/{package}/figures/derived.py",
        "src/{package}/figures/evidence.py",
        "src/{package}/figures/identities.py",
        "src/{package}/figures/reading.py",
        "src/{package}/figures/scope.py",
        "src/{package}/figures/second_pass.py",
        "src/{package}/figures/two_steps.py",
        "src/{package}/figures/units.py",
        "src/{package}/figures/verdicts.py",
        "src/{package}/figures/words.py",
        "src/{package}/loop_events.py",
        "src/{package}/model_logging.py",
        "src/{package}/no_fallback.py",
        "src/{package}/responses_agent.py",
        "src/{package}/settings.py",
        "src/{package}/stopping.py",
        "src/{package}/tool_calls.py",
        "src/{package}/tools/__init__.py",
        "src/{package}/tools/base.py",
        "src/{package}/tools/custom.py",
        "src/{package}/prompts/system.md",
        "src/{package}/tracing.py",
        "src/{package}/server.py",
        "src/{package}/web/__init__.py",
        "src/{package}/web/app.py",
        "src/{package}/web/demo.py",
        "src/{package}/web/feedback.py",
        "src/{package}/web/guards.py",
        "src/{package}/web/identity.py",
        "src/{package}/web/turns.py",
        "src/{package}/web/static/index.html",
        "src/{package}/web/static/chat.js",
        "src/{package}/web/static/markdown.js",
        "src/{package}/web/static/chat.css",
        "src/{package}/deployment/overrides.py",
        "src/{package}/onboarding/__init__.py",
        "src/{package}/onboarding/discover.py",
        "src/{package}/onboarding/env_file.py",
        "src/{package}/onboarding/profiles.py",
        "src/{package}/onboarding/quickstart.py",
        "src/{package}/onboarding/space_answers.py",
        "src/{package}/deployment/bundle.py",
        "tests/bundle_files.py",
        "tests/test_bundle.py",
        "tests/test_overrides.py",
        "tests/test_server.py",
        "tests/conftest.py",
        "tests/fake_workspace/__init__.py",
        "tests/fake_workspace/__main__.py",
        "tests/fake_workspace/control_plane.py",
        "tests/fake_workspace/judge.py",
        "tests/fake_workspace/llm.py",
        "tests/fake_workspace/server.py",
        "tests/fake_workspace/workspace.py",
        "tests/helpers.py",
        "tests/server_process.py",
        "tests/test_demo.py",
        "tests/test_discover.py",
        "tests/test_quickstart.py",
        "tests/test_feedback.py",
        "tests/test_chat_page.py",
        "tests/test_server_load.py",
        "tests/test_chat.py",
        "tests/test_custom_tools.py",
        "tests/test_errors.py",
        "tests/test_gate.py",
        "tests/test_harvest.py",
        "tests/test_evaluation.py",
        "tests/test_evaluation_cli.py",
        "tests/test_evaluation_inputs.py",
        "tests/test_figures_check.py",
        "tests/test_fixed_messages.py",
        "tests/test_model_roundtrip.py",
        "tests/test_monitoring.py",
        "tests/test_no_fallback_rule.py",
        "tests/test_preflight.py",
        "tests/test_scorers.py",
        "tests/test_streaming.py",
        "tests/test_stream_shapes.py",
        "tests/test_tracing.py",
        "tests/test_untrusted_model.py",
    },
    "agent_framework": {
        # Each framework renders its own agent_loop.py.
        "openai": {
            "src/{package}/agent_loop.py",
            "src/{package}/llm.py",
            "src/{package}/model_stream.py",
            "tests/test_model_stream.py",
        },
        "langgraph": {"src/{package}/agent_loop.py"},
        "openai_agents": {"src/{package}/agent_loop.py", "src/{package}/llm.py"},
    },
    "genie_spaces": {
        "empty": {
            "tests/test_chat_only.py",
        },
        "non-empty": {
            "src/{package}/tools/genie.py",
            "src/{package}/tools/genie_calls.py",
            "src/{package}/tools/genie_result.py",
            "tests/fake_workspace/genie.py",
            "tests/test_genie_resilience.py",
            "tests/test_genie_result.py",
            "tests/test_genie_tools.py",
            "tests/test_refuses_to_fabricate.py",
            "tests/test_tool_traces.py",
        },
    },
    "ci_provider": {
        "github": {".github/workflows/ci.yml", ".github/workflows/deploy.yml"},
        "azure_devops": {"azure-pipelines.yml"},
        "none": set(),
    },
    "deployment_target": {
        "model_serving": {
            "resources/deployment.yml",
            "src/{package}/deployment/deploy.py",
            "src/{package}/deployment/register.py",
            "tests/test_bundle_serving.py",
            "tests/test_deployment_jobs.py",
        },
        "databricks_apps": {
            "app.yaml",
            "requirements.txt",
            "resources/app.yml",
            "tests/test_bundle_app.py",
        },
    },
}


def answer_key(answer: Any) -> Any:
    """How an answer is looked up in EXPECTED_FILES: lists by emptiness, the rest as is."""
    if isinstance(answer, list):
        return "non-empty" if answer else "empty"
    return answer


def expected_files(answers: Mapping[str, Any]) -> set[str]:
    """The exact file set (relative POSIX paths) of a render with these full answers."""
    files = set(EXPECTED_FILES["always"])
    for question, by_answer in EXPECTED_FILES.items():
        if question != "always":
            files |= by_answer[answer_key(answers[question])]
    return {path.format(package=answers["package_name"]) for path in files}
