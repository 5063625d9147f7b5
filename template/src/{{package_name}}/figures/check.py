"""The verdict on each figure of an answer: verified, and how, or not.

One function, `check_figures`, serves the agent's notice and the evaluation scorer,
so the two cannot disagree. A number is verified by, in this order:

* an exemption, because it is no claim about the data: a list marker or a table's rank
  column; a whole number below 10 in prose with no unit ("top 3", "two regions"),
  unless the words after it name a returned column ("4 open tickets" is checked
  against open_tickets); a year in prose ("in 2024") when the data has no dates;
* a value a tool returned, typed by its column (a date's day is not a number, an id's
  digits are not an amount), of the same sign when a rise or fall word goes with it
  and the value is a change;
* a count of rows, for a whole number with no unit ("12 orders"), or "5 days" of a
  table of days;
* a derivation of returned values (`derived.py`), within the precision written; a
  whole number below 10 must be a returned value, not a derivation;
* the user's own figure, unless the sentence states it as a returned row's value
  and compares nothing ("Yes, EMEA made 50,000" where EMEA's row says 58,417);
* a comparison with the user's figure ("385 short of your 5k"), the number part of a
  returned id ("order 417"), a literal of the SQL that ran next to "top", "last" or
  "above", a number inside returned text as written, or a bound the data meets;
* two verified figures of the same answer it is the sum, difference, change or ratio of.

In a table row, or with a unit or currency, small numbers and years are checked like
any other figure. Dates, times, ids, phone numbers and versions are verified by a
returned cell of the same date, time or characters, in any common format.

Which returned tables each sentence may draw on is `scope.py`'s call; ids, codes,
phones, versions, dates and times are verified in `identities.py`.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .derived import Candidate, Pool, Pools, pools
from .evidence import Evidence, Table, gather
from .identities import ID_WORDS, code_of, id_columns, id_digits, in_years, verify_date, verify_key, year_cell
from .reading import Figure, find_figures, has_bidi_controls, normalise, sentences
from .scope import Scope, months_named, named_rows, names, with_headings

MAX_LISTED = 12
ANCHORED = re.compile(
    r"\b(?:above|below|over|under|short|ahead|behind|beat|miss\w*|more|less|exceed\w*|of)\b"
)
FILTERING = re.compile(
    r"\b(?:top|last|past|above|below|over|under|more|less|least|since|within|first|limit|threshold)\b"
)
WORSE_IS_LOWER = re.compile(
    r"defect|churn|cost|error|latency|attrition|return|complaint|incident|downtime|delay|late|fail|no_?show|wait|crash|bounce|fraud",
    re.I,
)
USER = "the user's own figure"
COMPARING = re.compile(
    r"\b(?:above|below|over|under|than|threshold|target|goal|budget|vs|versus|compared|from|instead|not|"
    r"rather|beat|missed|exceed\w*|short|if|would|assum\w*|you|your|bar|cleared|mark|line|limit|cut-?off|"
    r"expect\w*|plan\w*|forecast\w*|quota|asked|mentioned|said|against|close)\b"
)
UNVERIFIED_HEADER = (
    "Note: these figures do not match any data returned in this conversation, the question, "
    "or a calculation from them; treat them as unverified:"
)
BIDI_WARNING = (
    "Note: this answer contained invisible text-direction characters, which can make figures "
    "display in another order than written; they were removed before the figures were checked."
)


@dataclasses.dataclass(frozen=True)
class Verdict:
    figure: Figure
    how: str | None  # None: not verified
    value: float = 0.0  # the exact value that verified it (a returned or derived value)


@dataclasses.dataclass(frozen=True)
class FigureCheck:
    """Every figure of one answer and how it was verified."""

    verdicts: list[Verdict]
    warnings: list[str]

    @property
    def unverified(self) -> list[str]:
        return list(dict.fromkeys(v.figure.text for v in self.verdicts if v.how is None))

    @property
    def flagged(self) -> bool:
        return bool(self.unverified or self.warnings)

    def notice(self) -> str:
        """The agent's note under the answer: the figures it could not verify, in its own words."""
        parts = list(self.warnings)
        listed = self.unverified
        if listed:
            quoted = ", ".join(f"“{text}”" for text in listed[:MAX_LISTED])
            more = f" and {len(listed) - MAX_LISTED} more" if len(listed) > MAX_LISTED else ""
            parts.append(f"{UNVERIFIED_HEADER} {quoted}{more}.")
        return "\n\n".join(parts)

    def record(self) -> dict[str, Any]:
        """For the trace: each figure, and how it was verified (or `null`)."""
        return {
            "figures": [
                {"text": v.figure.text, "kind": v.figure.kind, "verified": v.how} for v in self.verdicts
            ],
            "unverified": self.unverified,
            "warnings": self.warnings,
        }


