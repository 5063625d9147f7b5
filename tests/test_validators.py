"""Bad answers are refused with the question's own message; good edge values render.

With `defaults=True` copier raises `ValueError("Validation error for question 'q': ...")`
before writing anything. The interactive questionnaire shows that same text on one line,
cut at the terminal's width. Each case names the essential phrase of that question's
validator message in copier.yml, and the phrase must be on that line within 80 columns:
a validator that stops firing, fires with the wrong message, or puts what matters where
a user cannot see it, fails.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml

from helpers import COPIER_YML, questions, render

BASE = {"project_name": "Valid Agent"}
SALES = {"name": "sales", "space_id": "0" * 32, "description": "Sales by month."}
COLUMNS = 80  # the narrowest terminal the questionnaire is read on


def space(**changes: Any) -> dict[str, Any]:
    return {**SALES, **changes}


# (question, bad value, the essential phrase, seen within COLUMNS of the message's line)
BAD_ANSWERS: list[tuple[str, Any, str]] = [
    ("project_name", "", 'required, e.g. "Sales Agent"'),
    ("project_name", "   ", 'required, e.g. "Sales Agent"'),
    ("project_name", "x" * 81, "at most 80 characters (got 81)"),
    ("project_name", "Two\nlines", "one line of printable text only"),
    ("project_name", "Tab\tagent", "one line of printable text only"),
    ("project_name", "Bell\x07", "one line of printable text only"),
    ("project_name", "C1 \x85 control", "one line of printable text only"),
    ("project_name", "Lone \ud800 surrogate", "one line of printable text only"),
    ("project_name", "Agent\u2029one", "one line of printable text only"),
    ("project_slug", "", "kebab-case only, e.g. sales-agent"),
    ("project_slug", "Sales-Agent", "kebab-case only, e.g. sales-agent"),
    ("project_slug", "sales--agent", "kebab-case only, e.g. sales-agent"),
    ("project_slug", "-sales", "kebab-case only, e.g. sales-agent"),
    ("project_slug", "1-sales", "kebab-case only, e.g. sales-agent"),
    ("project_slug", "sales_agent", "kebab-case only, e.g. sales-agent"),
    ("project_slug", "sales-agent\n", "kebab-case only, e.g. sales-agent"),
    ("project_slug", "a" * 51, "at most 50 characters (got 51)"),
    ("package_name", "", "snake_case only, e.g. sales_agent"),
    ("package_name", "Sales", "snake_case only, e.g. sales_agent"),
    ("package_name", "1sales", "snake_case only, e.g. sales_agent"),
    ("package_name", "sales-agent", "snake_case only, e.g. sales_agent"),
    ("package_name", "sales\n", "snake_case only, e.g. sales_agent"),
    ("package_name", "class", "Python keyword: pick another name"),
    ("package_name", "match", "Python keyword: pick another name"),
    ("package_name", "mlflow", "shadows a dependency: pick another"),
    ("package_name", "tests", "shadows a dependency: pick another"),
    ("package_name", "a" * 51, "at most 50 characters (got 51)"),
    ("description", "", "required: what the agent does"),
    ("description", " \n ", "required: what the agent does"),
    ("description", "x" * 501, "at most 500 characters (got 501)"),
    ("description", "tab\there", "printable text and line breaks only"),
    ("description", "crlf\r\nhere", "printable text and line breaks only"),
    ("description", "line\u2028separator", "printable text and line breaks only"),
    ("author_name", "x" * 101, "at most 100 characters (got 101)"),
    ("author_name", "Ann\nBob", "one line of printable text only"),
    ("author_name", "\x1b[31mred", "one line of printable text only"),
    ("author_email", "not-an-email", "empty, or like team@example.com"),
    ("author_email", "team@localhost", "empty, or like team@example.com"),
    ("author_email", "a b@example.com", "empty, or like team@example.com"),
    ("author_email", "zoë@example.com", "empty, or like team@example.com"),
    ("author_email", "team@example.com\n", "empty, or like team@example.com"),
    ("llm_endpoint", "", "letters, digits, - and _ only"),
    ("llm_endpoint", "-leading-hyphen", "letters, digits, - and _ only"),
    ("llm_endpoint", "has space", "letters, digits, - and _ only"),
    ("llm_endpoint", "a/b", "letters, digits, - and _ only"),
    ("llm_endpoint", "a" * 64, "letters, digits, - and _ only"),
    ("judge_endpoint", "", "letters, digits, - and _ only"),
    ("judge_endpoint", "databricks:/judge", "letters, digits, - and _ only"),
    ("judge_endpoint", "a" * 64, "letters, digits, - and _ only"),
    ("genie_spaces", "not a list", "a YAML list of spaces, or []"),
    ("genie_spaces", SALES, "a YAML list of spaces, or []"),
    ("genie_spaces", [SALES] * 11, "at most 10 spaces (got 11)"),
    ("genie_spaces", ["sales"], "item 1 is not a mapping"),
    ("genie_spaces", [{"name": "sales", "space_id": "0" * 32}], "item 1: missing key description"),
    ("genie_spaces", [{"name": "sales"}], "item 1: missing key description"),
    ("genie_spaces", [space(owner="me")], "item 1: unknown key owner"),
    ("genie_spaces", [{**space(owner="me"), 7: "x"}], "item 1: unknown key 7, owner"),
    ("genie_spaces", [space(name="Sales")], "item 1: name must be snake_case"),
    ("genie_spaces", [space(name="1sales")], "item 1: name must be snake_case"),
    ("genie_spaces", [space(name="a" * 41)], "item 1: name must be snake_case"),
    ("genie_spaces", [space(name=7)], "item 1: name must be snake_case"),
    ("genie_spaces", [SALES, space(space_id="1" * 32)], "item 2: duplicate name"),
    ("genie_spaces", [space(space_id="A" * 32)], "item 1: space_id must be 32 hex"),
    ("genie_spaces", [space(space_id="0" * 31)], "item 1: space_id must be 32 hex"),
    ("genie_spaces", [space(space_id="0" * 33)], "item 1: space_id must be 32 hex"),
    ("genie_spaces", [space(space_id="g" * 32)], "item 1: space_id must be 32 hex"),
    ("genie_spaces", [space(space_id=None)], "item 1: space_id must be 32 hex"),
    # Unquoted digits that YAML reads as a number (see test_an_unquoted_numeric_space_id...).
    ("genie_spaces", [space(space_id=12345)], "item 1: quote space_id"),
    ("genie_spaces", [SALES, space(name="support")], "item 2: space_id listed twice"),
    ("genie_spaces", [space(description="")], "item 1: description is required"),
    ("genie_spaces", [space(description=" \n")], "item 1: description is required"),
    ("genie_spaces", [space(description=None)], "item 1: description is required"),
    ("genie_spaces", [space(description="x" * 1001)], "item 1: description too long"),
    ("genie_spaces", [space(description="a\tb")], "item 1: description not printable"),
    ("genie_spaces", [space(description="a\u2028b")], "item 1: description not printable"),
    ("uc_catalog", "", "a-z, 0-9 and _ only, e.g. main"),
    ("uc_catalog", "Main", "a-z, 0-9 and _ only, e.g. main"),
    ("uc_catalog", "1main", "a-z, 0-9 and _ only, e.g. main"),
    ("uc_catalog", "my-catalog", "a-z, 0-9 and _ only, e.g. main"),
    ("uc_catalog", "a" * 256, "a-z, 0-9 and _ only, e.g. main"),
    ("uc_schema", "", "a-z, 0-9 and _ only, e.g. agents"),
    ("uc_schema", "agents.prod", "a-z, 0-9 and _ only, e.g. agents"),
    ("uc_schema", "a" * 256, "a-z, 0-9 and _ only, e.g. agents"),
    ("model_name", "", "a-z, 0-9 and _ only, e.g. my_agent"),
    ("model_name", "My Model", "a-z, 0-9 and _ only, e.g. my_agent"),
    ("model_name", "model\n", "a-z, 0-9 and _ only, e.g. my_agent"),
    ("model_name", "a" * 256, "a-z, 0-9 and _ only, e.g. my_agent"),
    ("warehouse_id", "ABCDEF0123456789", "empty, or 16 hex characters"),
    ("warehouse_id", "abcdef012345678", "empty, or 16 hex characters"),
    ("warehouse_id", "abcdef0123456789\n", "empty, or 16 hex characters"),
    ("warehouse_id", "/sql/warehouses/x", "empty, or 16 hex characters"),
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
    # Digits with a leading 0 and an 8 or 9: YAML reads them as a string, leading zero kept.
    {"genie_spaces": "- {name: sales, space_id: 01234567890123456789012345678901, description: d}"},
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
    seen = str(error.value).splitlines()[0][:COLUMNS]
    assert phrase in seen, f"not within {COLUMNS} columns of the first line: {str(error.value)!r}"
    assert not destination.exists() or not any(destination.iterdir()), "wrote files anyway"


def test_every_free_text_question_has_bad_cases() -> None:
    """A new question without `choices` needs its own rows in BAD_ANSWERS."""
    free_text = {
        question
        for question, spec in questions().items()
        if "choices" not in spec and spec.get("when") is not False  # `when: false` is computed
    }
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


def test_an_unquoted_octal_space_id_says_to_quote_it(tmp_path: Path) -> None:
    """As typed at the prompt or in --data: a leading 0 and only 0-7 read as octal, so the
    number no longer shows the id's digits."""
    typed = "- {name: sales, space_id: 01234567012345670123456701234567, description: Sales by month}"
    with pytest.raises(ValueError, match="item 1: quote space_id") as error:
        render(tmp_path / "project", {**BASE, "genie_spaces": typed})
    assert "a leading 0 reads as octal" in str(error.value)


