"""The verdict on each figure of an answer, on its own: verified, and how, or not.

One function, `check_figures`, serves the agent's notice and the evaluation scorer,
so the two cannot disagree. A number is verified by, in this order:

* an exemption, because it is no claim about the data: a list marker or a table's rank
  column; a whole number below 10 in prose with no unit ("top 3", "two regions"),
  unless the words after it name a returned column ("4 open tickets" is checked
  against open_tickets); a year in prose ("in 2024") when the data has no dates;
* a value a tool returned, typed by its column (a date's day is not a number, an id's
  digits are not an amount), of the same sign when a rise or fall word goes with it
  and the value is a change;
* a count of rows, for a whole number with no unit ("12 orders") that no row named
  just before it narrows ("London has 10 of them"), or "5 days" of a table of days;
* the time between two dates the sentence writes or names ("20 days after");
* a derivation of returned values (`derived.py`), within the precision written; a
  whole number below 10 must be a returned value, not a derivation;
* the user's own figure, unless the sentence states it as a returned row's value
  and compares nothing ("Yes, EMEA made 50,000" where EMEA's row says 58,417);
* a comparison with the user's figure ("385 short of your 5k"), the number part of a
  returned id ("order 417"), a rate scaled to its written base ("2.8 per 1,000"), a
  literal of the SQL that ran next to "top", "last" or "above", a number inside
  returned text or a column's name as written, or a bound the data meets on the
  side it says ("more than 450").

Then `second_pass.py` verifies figures by way of the answer's other figures. In a
table row, or with a unit or currency, small numbers and years are checked like any
other figure. Dates, times, ids, phone numbers and versions are verified by a
returned cell of the same date, time or characters, in any common format.

Which returned tables each sentence may draw on is `scope.py`'s call; ids, codes,
phones, versions, dates and times are verified in `identities.py`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .derived import Candidate, Pools, pools
from .evidence import Evidence, Table, gather
from .identities import (
    ID_WORDS,
    code_of,
    elapsed,
    id_columns,
    id_digits,
    ids_in_groups,
    in_years,
    verify_date,
    verify_key,
    year_cell,
)
from .reading import Figure, find_figures, has_bidi_controls, normalise, sentences
from .scope import Scope, months_named, named_rows, names, with_headings
from .second_pass import (
    ID_NUMBER,
    POINTS,
    YEAR_OF_DATES,
    conversions,
    id_lists,
    time_zones,
    two_step_derivations,
)
from .two_steps import TwoSteps
from .units import header_of, unit_after, unit_in_name
from .verdicts import BIDI_WARNING, FigureCheck, Verdict

ANCHORED = re.compile(
    r"\b(?:above|below|over|under|short|ahead|behind|beat|miss\w*|more|less|exceed\w*|of)\b"
)
FILTERING = re.compile(
    r"\b(?:top|last|past|above|below|over|under|more|less|least|since|within|first|limit|threshold)\b"
)
WORSE_IS_LOWER = re.compile(
    r"defect|churn|cost|error|latency|attrition|return|complaint|incident|downtime|delay|late|fail|no_?show|wait|crash|bounce|fraud|loss",
    re.I,
)
BLENDED = re.compile(r"\b(?:blended|weight\w*|overall|combined|network-wide|portfolio|across (?:all|the))\b")
IN_POINTS = re.compile(r"percentage points?|\b(?:pp|pts|ppt)\b")  # "In percentage points: Basic -0.30"
BASIS_POINTS = re.compile(r"(?:basis points?|bps|bp)\b")
RATE_BASE = re.compile(r"\bper (1,000,000|100,000|10,000|1,000|1000000|100000|10000|1000|100)\b")
USER = "the user's own figure"
REFUTED = "refuted: "
COMPARING = re.compile(
    r"\b(?:above|below|over|under|than|threshold|target|goal|budget|vs|versus|compared|from|instead|not|"
    r"rather|beat|missed|exceed\w*|short|if|would|assum\w*|you|your|bar|cleared|mark|line|limit|cut-?off|"
    r"expect\w*|plan\w*|forecast\w*|quota|asked|mentioned|said|against|close)\b"
)


@dataclasses.dataclass(frozen=True)
class Around:
    """What the sentence around a figure says about it."""

    sentence: str  # lower case, with the heading of its list or table
    per: float = 1.0  # the base of the rate it is written as ("2.8 per 1,000"), or 1
    moments: list[Figure] = dataclasses.field(default_factory=list)  # its dates and times
    stamps: list[tuple[int | None, ...]] = dataclasses.field(default_factory=list)  # of the rows it names
    range_end: Figure | None = None  # the date a day starts a range to ("16 to 20 May")


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
    grouped = ids_in_groups(normalise(answer), evidence.tables, asked)
    anchors = [
        f.value for f in evidence.asked if f.kind in ("number", "percent") and round(f.value, 6) in written
    ]
    scope = Scope(evidence.tables, asked)
    found = find_figures(answer)
    dates = [f.parts for f in found if f.kind == "date"] + [(None, m, None) for m in months_named(text)]
    tops = [int(f.value) for f in found if f.kind == "number" and f.plain_integer and 1 < f.value <= 100]
    built: dict[tuple[tuple[int, ...], ...], tuple[list[Table], Pools, TwoSteps]] = {}
    steps: dict[int, TwoSteps] = {}
    stamps: dict[int, list[tuple[int | None, ...]]] = {}  # per sentence: timestamps of the rows it names
    named_dates: dict[tuple[tuple[tuple[int, ...], ...], int], list[tuple[int | None, ...]]] = {}
    verdicts = []
    for index, figure in enumerate(found):
        kept = scope.earlier_rows(lines[figure.sentence])
        if kept not in built:
            tables = scope.tables(kept)
            made = pools(tables, named_rows(tables, text, dates), anchors, tops, evidence.tables, text)
            built[kept] = tables, made, TwoSteps(tables)
        tables, made, steps[figure.sentence] = built[kept]
        if (kept, figure.sentence) not in named_dates:
            named_dates[kept, figure.sentence] = _dates_named(tables, lines[figure.sentence])
        after = found[index + 1] if index + 1 < len(found) else None
        around = Around(
            lines[figure.sentence],
            per=after.value
            if after and after.per and re.search(r"\bper$", figure.noun)
            else _rate_base(lines[figure.sentence]),
            moments=[f for f in found if f.kind in ("date", "time") and f.sentence == figure.sentence],
            stamps=named_dates[kept, figure.sentence],
            range_end=after if _day_before(figure, after) else None,
        )
        stamps[figure.sentence] = around.stamps
        how, exact = _verify(figure, evidence, tables, made, around)
        if how is None and figure.kind in ("number", "code") and figure.text.lower() in grouped:
            how = "data: part of a returned id, written in groups"
        if how == USER and not figure.in_table and _claimed_as_data(figure, lines[figure.sentence], tables):
            how = f"{REFUTED}the user's figure, stated as a returned row's value the row disagrees with"
        if how and how.startswith(REFUTED):
            verdicts.append(Verdict(figure, None, exact, refuted=how.removeprefix(REFUTED)))
        else:
            verdicts.append(Verdict(figure, how, exact))
    raw = sentences(answer)
    units = [
        unit_after(f.noun) or (unit_in_name(header_of(raw, f.sentence, f.text)) if f.in_table else None)
        for f in found
    ]
    verdicts = conversions(id_lists(verdicts, evidence.tables), units, evidence.tables)
    verdicts = time_zones(verdicts, lines, stamps)
    verdicts = two_step_derivations(verdicts, steps, lines, units)
    warnings = [BIDI_WARNING] if has_bidi_controls(answer) else []
    return FigureCheck(verdicts, warnings)


def _claimed_as_data(figure: Figure, sentence: str, tables: list[Table]) -> bool:
    """A sentence that names a returned row, puts the user's amount to it and compares
    nothing ("Yes, EMEA revenue was 50,000" where EMEA's row says 58,417)."""
    amount = figure.currency or figure.kind == "percent" or abs(figure.value) >= 1000
    if (
        not amount
        or figure.kind in ("code", "phone")
        or figure.label in ID_WORDS
        or COMPARING.search(sentence)
    ):
        return False
    named = [
        row
        for table in tables
        for row, labels in zip(table.rows, table.labels, strict=True)
        if any(names(sentence, label) for label in labels)
    ]
    return any(cell.kind == "number" for row in named for cell in row)


def _verify(
    figure: Figure, evidence: Evidence, tables: list[Table], made: Pools, around: Around
) -> tuple[str | None, float]:
    """How the figure is verified (None: it is not), and the exact value that verified it."""
    if figure.rank:
        return "exempt: a list marker or rank", figure.value
    if figure.kind in ("code", "phone", "version"):
        return verify_key(figure, evidence, tables), 0.0
    if figure.kind in ("date", "time"):
        return verify_date(figure, evidence, tables), 0.0
    if around.range_end is not None:  # "between 16 and 20 May": the 16th of May
        start = dataclasses.replace(
            around.range_end, parts=(around.range_end.parts[0], around.range_end.parts[1], int(figure.value))
        )
        if verify_date(start, evidence, tables):
            return "data: a returned date, the start of a range", figure.value
    return _verify_number(figure, evidence, tables, made, around)


def _verify_number(
    figure: Figure, evidence: Evidence, tables: list[Table], made: Pools, around: Around
) -> tuple[str | None, float]:
    sentence, per = around.sentence, around.per
    value, tolerance = figure.value, figure.tolerance
    bare = figure.kind == "number" and figure.plain_integer and not figure.unit
    in_prose = bare and not figure.in_table
    if figure.per and value in (10, 100, 1000, 10_000, 100_000, 1_000_000):
        return "exempt: the base of a rate (per 1,000)", value
    column = _counted_column(figure, tables) if in_prose and 0 <= value < 10 else None
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
            return YEAR_OF_DATES, value
        return f"{REFUTED}a year the returned dates do not hold", value
    if column is not None:
        values = [row[column[1]].value for row in column[0].rows if row[column[1]].kind == "number"]
        if any(abs(abs(v) - value) <= tolerance for v in values) or made.counts.near(value, tolerance):
            return f"data: {column[0].columns[column[1]]}", value
        return f"{REFUTED}not a value of {column[0].columns[column[1]]}", value  # "4 open tickets", 3 open
    pool = {"percent": made.percents, "multiple": made.multiples}.get(figure.kind, made.numbers)
    found = pool.near(value, tolerance)
    if figure.kind == "number" and (POINTS.match(figure.noun) or IN_POINTS.search(sentence)):  # "up 3.0 pts"
        found += made.percents.near(value, tolerance)
    if figure.kind == "number" and BASIS_POINTS.match(figure.noun):  # "up 51 basis points": 0.51 points
        found += made.percents.near(value / 100, tolerance / 100)
    if figure.kind == "multiple":
        found += made.percents.near(value * 100, tolerance * 100)
    signed = [c for c in found if c.signed]
    plain_value = any(c.direct and not c.signed for c in found)
    if signed and not plain_value and all(_contradicts(figure, c) for c in signed):
        return f"{REFUTED}the returned change has the other sign", value  # "fell 12.5%", +12.5
    direct = [c for c in found if c.direct]
    if direct:
        return f"data: {direct[0].how}", direct[0].value
    if (
        _countable(figure, tables)
        and made.counts.near(value, tolerance)
        and not _row_before(figure, tables, sentence)
    ):
        return "a count of rows", value  # not "London has 10 of them": a count within one row's group
    if elapsed(figure, around.moments, around.stamps):
        return "derived: the time between two returned dates", value
    small = abs(value) < 10 and (figure.plain_integer or (figure.currency and float(value).is_integer()))
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
    named = figure.label in id_words or figure.label.removesuffix("s") in id_words or code_of(figure, tables)
    names_an_id = named and "," not in figure.text
    if bare and names_an_id and id_digits(figure.text, tables):
        return ID_NUMBER, value
    per_unit = (
        re.match(r"per\b", figure.noun) or "/" in figure.noun or re.search(r"\b(?:per|each)\b", sentence)
    )
    rate = made.rates.near(value, tolerance) if per_unit else []
    blended = made.blended.near(value, tolerance) if BLENDED.search(sentence) else []
    if blended:
        return f"derived: {blended[0].how}", value
    if rate:
        return f"derived: {rate[0].how}", rate[0].value
    if per > 1:  # "2.8 alerts per 1,000 transactions": a returned rate or a ratio, scaled to the base
        scaled = made.rates.near(value / per, tolerance / per) + made.numbers.near(
            value / per, tolerance / per
        )
        if scaled:
            return f"derived: {scaled[0].how}, per {per:,.0f}", scaled[0].value * per
    if bare and figure.in_table and 1900 <= value <= 2100 and in_years(int(value), tables):
        return YEAR_OF_DATES, value
    if not figure.in_table and FILTERING.search(sentence) and any(_same(figure, f) for f in evidence.filters):
        return "a literal of the SQL that ran", value
    if any(_said_in(figure, text) for t in tables for text in t.texts):
        return "data: a number inside returned text", value
    if (
        bare
        and not figure.in_table
        and any(value == n for t in tables for c in t.columns for n in _name_numbers(c))
    ):
        return "data: a number in a returned column's name", value  # "within 30 days": kits_expiring_30d
    pool = made.percents if figure.kind == "percent" else made.numbers
    met = [c for c in pool.near(value, abs(value) * 0.1) if (abs(c.value) - abs(value)) * figure.bound >= 0]
    if figure.bound and met:  # "more than 450 mm" of 462.8 mm; not of 412.3 mm
        return "a bound the data meets", value
    return None, value


def _contradicts(figure: Figure, candidate: Candidate) -> bool:
    """A rise or fall word against the sign of a returned change; "improved" is a fall for
    costs, defects, churn and the like."""
    direction = figure.change_sign() or figure.judged * (-1 if WORSE_IS_LOWER.search(candidate.how) else 1)
    return direction != 0 and candidate.value * direction < 0


def _rate_base(sentence: str) -> float:
    """The base a sentence states its rates per: "Per 10,000 lines, Day shift went from 12.6 to 10.8"."""
    found = RATE_BASE.search(sentence)
    return float(found.group(1).replace(",", "")) if found else 1.0


def _row_before(figure: Figure, tables: list[Table], sentence: str) -> bool:
    """A row named just before a count ("London accounts for 10 of them", "DEP-MAD, with 10
    lots"): the count is of that row's group, which a count of all rows does not vouch for."""
    at = sentence.find(figure.text.lower())
    before = sentence[max(0, at - 80) : at] if at >= 0 else ""
    return any(names(before, label) for table in tables for labels in table.labels for label in labels)


def _dates_named(tables: list[Table], sentence: str) -> list[tuple[int | None, ...]]:
    """The returned dates of the rows a sentence names, and of a lookup's single row: "paid on
    23 June, 24 days after its due date", "booked 74 days ahead of arrival"."""
    rows = [
        row
        for table in tables
        for row, labels in zip(table.rows, table.labels, strict=True)
        if len(table.rows) == 1 or any(names(sentence, label) for label in labels)
    ]
    return [c.parts for row in rows[:20] for c in row if c.kind == "date" and c.parts[0]]


def _day_before(figure: Figure, after: Figure | None) -> bool:
    """A day of the month starting a range to a date: "16 and 20 May", "3 to 7 June"."""
    return (
        after is not None
        and after.kind == "date"
        and after.parts[2] is not None
        and figure.plain_integer
        and 1 <= figure.value <= 31
        and figure.noun in ("", "and", "to", "through", "until", "till")
    )


def _said_in(figure: Figure, text: str) -> bool:
    """A number a returned text says, with the word that follows or precedes it there: "16
    weeks" in a policy that says "16 weeks", "net 30" in terms of "2/10 NET 30"; not "6
    weeks" where it says "6 months"."""
    word = figure.noun.split(" ")[0]
    return any(
        _same(figure, f)
        and (not word or f.noun.split(" ")[0] == word or (f.label and f.label == figure.label))
        for f in _figures_in(text)
    )


@functools.lru_cache(maxsize=4096)
def _figures_in(text: str) -> tuple[Figure, ...]:
    """The figures of a returned text cell, read once however many figures are checked against it."""
    return tuple(find_figures(text))


def _name_numbers(name: str) -> list[float]:
    return [float(n) for n in re.findall(r"(?<![a-z])\d+(?=[a-z]*(?:_|$))", name.lower())]


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