def check_figures(
    answer: str,
    *,
    turn: Sequence[Mapping[str, Any]] = (),
    earlier: Sequence[Mapping[str, Any]] = (),
    asked: Iterable[str] = (),
) -> FigureCheck:
    """Check each figure of `answer` against tool outputs, this turn's and earlier, and the user's words."""
    asked = [str(text) for text in asked]
    evidence = gather(turn, earlier, asked)
    text = normalise(answer).lower()
    lines = with_headings([line.lower() for line in sentences(answer)])
    written = {round(f.value, 6) for f in find_figures(answer)}
    anchors = [
        f.value for f in evidence.asked if f.kind in ("number", "percent") and round(f.value, 6) in written
    ]
    scope = Scope(evidence.tables, asked)
    found = find_figures(answer)
    dates = [f.parts for f in found if f.kind == "date"] + [(None, m, None) for m in months_named(text)]
    tops = [int(f.value) for f in found if f.kind == "number" and f.plain_integer and 1 < f.value <= 100]
    built: dict[tuple[tuple[int, ...], ...], tuple[list[Table], Pools]] = {}
    verdicts = []
    for figure in found:
        kept = scope.earlier_rows(lines[figure.sentence])
        if kept not in built:
            tables = scope.tables(kept)
            built[kept] = tables, pools(tables, named_rows(tables, text, dates), anchors, tops)
        tables, made = built[kept]
        how, exact = _verify(figure, evidence, tables, made, lines[figure.sentence])
        if how == USER and not figure.in_table and _claimed_as_data(figure, lines[figure.sentence], tables):
            how = None  # the user's figure, stated as what the data says about a row it disagrees with
        verdicts.append(Verdict(figure, how, exact))
    verdicts = _between_figures(verdicts)
    warnings = [BIDI_WARNING] if has_bidi_controls(answer) else []
    return FigureCheck(verdicts, warnings)


def _between_figures(verdicts: list[Verdict]) -> list[Verdict]:
    """An unverified figure that is the difference, sum, change or ratio of two verified
    figures of the same answer ("from $1.73M to $1.83M, about 5.7%") is derived too.
    The exact values that verified the two are used, not their rounded text."""
    known = [v for v in verdicts if v.how and v.figure.kind in ("number", "percent") and v.value]
    if not known or all(v.how for v in verdicts):
        return verdicts
    pool, multiples = Pool(), Pool()
    for a, b in itertools.permutations(known[:40], 2):
        x, y = a.figure.text, b.figure.text
        multiples.add(a.value / b.value, f"{x} over {y}")
        pool.add(a.value / b.value, f"{x} per {y}")
        if a.figure.kind == b.figure.kind:
            pool.add(a.value - b.value, f"{x} minus {y}")
            pool.add(a.value + b.value, f"{x} plus {y}")
            pool.add(100 * (a.value - b.value) / b.value, f"the change from {y} to {x}")
            pool.add(100 * a.value / b.value, f"{x} as a share of {y}")
    pool.freeze()
    multiples.freeze()
    checked = []
    for v in verdicts:
        small = v.figure.plain_integer and not v.figure.unit and v.figure.value < 100
        if v.how is None and v.figure.kind in ("number", "percent", "multiple") and not small:
            found = (multiples if v.figure.kind == "multiple" else pool).near(
                v.figure.value, v.figure.tolerance
            )
            if found:
                v = Verdict(
                    v.figure, f"derived from the answer's own figures: {found[0].how}", found[0].value
                )
        checked.append(v)
    return checked


