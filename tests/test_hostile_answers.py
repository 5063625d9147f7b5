"""Answers full of quoting hazards render files that parse back to exactly those answers.

Free text lands inside YAML, TOML and the answers file. Quotes, colons, `#`, backslashes,
line breaks, unicode line separators and astral-plane emoji each break a naive
`key: {{ value }}`. Hypothesis draws only values the validators allow (printable: no
Cc/Cs characters, no U+FFFE/U+FFFF; a newline only where copier.yml allows it), so a
validation error here is a finding too: the validators refuse text they claim to allow.
"""

from __future__ import annotations

import tempfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import render

# Pieces that break YAML/TOML/Jinja when pasted in unquoted, mixed with random characters.
FRAGMENTS = [
    '"', "'", ":", ": ", " #", "#", "\\", "\\n", "\\u0041", "{{", "}}", "{%", "- ", "|", ">",
    "&a", "*a", "!!str", "%", "@", "`", "---", "...", "~", "null", "yes", "0x1F", "1e3",
    "é", "ß", "😀", "\U0001f9ea", "\ufeff", "\u200b", "\u00a0", " ", " \n ",
]  # fmt: skip
# The validators reject control characters, surrogates, U+FFFE/U+FFFF and the Unicode line
# separators U+2028/U+2029 (YAML would fold the spaces around them away).
PRINTABLE = st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="\ufffe\uffff\u2028\u2029")


def free_text(max_len: int, *, newlines: bool, required: bool) -> st.SearchStrategy[str]:
    """Text the validators accept: printable, within max_len, non-blank if required."""
    fragments = [f for f in FRAGMENTS if newlines or "\n" not in f]
    pieces = [PRINTABLE, st.sampled_from(fragments)] + ([st.just("\n")] if newlines else [])
    text = st.lists(st.one_of(pieces), max_size=40).map("".join)
    return text.filter(lambda s: len(s) <= max_len and (s.strip() or not required))


def genie_space(index: int, description: str) -> dict[str, str]:
    return {"name": f"space_{index}", "space_id": f"{index:032x}", "description": description}


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@settings(max_examples=25, deadline=None, print_blob=True)
@example(  # every character class that needs quoting, at once
    project_name='Agent: "one" #1 \\ ünï 😀',
    description='Line: "two" #2 \\n\nthird line ß \ufeff',
    author_name="Zoë O'Brien: #1",
    space_descriptions=['Sales: "net" #1 \\ 😀\nby month', "{{ not jinja }} {% if %}"],
)
@given(
    project_name=free_text(80, newlines=False, required=True),
    description=free_text(500, newlines=True, required=True),
    author_name=free_text(100, newlines=False, required=False),
    space_descriptions=st.lists(free_text(1000, newlines=True, required=True), min_size=1, max_size=2),
)
def test_hostile_text_round_trips(
    project_name: str, description: str, author_name: str, space_descriptions: list[str]
) -> None:
    answers = {
        "project_name": project_name,
        "project_slug": "hostile-agent",
        "description": description,
        "author_name": author_name,
        "author_email": "qa@example.com",
        "genie_spaces": [genie_space(i, text) for i, text in enumerate(space_descriptions)],
    }
    with tempfile.TemporaryDirectory() as tmp:
        root = render(Path(tmp) / "project", answers)

        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        assert project["description"] == description.replace("\n", " ")
        expected_author = {"name": author_name} if author_name else {}
        assert project["authors"] == [{**expected_author, "email": "qa@example.com"}]

        config = load_yaml(root / "src" / "hostile_agent" / "agent_config.yaml")
        assert config["genie"]["spaces"] == answers["genie_spaces"]

        recorded = load_yaml(root / ".copier-answers.yml")
        assert {key: recorded[key] for key in answers} == answers

        for path in root.rglob("*.y*ml"):
            list(yaml.safe_load_all(path.read_text(encoding="utf-8")))


# Valid identifiers that YAML 1.1 (PyYAML, and many other tools) reads as booleans or null.
YAML_LOOKALIKES = ["null", "true", "false", "yes", "no", "on", "off"]


@pytest.mark.parametrize("word", YAML_LOOKALIKES)
def test_identifiers_stay_strings_in_yaml(word: str, tmp_path: Path) -> None:
    """The validators allow these words; unquoted in YAML they would become True or None."""
    answers = {
        "project_name": "Lookalike Agent",
        "project_slug": word,
        "package_name": "lookalike_agent",
        "uc_catalog": word,
        "uc_schema": word,
        "model_name": word,
        "llm_endpoint": word,
        "judge_endpoint": word,
    }
    root = render(tmp_path / "project", answers)
    bundle = load_yaml(root / "databricks.yml")
    assert bundle["bundle"]["name"] == word
    for variable in ("catalog", "schema", "model_name", "llm_endpoint"):
        assert bundle["variables"][variable]["default"] == word, variable
    assert load_yaml(root / "src" / "lookalike_agent" / "agent_config.yaml")["llm_endpoint"] == word
    evaluation = load_yaml(root / "evaluation" / "config.yaml")
    assert evaluation["judge_endpoint"] == word
    assert evaluation["dataset_table"] == f"{word}.{word}.{word}_eval"
    recorded = load_yaml(root / ".copier-answers.yml")
    assert {key: recorded[key] for key in answers} == answers
