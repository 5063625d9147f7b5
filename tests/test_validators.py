"""Bad answers are refused with the question's own message; good edge values render.

With `defaults=True` copier raises `ValueError("Validation error for question 'q': ...")`
before writing anything. Each case names a phrase of that question's validator message
in copier.yml, so a validator that stops firing, or fires with the wrong message, fails.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from helpers import questions, render

BASE = {"project_name": "Valid Agent"}
SALES = {"name": "sales", "space_id": "0" * 32, "description": "Sales by month."}


def space(**changes: Any) -> dict[str, Any]:
    return {**SALES, **changes}


# (question, bad value, phrase that the error message must contain)
BAD_ANSWERS: list[tuple[str, Any, str]] = [
    ("project_name", "", "project_name is required"),
    ("project_name", "   ", "project_name is required"),
    ("project_name", "x" * 81, "at most 80 characters (got 81)"),
    ("project_name", "Two\nlines", "single line of printable text"),
    ("project_name", "Tab\tagent", "single line of printable text"),
    ("project_name", "Bell\x07", "single line of printable text"),
    ("project_name", "C1 \x85 control", "single line of printable text"),
    ("project_name", "Lone \ud800 surrogate", "single line of printable text"),
    ("project_slug", "", "project_slug must be kebab-case"),
    ("project_slug", "Sales-Agent", "project_slug must be kebab-case"),
    ("project_slug", "sales--agent", "project_slug must be kebab-case"),
    ("project_slug", "-sales", "project_slug must be kebab-case"),
    ("project_slug", "1-sales", "project_slug must be kebab-case"),
    ("project_slug", "sales_agent", "project_slug must be kebab-case"),
    ("project_slug", "sales-agent\n", "project_slug must be kebab-case"),
    ("project_slug", "a" * 51, "project_slug must be at most 50 characters (got 51)"),
    ("package_name", "", "package_name must be a Python identifier"),
    ("package_name", "Sales", "package_name must be a Python identifier"),
    ("package_name", "1sales", "package_name must be a Python identifier"),
    ("package_name", "sales-agent", "package_name must be a Python identifier"),
    ("package_name", "sales\n", "package_name must be a Python identifier"),
    ("package_name", "class", "must not be a Python keyword"),
    ("package_name", "match", "must not be a Python keyword"),
    ("package_name", "mlflow", "must not shadow a package"),
    ("package_name", "tests", "must not shadow a package"),
    ("package_name", "a" * 51, "package_name must be at most 50 characters (got 51)"),
    ("description", "", "description is required"),
    ("description", " \n ", "description is required"),
    ("description", "x" * 501, "description must be at most 500 characters (got 501)"),
    ("description", "tab\there", "plain line breaks are allowed, other control characters"),
    ("description", "crlf\r\nhere", "plain line breaks are allowed, other control characters"),
    ("description", "line\u2028separator", "and Unicode line separators are not"),
    ("project_name", "Agent\u2029one", "project_name must be a single line of printable text"),
    ("author_name", "x" * 101, "author_name must be at most 100 characters (got 101)"),
    ("author_name", "Ann\nBob", "author_name must be a single line of printable text"),
    ("author_name", "\x1b[31mred", "author_name must be a single line of printable text"),
    ("author_email", "not-an-email", "author_email must be empty or an address"),
    ("author_email", "team@localhost", "author_email must be empty or an address"),
    ("author_email", "a b@example.com", "author_email must be empty or an address"),
    ("author_email", "zoë@example.com", "author_email must be empty or an address"),
    ("author_email", "team@example.com\n", "author_email must be empty or an address"),
    ("llm_endpoint", "", "llm_endpoint must be a serving endpoint name"),
    ("llm_endpoint", "-leading-hyphen", "llm_endpoint must be a serving endpoint name"),
    ("llm_endpoint", "has space", "llm_endpoint must be a serving endpoint name"),
    ("llm_endpoint", "a/b", "llm_endpoint must be a serving endpoint name"),
    ("llm_endpoint", "a" * 64, "llm_endpoint must be a serving endpoint name"),
    ("judge_endpoint", "", "judge_endpoint must be a serving endpoint name"),
    ("judge_endpoint", "databricks:/judge", "judge_endpoint must be a serving endpoint name"),
    ("judge_endpoint", "a" * 64, "judge_endpoint must be a serving endpoint name"),
    ("genie_spaces", "not a list", "genie_spaces must be a YAML list"),
    ("genie_spaces", SALES, "genie_spaces must be a YAML list"),
    ("genie_spaces", [SALES] * 11, "genie_spaces may list at most 10 spaces (got 11)"),
    ("genie_spaces", ["sales"], "genie_spaces item 1 must be a mapping"),
    (
        "genie_spaces",
        [{"name": "sales", "space_id": "0" * 32}],
        "item 1 must have exactly the keys name, space_id and description (got: name, space_id)",
    ),
    (
        "genie_spaces",
        [space(owner="me")],
        "must have exactly the keys name, space_id and description (got: description, name, owner",
    ),
    ("genie_spaces", [space(name="Sales")], "genie_spaces item 1: name must be snake_case"),
    ("genie_spaces", [space(name="1sales")], "genie_spaces item 1: name must be snake_case"),
    ("genie_spaces", [space(name="a" * 41)], "genie_spaces item 1: name must be snake_case"),
    ("genie_spaces", [space(name=7)], "genie_spaces item 1: name must be snake_case"),
    (
        "genie_spaces",
        [SALES, space(space_id="1" * 32)],
        'genie_spaces item 2: name "sales" is used twice',
    ),
    ("genie_spaces", [space(space_id="A" * 32)], "space_id must be 32 lowercase hexadecimal"),
    ("genie_spaces", [space(space_id="0" * 31)], "space_id must be 32 lowercase hexadecimal"),
    ("genie_spaces", [space(space_id="0" * 33)], "space_id must be 32 lowercase hexadecimal"),
    ("genie_spaces", [space(space_id="g" * 32)], "space_id must be 32 lowercase hexadecimal"),
    ("genie_spaces", [space(space_id=12345)], "space_id must be 32 lowercase hexadecimal"),
    (
        "genie_spaces",
        [SALES, space(name="support")],
        "genie_spaces item 2: space_id 00000000000000000000000000000000 is listed twice",
    ),
    ("genie_spaces", [space(description="")], "genie_spaces item 1: description is required"),
    ("genie_spaces", [space(description=" \n")], "genie_spaces item 1: description is required"),
    ("genie_spaces", [space(description=None)], "genie_spaces item 1: description is required"),
    ("genie_spaces", [space(description="x" * 1001)], "description must be at most 1000 characters"),
    ("genie_spaces", [space(description="a\tb")], "item 1: description must be printable text"),
    ("genie_spaces", [space(description="a\u2028b")], "item 1: description must be printable text"),
    ("uc_catalog", "", "uc_catalog must be a Unity Catalog identifier"),
    ("uc_catalog", "Main", "uc_catalog must be a Unity Catalog identifier"),
    ("uc_catalog", "1main", "uc_catalog must be a Unity Catalog identifier"),
    ("uc_catalog", "my-catalog", "uc_catalog must be a Unity Catalog identifier"),
    ("uc_catalog", "a" * 256, "uc_catalog must be a Unity Catalog identifier"),
    ("uc_schema", "", "uc_schema must be a Unity Catalog identifier"),
    ("uc_schema", "agents.prod", "uc_schema must be a Unity Catalog identifier"),
    ("uc_schema", "a" * 256, "uc_schema must be a Unity Catalog identifier"),
    ("model_name", "", "model_name must be a Unity Catalog identifier"),
    ("model_name", "My Model", "model_name must be a Unity Catalog identifier"),
    ("model_name", "model\n", "model_name must be a Unity Catalog identifier"),
    ("model_name", "a" * 256, "model_name must be a Unity Catalog identifier"),
    ("warehouse_id", "ABCDEF0123456789", "warehouse_id must be empty or a SQL warehouse id"),
    ("warehouse_id", "abcdef012345678", "warehouse_id must be empty or a SQL warehouse id"),
    ("warehouse_id", "abcdef0123456789\n", "warehouse_id must be empty or a SQL warehouse id"),
    ("warehouse_id", "/sql/warehouses/x", "warehouse_id must be empty or a SQL warehouse id"),
]
# Questions asked only after some other answer: the answers that make copier ask them.
ASKED_AFTER = {"warehouse_id": {"deployment_target": "databricks_apps"}}

# Values at the edge of what is allowed: each must render.
GOOD_EDGES: list[dict[str, Any]] = [
    {"genie_spaces": []},
    {"author_name": "", "author_email": ""},
    {"author_email": "first.last+agents@data.example.co.uk"},
    {"project_name": "x" * 80, "project_slug": "a" * 50, "package_name": "a" * 50},
    {"description": "Line one.\nLine two.", "author_name": "Zoë 😀 O'Brien"},
    {"llm_endpoint": "a" * 63, "uc_catalog": "_" + "a" * 254, "uc_schema": "s", "model_name": "m_1"},
    {"judge_endpoint": "J" * 63},
    {"genie_spaces": [space(name=f"space_{i}", space_id=f"{i:032x}") for i in range(10)]},
    {"genie_spaces": [space(name="a" * 40, description="x" * 1000)]},
    {"deployment_target": "databricks_apps", "warehouse_id": ""},
    {"deployment_target": "databricks_apps", "warehouse_id": "0123456789abcdef"},
]


@pytest.mark.parametrize(
    ("question", "value", "phrase"),
    BAD_ANSWERS,
    ids=[f"{q}-{i}" for i, (q, _, _) in enumerate(BAD_ANSWERS)],
)
def test_bad_answer_is_rejected(question: str, value: Any, phrase: str, tmp_path: Path) -> None:
    destination = tmp_path / "project"
    with pytest.raises(ValueError, match=f"Validation error for question '{question}'") as error:
        render(destination, {**BASE, **ASKED_AFTER.get(question, {}), question: value})
    assert phrase in str(error.value)
    assert not destination.exists() or not any(destination.iterdir()), "wrote files anyway"


def test_every_free_text_question_has_bad_cases() -> None:
    """A new question without `choices` needs its own rows in BAD_ANSWERS."""
    free_text = {question for question, spec in questions().items() if "choices" not in spec}
    assert free_text - {question for question, _, _ in BAD_ANSWERS} == set()


@pytest.mark.parametrize("answers", GOOD_EDGES, ids=[",".join(a) for a in GOOD_EDGES])
def test_good_edge_value_renders(answers: dict[str, Any], tmp_path: Path) -> None:
    root = render(tmp_path / "project", {**BASE, **answers})
    assert (root / "pyproject.toml").is_file()


def test_validators_have_no_invalid_escapes(tmp_path: Path) -> None:
    """Jinja decodes string literals like Python: '\\Z' or '\\.' is a deprecated escape.

    Under `-W error` (or once Python turns the warning into an error) such a validator
    fails to compile, and copier reports that as a validation error for a good answer.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        render(tmp_path / "project", {**BASE, "author_email": "team@example.com"})
