"""The second pass: figures verified by way of the answer's other figures.

After each figure has been checked on its own (`check.py`), some that are still
unverified turn out to be derived from figures the answer itself verified: a number
that continues a list of ids ("accounts 55501 and 20417"), a figure in another unit
("41,183 minutes, about 686 hours"), or a figure two steps from the data ("4.2%":
284 of 6,726), which `two_steps.py` accepts only where a chance match is unlikely.
A figure the data contradicts stays flagged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from .evidence import Table
from .identities import id_digits
from .reading import Figure
from .two_steps import SCALES, Reach, TwoSteps, between, match
from .units import converted, unit_in_name
from .verdicts import Verdict

ID_NUMBER = "data: the number of an id"
YEAR_OF_DATES = "data: a year of the returned dates"  # a date, not an amount to compute with
POINTS = re.compile(r"(?:percentage )?(?:points?|pts|pp|ppt)\b")  # a difference of two percentages


def two_step_derivations(
    verdicts: list[Verdict],
    steps: Mapping[int, TwoSteps],
    lines: Sequence[str],
    units: Sequence[tuple[str, float] | None],
) -> list[Verdict]:
    """An unverified figure derived from the answer's own verified figures ("from $1.73M to
    $1.83M, about 5.7%"), or two steps from the data where a chance match is unlikely at
    its precision: a unit conversion ("$151,200 a year" from $12,600 a month), or the sum,
    difference, change or ratio of totals and verified figures ("4.2%": 284 of 6,726).
    A figure the data contradicts stays flagged, and a figure with a unit ("175 hours") is
    not the sum or difference of values the unit may not fit: only a conversion. Three
    times, so a figure verified this way can be a step for another."""
    far: dict[tuple[int, int, tuple[int, ...], bool], Reach] = {}  # built once per key
    for _ in range(3):
        known = [
            (value, f"“{v.figure.text}”", v.figure.kind)
            for v in verdicts
            if v.how and v.figure.kind in ("number", "percent") and v.value
            for value in {as_written(v), v.figure.value}  # exact, and as rounded: 22.86 - 20.7
        ]
        steps_from = [
            (as_written(v), f"“{v.figure.text}”", v.figure.kind == "percent")
            for v in verdicts
            if v.how
            and v.how.startswith(("data:", "derived"))
            and v.how != YEAR_OF_DATES
            and v.figure.kind in ("number", "percent")
        ]
        near = between(known)
        listed: dict[int, tuple[int, ...]] = {}
        checked = []
        for v, unit in zip(verdicts, units, strict=True):
            figure = v.figure
            bare = figure.plain_integer and not figure.unit
            if v.how is None and not v.refuted and figure.kind in ("number", "percent", "multiple"):
                found = None
                if not (bare and abs(figure.value) < 100):
                    pool = (
                        near.percents
                        if figure.kind == "percent" or POINTS.match(figure.noun)
                        else near.numbers
                    )
                    found = next(iter(pool.near(figure.value, figure.tolerance)), None)
                how = f"derived from the answer's own figures: {found.how}" if found else None
                if not found and not (bare and abs(figure.value) < 10):
                    scales = _units_near(figure, lines[figure.sentence]) or listed.get(figure.sentence, ())
                    listed[figure.sentence] = scales  # "3,071 hours, 2,532 and 1,622": one unit for a list
                    step = steps[figure.sentence]  # one per set of results in scope, shared by sentences
                    key = (id(step), len(steps_from), scales, unit is None)  # more verified: rebuilt
                    if key not in far:
                        far[key] = step.reach(steps_from, scales, pairs=unit is None)
                    reach = far[key]
                    found = match(reach, figure.kind, figure.value, figure.tolerance, figure.change_sign())
                    how = f"derived in two steps: {found.how}" if found else None
                if found:
                    v = Verdict(figure, how, found.value)
            checked.append(v)
        if checked == verdicts:
            break
        verdicts = checked
    return verdicts


def conversions(
    verdicts: list[Verdict], units: list[tuple[str, float] | None], tables: list[Table]
) -> list[Verdict]:
    """A figure that is another figure of the answer, or a returned value, total or average,
    in another unit of the same kind: "41,183 minutes, about 686 hours", "about 41 cm" of
    412.3 mm of rainfall, "| Delay (hours) | ~197 |" of 11,846 delay minutes."""
    sources: list[tuple[float, tuple[str, float], str]] = [
        (as_written(v), unit, f"“{v.figure.text}”")
        for v, unit in zip(verdicts, units, strict=True)
        if v.how and unit and v.figure.kind == "number"
    ]
    for table in tables:
        for i, name in enumerate(table.columns):
            unit = unit_in_name(name)
            values = [row[i].value for row in table.rows if row[i].kind == "number"]
            if unit and values:
                sources += [(v, unit, name) for v in values[:200]]
                sources += [
                    (sum(values), unit, f"the total of {name}"),
                    (sum(values) / len(values), unit, f"the average of {name}"),
                ]
    checked = []
    for v, unit in zip(verdicts, units, strict=True):
        if v.how is None and not v.refuted and unit and v.figure.kind == "number":
            for value, source, how in sources:
                as_unit = converted(value, source, unit)
                if as_unit is not None and abs(as_unit - v.figure.value) <= v.figure.tolerance + 1e-9 * abs(
                    as_unit
                ):
                    v = Verdict(v.figure, f"derived: {how} in other units", as_unit)
                    break
        checked.append(v)
    return checked


def _units_near(figure: Figure, sentence: str) -> tuple[int, ...]:
    """The unit conversions the words next to a figure point at: "$151,200 a year", "annualised
    run rate of $6.56M", "3,071 hours". Not the sentence's other words: in "EUR58.40 a month,
    up from EUR52.30 a year earlier" the year is no conversion of 58.40."""
    at = sentence.find(figure.text.lower())
    near = f"{sentence[max(0, at - 40) : at]} {figure.noun}" if at >= 0 else figure.noun
    if figure.in_table:  # a cell's unit is in its column's header: "| Delay (hours) |"
        near = sentence
    return tuple(scale for scale, _, words in SCALES if re.search(words, near))


