"""Every named variant renders into a complete, well-formed repository.

These are the checks a user would otherwise hit first: a render that fails, Jinja that
leaked into a file, a config file that no longer parses, a file that is missing (or
present when its feature is off). The expected file sets live in expected_files.py.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from expected_files import EXPECTED_FILES, answer_key, expected_files
from helpers import TEMPLATE_ROOT, choice_values, questions, rendered_files
from variants import VARIANTS

RenderedVariant = Callable[[str], Path]
JINJA_MARKERS = ("{{", "{%", "{#")
# CI files may hold their own `${{ ... }}` expressions (GitHub Actions, Azure Pipelines).
CI_EXPRESSION = re.compile(r"\$\{\{")


def is_ci_file(path: Path) -> bool:
    return path.parts[0] == ".github" or path.name.startswith("azure-pipelines")


def answers_of(root: Path) -> dict:
    """The full answers of a render, defaults included, as copier recorded them."""
    return yaml.safe_load((root / ".copier-answers.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("variant", VARIANTS)
def test_variant_renders(variant: str, rendered_variant: RenderedVariant) -> None:
    answers = answers_of(rendered_variant(variant))
    for question, answer in VARIANTS[variant].items():
        assert answers[question] == answer, f"{question} was not recorded as given"


@pytest.mark.parametrize("variant", VARIANTS)
def test_no_jinja_left_over(variant: str, rendered_variant: RenderedVariant) -> None:
    root = rendered_variant(variant)
    for path in rendered_files(root):
        assert not path.name.endswith(".jinja"), path
        assert not any(marker in str(path) for marker in JINJA_MARKERS), path
        data = (root / path).read_bytes()
        if b"\0" in data:  # a binary file (the README's screenshot): no template text in it
            continue
        text = data.decode("utf-8")
        if is_ci_file(path):
            text = CI_EXPRESSION.sub("", text)
        for marker in JINJA_MARKERS:
            assert marker not in text, f"{path} line {text[: text.index(marker)].count(chr(10)) + 1}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_config_and_python_files_parse(variant: str, rendered_variant: RenderedVariant) -> None:
    root = rendered_variant(variant)
    checked = 0
    for path in rendered_files(root):
        if path.suffix not in {".yml", ".yaml", ".toml", ".json", ".py"}:
            continue
        text = (root / path).read_text(encoding="utf-8")
        if path.suffix in {".yml", ".yaml"}:
            list(yaml.safe_load_all(text))
        elif path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".py":
            compile(text, str(path), "exec")
        checked += 1
    assert checked >= 5, "expected to find YAML, TOML and Python files to check"


@pytest.mark.parametrize("variant", VARIANTS)
def test_exact_file_set(variant: str, rendered_variant: RenderedVariant) -> None:
    root = rendered_variant(variant)
    actual = {path.as_posix() for path in rendered_files(root)}
    expected = expected_files(answers_of(root))
    assert sorted(actual - expected) == [], "rendered but not in tests/expected_files.py"
    assert sorted(expected - actual) == [], "in tests/expected_files.py but not rendered"


def test_expected_files_are_keyed_by_real_answers() -> None:
    """A typo in expected_files.py must fail, not silently select nothing."""
    qs = questions()
    for question, by_answer in EXPECTED_FILES.items():
        if question == "always":
            continue
        assert question in qs, f"{question} is not a question in copier.yml"
        if "choices" in qs[question]:
            assert set(by_answer) == set(choice_values(qs[question])), question
        else:
            assert set(by_answer) == {"empty", "non-empty"}, question


CONDITION = re.compile(r"\{%\s*if\s+(not\s+)?(\w+)\s*(?:(==|!=)\s*['\"](\w+)['\"]\s*)?%\}")


def template_path_to_expected(path: Path) -> tuple[str, str | None, set[str]]:
    """Template file -> (rendered path with {package}, question, answer keys) it depends on.

    Understands `{{package_name}}`, `{% if question %}` / `{% if not question %}` (a list
    answer, non-empty / empty), `{% if question == 'value' %}` and `!= 'value'` (every
    other choice); any other Jinja in a file name fails the test, so that this function
    is taught about it.
    """
    text = path.as_posix().removesuffix(".jinja")
    text = text.replace("{{_copier_conf.answers_file}}", ".copier-answers.yml")
    text = re.sub(r"\{\{\s*package_name\s*\}\}", "{package}", text)
    conditions = CONDITION.findall(text)
    text = re.sub(r"\{%\s*endif\s*%\}", "", CONDITION.sub("", text))
    assert len(conditions) <= 1, f"teach template_path_to_expected about several conditions: {path}"
    assert not any(marker in text for marker in JINJA_MARKERS), (
        f"teach template_path_to_expected about {path}"
    )
    if not conditions:
        return text, None, set()
    negated, question, operator, value = conditions[0]
    assert not (negated and value), f"teach template_path_to_expected about {path}"
    if operator == "!=":
        return text, question, set(choice_values(questions()[question])) - {value}
    return text, question, {value or ("empty" if negated else "non-empty")}


def test_template_tree_matches_expected_files() -> None:
    """Each template file is listed, under "always" or under each answer its name selects."""
    template = TEMPLATE_ROOT / "template"
    for path in rendered_files(template):
        expected, question, values = template_path_to_expected(path)
        if question is None:
            assert expected in EXPECTED_FILES["always"], f"template/{path} should be listed as {expected!r}"
        for value in values:
            assert expected in EXPECTED_FILES[question][value], (
                f"template/{path} should be listed as {expected!r} under {question}: {value}"
            )


def test_every_choice_value_is_covered(rendered_variant: RenderedVariant) -> None:
    recorded = [answers_of(rendered_variant(name)) for name in VARIANTS]
    for question, spec in questions().items():
        if "choices" in spec:
            missing = set(choice_values(spec)) - {answers[question] for answers in recorded}
            assert not missing, f"no variant answers {question} with {sorted(missing)}"
    space_counts = {len(answers["genie_spaces"]) for answers in recorded}
    assert 0 in space_counts, "no variant with genie_spaces: []"
    assert max(space_counts) >= 2, "no variant with two or more Genie spaces"
    assert {answer_key(a["genie_spaces"]) for a in recorded} == {"empty", "non-empty"}