def _claimed_as_data(figure: Figure, sentence: str, tables: list[Table]) -> bool:
    """A sentence that names a returned row, puts the user's amount to it and compares
    nothing ("Yes, EMEA revenue was 50,000" where EMEA's row says 58,417)."""
    amount = figure.currency or figure.kind == "percent" or abs(figure.value) >= 1000
    if not amount or figure.kind in ("code", "phone") or COMPARING.search(sentence):
        return False
    named = [
        row
        for table in tables
        for row, labels in zip(table.rows, table.labels, strict=True)
        if any(names(sentence, label) for label in labels)
    ]
    return any(cell.kind == "number" for row in named for cell in row)


def _verify(
    figure: Figure, evidence: Evidence, tables: list[Table], made: Pools, sentence: str
) -> tuple[str | None, float]:
    """How the figure is verified (None: it is not), and the exact value that verified it."""
    if figure.rank:
        return "exempt: a list marker or rank", figure.value
    if figure.kind in ("code", "phone", "version"):
        return verify_key(figure, evidence, tables), 0.0
    if figure.kind in ("date", "time"):
        return verify_date(figure, evidence, tables), 0.0
    return _verify_number(figure, evidence, tables, made, sentence)


def _verify_number(
    figure: Figure, evidence: Evidence, tables: list[Table], made: Pools, sentence: str
) -> tuple[str | None, float]:
    value, tolerance = figure.value, figure.tolerance
    bare = figure.kind == "number" and figure.plain_integer and not figure.unit
    in_prose = bare and not figure.in_table
    if figure.per and value in (10, 100, 1000, 10_000, 100_000, 1_000_000):
        return "exempt: the base of a rate (per 1,000)", value
    column = _counted_column(figure, tables) if in_prose and value < 10 else None
    if in_prose and 0 <= value < 10 and column is None and not figure.direction:  # "fell by 7" is checked
        return "exempt: a small count in prose", value
    if in_prose and 1900 <= value <= 2100 and len(figure.text) == 4:
        if not any(c.kind == "date" or year_cell(c) for t in tables for row in t.rows for c in row):
            return "exempt: a year in prose, with no dates in the data to check it against", value
        years = {c.value for t in tables for row in t.rows for c in row if c.kind == "number"}
        if (
            in_years(int(value), tables)
            or value in years
            or any(f.value == value for f in [*evidence.filters, *evidence.asked])
        ):
            return "data: a year of the returned dates", value
        return None, value
    if column is not None:
        values = [row[column[1]].value for row in column[0].rows if row[column[1]].kind == "number"]
        if any(abs(abs(v) - value) <= tolerance for v in values) or made.counts.near(value, tolerance):
            return f"data: {column[0].columns[column[1]]}", value
        return None, value  # "4 open tickets" where open_tickets says 3
    pool = {"percent": made.percents, "multiple": made.multiples}.get(figure.kind, made.numbers)
    found = pool.near(value, tolerance)
    if figure.kind == "multiple":
        found += made.percents.near(value * 100, tolerance * 100)
    signed = [c for c in found if c.signed]
    plain_value = any(c.direct and not c.signed for c in found)
    if signed and not plain_value and all(_contradicts(figure, c) for c in signed):
        return None, value  # "fell 12.5%" where the data's change is +12.5
    direct = [c for c in found if c.direct]
    if direct:
        return f"data: {direct[0].how}", direct[0].value
    if _countable(figure, tables) and made.counts.near(value, tolerance):
        return "a count of rows", value
    small = value < 10 and (figure.plain_integer or (figure.currency and float(value).is_integer()))
    if found and not small:  # a small whole number is a returned value or nothing
        return f"derived: {found[0].how}", found[0].value
    for asked in evidence.asked:
        if (
            asked.kind == figure.kind and abs(abs(asked.value) - abs(value)) <= tolerance
        ):  # at the answer's precision
            return USER, asked.value
    anchored = made.anchored.near(value, tolerance) if ANCHORED.search(sentence) else []
    if anchored:
        return f"derived: {anchored[0].how}", anchored[0].value
    id_words = ID_WORDS | id_columns(tables)
    named = figure.label in id_words or code_of(figure, tables)
    names_an_id = named and "," not in figure.text
    if bare and names_an_id and id_digits(figure.text, tables):
        return "data: the number of an id", value
    rate = made.rates.near(value, tolerance) if re.match(r"per\b", figure.noun) or "/" in figure.noun else []
    if rate:
        return f"derived: {rate[0].how}", rate[0].value
    if bare and figure.in_table and 1900 <= value <= 2100 and in_years(int(value), tables):
        return "data: a year of the returned dates", value
    if not figure.in_table and FILTERING.search(sentence) and any(_same(figure, f) for f in evidence.filters):
        return "a literal of the SQL that ran", value
    if any(_said_in(figure, text) for t in tables for text in t.texts):
        return "data: a number inside returned text", value
    near = made.numbers.near(value, abs(value) * 0.1) or made.percents.near(value, abs(value) * 0.1)
    if figure.bound and near:
        return "a bound the data meets", value
    return None, value