ZONE = re.compile(
    r"\b(?:utc|gmt|ist|cet|cest|eet|est|edt|cst|cdt|mst|mdt|pst|pdt|bst|aest|awst|jst|local|[a-z]+ time)\b"
)


def time_zones(
    verdicts: list[Verdict], lines: Sequence[str], stamps: Mapping[int, list[tuple[int | None, ...]]]
) -> list[Verdict]:
    """A returned time restated in another time zone ("7:52 AM UTC, which is 8:52 AM Manchester
    time", "undocked at 1:18 PM IST"): a time, in a sentence naming a zone, whose minutes agree
    with a verified time's or with a returned timestamp's of a row the sentence names (or differ
    by a half or three quarters of an hour); and a date a day either side of a verified date
    in such a sentence ("10:35 PM UTC on 14 June, 6:35 AM on 15 June in Perth")."""
    checked = list(verdicts)
    for i, v in enumerate(checked):
        figure = v.figure
        if (
            v.how is not None
            or figure.kind not in ("time", "date")
            or not ZONE.search(lines[figure.sentence])
        ):
            continue
        same = [w.figure for w in checked if w.how and w.figure.sentence == figure.sentence]
        if figure.kind == "time" and figure.parts[1] is not None:
            minutes = [w.parts[1] for w in same if w.kind == "time" and w.parts[1] is not None]
            minutes += [p[4] for p in stamps.get(figure.sentence, []) if len(p) > 4 and p[4] is not None]
            if {(figure.parts[1] - m) % 60 for m in minutes} & {0, 15, 30, 45}:
                checked[i] = Verdict(figure, "data: a returned time, in another time zone")
        elif figure.kind == "date" and None not in figure.parts[1:3]:
            month, day = figure.parts[1], figure.parts[2]
            near = [w for w in same if w.kind == "date" and w.parts[1] == month and w.parts[2] is not None]
            if any(abs(w.parts[2] - day) == 1 for w in near):
                checked[i] = Verdict(figure, "data: a returned date, in another time zone")
    return checked


def id_lists(verdicts: list[Verdict], tables: list[Table]) -> list[Verdict]:
    """A number that continues a list of ids ("accounts 55501 and 20417", "couriers 20417
    (4.91), 30562 (4.94) and 27705") is an id too, if a returned id ends in it."""
    checked = list(verdicts)
    for i, v in enumerate(checked):
        listed = v.figure.label in ("and", "or", "") and any(
            earlier.how == ID_NUMBER and earlier.figure.sentence == v.figure.sentence
            for earlier in checked[:i]
        )
        if v.how is None and listed and id_digits(v.figure.text, tables):
            checked[i] = Verdict(v.figure, ID_NUMBER, v.figure.value)
    return checked


def as_written(verdict: Verdict) -> float:
    """The exact value that verified a figure, with the sign the figure is written with."""
    return abs(verdict.value) if verdict.figure.value >= 0 else -abs(verdict.value)