def test_an_unquoted_decimal_space_id_is_accepted_and_rendered_as_its_digits(tmp_path: Path) -> None:
    """32 digits from 1-9, unquoted, read as a number whose digits are all there: accepted."""
    digits = "12345678901234567890123456789012"
    typed = f"- {{name: sales, space_id: {digits}, description: Sales by month}}"
    root = render(tmp_path / "project", {**BASE, "genie_spaces": typed})
    config = yaml.safe_load((root / "src" / "valid_agent" / "agent_config.yaml").read_text(encoding="utf-8"))
    assert config["genie"]["spaces"][0]["space_id"] == digits
    bundle = yaml.safe_load((root / "databricks.yml").read_text(encoding="utf-8"))
    assert bundle["variables"]["genie_space_sales"]["default"] == digits
    assert f"`{digits}`" in (root / "README.md").read_text(encoding="utf-8")


def test_a_space_id_of_digits_keeps_its_leading_zero(tmp_path: Path) -> None:
    typed = "- {name: sales, space_id: 01234567890123456789012345678901, description: d}"
    root = render(tmp_path / "project", {**BASE, "genie_spaces": typed})
    answers = yaml.safe_load((root / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["genie_spaces"][0]["space_id"] == "01234567890123456789012345678901"
    assert '"01234567890123456789012345678901"' in (root / "databricks.yml").read_text(encoding="utf-8")


def test_the_genie_spaces_help_example_is_a_valid_answer(tmp_path: Path) -> None:
    """A malformed answer at the prompt gets only copier's "Invalid input" (its YAML parse
    fails before any validator runs): the help above the prompt shows a working example."""
    help_text = jinja2.Environment().from_string(questions()["genie_spaces"]["help"]).render()
    example = help_text[help_text.index("[{") :]
    root = render(tmp_path / "project", {**BASE, "genie_spaces": example})
    answers = yaml.safe_load((root / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert [space["name"] for space in answers["genie_spaces"]] == ["sales"]


def test_model_name_help_shows_the_catalog_and_schema_answered() -> None:
    help_text = questions()["model_name"]["help"]
    shown = jinja2.Environment().from_string(help_text).render(uc_catalog="sales_cat", uc_schema="bots")
    assert "sales_cat.bots.<model_name>" in shown
    assert "{uc_catalog}" not in shown and "{{" not in shown


def test_each_shared_pattern_has_one_home() -> None:
    """The endpoint and Unity Catalog name patterns: written once, used by each validator."""
    text = COPIER_YML.read_text(encoding="utf-8")
    for pattern, users in [
        ("endpoint_name_pattern", ["llm_endpoint", "judge_endpoint"]),
        ("uc_identifier_pattern", ["uc_catalog", "uc_schema", "model_name"]),
    ]:
        regex = questions()[pattern]["default"]
        core = regex.removeprefix("^").removesuffix("\\Z")  # as a Jinja literal would spell it too
        assert text.count(core) == 1, f"{regex} is written more than once"
        for question in users:
            assert f"regex_search({pattern})" in questions()[question]["validator"], question
