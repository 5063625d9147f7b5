"""The figures check meets the goals of issue 15 on the labelled corpus in tests/figures_corpus/,
and does no worse than recorded on the held-out sets in its holdout*/ folders.

The corpus holds answers over realistic tool outputs, each labelled with the figures it invents.
Its goals: at least 97% of invented figures flagged, at most 2% of honest answers flagged at all.
The schema tests keep the labels checkable: an invented figure must be written in its answer.
`python tests/figures_corpus/measure.py <render_dir>` prints the same numbers with every miss.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

CORPUS = Path(__file__).resolve().parent / "figures_corpus"
# Each form the issue names, invented and honest; each needs at least MIN_PER_FORM answers.
INVENTED_FORMS = [
    "coincidence-date", "coincidence-id", "coincidence-rowcount", "earlier-turn", "number-words",
    "magnitude-plural", "currency-glued", "lakh-crore", "invisible-chars", "bidi", "small-count-in-table",
    "small-count-unit", "year-in-table", "year-amount", "direction", "plain", "rounding-too-far",
    "invented-total",
]  # fmt: skip
HONEST_FORMS = [
    "honest-user-figure", "honest-rounding", "honest-derived-sum", "honest-derived-difference",
    "honest-share", "honest-average", "honest-words", "honest-date-format", "honest-time-format",
    "honest-phone-format", "honest-version-format", "honest-id-format", "honest-digits-in-id",
    "honest-row-count", "honest-earlier-turn", "honest-small-count-prose", "honest-ordinal",
    "honest-table-copy", "honest-pct-column",
]  # fmt: skip
MIN_PER_FORM = 8
# Answers written by people who never saw the check, in the order they were written: each set
# was measured before the check was changed for it (the README quotes both figures). Later
# changes must not do worse on any of them than these shares: (invented caught, honest flagged).
HELD_OUT = sorted({path.parent for path in CORPUS.glob("holdout*/*.yaml")})
HELD_OUT_FLOORS = {
    "holdout": (0.923, 0.037),
    "holdout2": (0.898, 0.044),
    "holdout3": (0.711, 0.194),
    "holdout4": (0.729, 0.203),
    "holdout5": (0.661, 0.244),
    "holdout6": (0.675, 0.132),
    "holdout7": (0.680, 0.290),
    "holdout8": (0.803, 0.153),
}
SCENARIO_KEYS = {"id", "asked", "turn", "earlier", "answers"}
ANSWER_KEYS = {"id", "form", "text", "invented", "why"}
STATUSES = {"ok", "error", "empty", "text"}
NUMERIC_TYPES = {"INT", "LONG", "SHORT", "BYTE", "DECIMAL", "DOUBLE", "FLOAT"}
GENIE_TYPES = {"STRING", "DATE", "TIMESTAMP", "BOOLEAN", *NUMERIC_TYPES}


def load_measure() -> ModuleType:
    """tests/figures_corpus/measure.py, a script rather than a package, loaded by path."""
    spec = importlib.util.spec_from_file_location("figures_corpus_measure", CORPUS / "measure.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


measure = load_measure()


def scenarios(directory: Path = CORPUS) -> list[tuple[str, dict[str, Any]]]:
    return [
        (path.name, scenario)
        for path in sorted(directory.glob("*.yaml"))
        for scenario in yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"]
    ]


def visible(text: str) -> str:
    """The text as a reader sees it: each right-to-left override span reversed, controls dropped."""
    text = re.sub("\u202e([^\u202c\n]*)\u202c?", lambda m: m.group(1)[::-1], text)
    return measure.BIDI.sub("", text)


def tool_output_problems(where: str, output: Any) -> list[str]:
    if not isinstance(output, dict) or output.get("status") not in STATUSES:
        return [f"{where}: a tool output is a mapping with a status in {sorted(STATUSES)}"]
    if "table" not in output:
        return []
    header = output["table"].splitlines()[0].strip().strip("|").split("|")
    types = output.get("column_types", [])
    if len(types) != len(header) or not set(types) <= GENIE_TYPES:
        return [f"{where}: column_types {types} do not match the table's {len(header)} columns"]
    return []


@pytest.mark.parametrize("directory", [CORPUS, *HELD_OUT], ids=lambda path: path.name)
def test_corpus_schema(directory: Path) -> None:
    problems: list[str] = []
    seen: set[str] = set()
    for name, scenario in scenarios(directory):
        where = f"{name}:{scenario.get('id')}"
        if scenario.get("id") in seen or not set(scenario) <= SCENARIO_KEYS:
            problems.append(f"{where}: duplicate id or keys outside {sorted(SCENARIO_KEYS)}")
        seen.add(scenario.get("id"))
        if not all(isinstance(m, str) for m in scenario.get("asked") or [None]):
            problems.append(f"{where}: `asked` is a non-empty list of the user's messages")
        for output in [*scenario.get("turn", [None]), *scenario.get("earlier", [])]:
            problems += tool_output_problems(where, output)
        answer_ids = [answer.get("id") for answer in scenario.get("answers", [])]
        if not answer_ids or len(set(answer_ids)) != len(answer_ids):
            problems.append(f"{where}: answers need distinct ids")
        for answer in scenario.get("answers", []):
            ok = {"id", "form", "text", "invented"} <= set(answer) <= ANSWER_KEYS
            ok = ok and isinstance(answer["text"], str) and isinstance(answer["form"], str)
            if not ok or not all(isinstance(figure, str) for figure in answer.get("invented") or []):
                problems.append(f"{where}/{answer.get('id')}: needs id, form, text, invented (strings)")
            elif answer["form"].startswith("honest") == bool(answer["invented"]):
                problems.append(f"{where}/{answer['id']}: honest-* forms, and only they, invent nothing")
    assert not problems, "\n".join(problems)


def test_corpus_size_and_forms() -> None:
    cases = measure.load()
    honest = sum(1 for case in cases if not case.invented)
    forms = Counter(case.form for case in cases)
    assert len(cases) >= 300 and honest >= 150 and len(cases) - honest >= 150, (len(cases), honest)
    thin = {form: forms[form] for form in INVENTED_FORMS + HONEST_FORMS if forms[form] < MIN_PER_FORM}
    assert not thin, f"forms with fewer than {MIN_PER_FORM} answers: {thin}"


@pytest.mark.parametrize("directory", [CORPUS, *HELD_OUT], ids=lambda path: path.name)
def test_invented_figures_are_written_in_their_answer(directory: Path) -> None:
    """A label must name the figure as written (as seen, or with invisible characters removed),
    or it measures nothing."""
    absent = [
        f"{case.id}: {figure!r}"
        for case in measure.load(directory)
        for figure in case.invented
        if figure not in case.text
        and figure not in visible(case.text)
        and measure.normal(figure) not in measure.normal(visible(case.text))
        and not case.bidi  # a bidi answer is caught by its warning, whatever its label says
    ]
    assert not absent, "invented figures not found in their answer:\n" + "\n".join(absent)


@pytest.fixture(scope="module")
def check_figures(rendered_variant: Callable[[str], Path]) -> Callable[..., Any]:
    return measure.load_check(rendered_variant("default"))


def test_figures_check_meets_the_goals(check_figures: Callable[..., Any]) -> None:
    result = measure.measure(check_figures, measure.load())
    assert result.caught_share >= 0.97 and result.alarm_share <= 0.02, measure.summary(result)


@pytest.mark.parametrize("directory", HELD_OUT, ids=lambda path: path.name)
def test_figures_check_does_no_worse_on_held_out_answers(
    check_figures: Callable[..., Any], directory: Path
) -> None:
    result = measure.measure(check_figures, measure.load(directory))
    caught, flagged = HELD_OUT_FLOORS[directory.name]
    assert result.caught_share >= caught and result.alarm_share <= flagged, measure.summary(result)