def _contradicts(figure: Figure, candidate: Candidate) -> bool:
    """A rise or fall word against the sign of a returned change; "improved" is a fall for
    costs, defects, churn and the like."""
    direction = figure.direction or figure.judged * (-1 if WORSE_IS_LOWER.search(candidate.how) else 1)
    return direction != 0 and candidate.value * direction < 0


def _said_in(figure: Figure, text: str) -> bool:
    """A number a returned text says, with the word that follows it there: "16 weeks" in a
    policy that says "16 weeks", not "6 weeks" where it says "6 months"."""
    word = figure.noun.split(" ")[0]
    return any(_same(figure, f) and (not word or f.noun.split(" ")[0] == word) for f in find_figures(text))


def _countable(figure: Figure, tables: list[Table]) -> bool:
    """A count of rows: a whole number with no unit, or "5 days" of a table of dates."""
    if figure.kind != "number" or not figure.plain_integer or figure.in_table or figure.currency:
        return False
    if " per" in f" {figure.noun}":  # "155 visitors per hour" is a rate, not a count of rows
        return False
    if not figure.unit:
        return True
    dated = any(c.kind == "date" and c.parts[3] is None for t in tables for row in t.rows for c in row)
    return dated and figure.noun.split(" ")[0] in ("days", "weeks", "months", "years", "dates")


def _counted_column(figure: Figure, tables: list[Table]) -> tuple[Table, int] | None:
    """The numeric column a whole number in prose counts, by the words after it: "4 open tickets"."""
    noun = re.sub(r"[^a-z]", "", figure.noun)
    if len(noun) < 3:
        return None
    for table in tables:
        for index, name in enumerate(table.columns):
            key = re.sub(r"[^a-z]", "", name.split(".")[-1].lower())
            numeric = any(row[index].kind == "number" for row in table.rows if index < len(row))
            if numeric and len(key) >= 3 and (noun.rstrip("s") == key.rstrip("s") or noun.startswith(key)):
                return table, index
    return None


def _same(figure: Figure, other: Figure) -> bool:
    """The same number, of the same kind: an address's 4417 is not $4,417."""
    return (
        other.kind == figure.kind
        and other.currency == figure.currency
        and abs(abs(other.value) - abs(figure.value)) <= figure.tolerance
    )
