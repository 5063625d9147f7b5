"""Figures two steps from the data, accepted only where a chance match is unlikely.

Honest answers go further than `derived.py` expects: an annual run rate is a monthly
total times 12, delay minutes become hours, kWh become MWh, a blended rate divides
one sum by another, a change is taken between two figures the answer already
verified. Each extra step multiplies the values an invented figure could match by
luck. So a figure counts as derived in two steps only if, written as precisely as
it is, it would rarely match one of them by chance: `chance` estimates how many of
the candidates near it a random figure of that precision would hit. "$151,200 a year"
(from $12,600 a month) passes; "about 4%" next to hundreds of ratios does not.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable, Sequence

from .derived import NON_ADDITIVE, Candidate, Pool, row_date
from .evidence import Table

# Units a reader converts between without saying how, each with the words that show it:
# a monthly figure made annual, minutes made hours, kWh made MWh, a rate per 1,000.
SCALES = [
    (12, "months in a year", r"year|annual|yearly|\barr\b|per annum|/yr|month|\bmrr\b"),
    (4, "quarters in a year", r"quarter|year|annual"),
    (52, "weeks in a year", r"week|year|annual"),
    (7, "days in a week", r"week|day|daily"),
    (365, "days in a year", r"year|annual|day|daily"),
    (24, "hours in a day", r"hour|\bhrs?\b|day"),
    (60, "minutes in an hour", r"hour|\bhrs?\b|minute|\bmins?\b|second|\bsecs?\b"),
    (3600, "seconds in an hour", r"hour|\bhrs?\b|second|\bsecs?\b"),
    (
        1000,
        "a thousand",
        r"thousand|1,000|\b1000\b|\b[kmgt]wh\b|\b[kmgt]b\b|tonne|\bkg\b|\bkm\b|\bk\b|litre|liter",
    ),
    (1_000_000, "a million", r"million|1,000,000|\b[gm]wh\b|\btb\b"),
    (100, "a hundred", r"per 100\b|per hundred|basis point|\bbps\b"),
]
CHANCE = 0.1  # at most this many chance matches expected for a figure of the precision written
MAX_DIRECT = 400
MAX_PAIRED = 80  # returned values and totals paired
MAX_ANSWER = 30  # verified figures of the answer paired with them


@dataclasses.dataclass(frozen=True)
class Base:
    """A value a two-step figure may start from. `when` orders it in time where that is known:
    its result's age (an earlier turn's is older), then its row's date in a series."""

    value: float
    how: str
    when: tuple[int, tuple[int, ...]] | None  # None: a figure of the answer
    percent: bool = False
    cell: tuple[int, int, int] | None = None  # a returned value's (table, row, column)

    def beside(self, other: Base) -> bool:
        """Two returned values of one row or one column: a pair a reader would combine."""
        if self.cell is None or other.cell is None:
            return True
        (t, r, c), (u, q, d) = self.cell, other.cell
        return t == u and (r == q or c == d)

    def newer_than(self, other: Base) -> bool | None:
        """True or False where the two are ordered in time, else None."""
        if self.when is None or other.when is None:
            return None
        (age, date), (other_age, other_date) = self.when, other.when
        if age != other_age:
            return age < other_age
        if date and other_date and date != other_date:
            return date > other_date
        return None


@dataclasses.dataclass(frozen=True)
class Reach:
    """Two-step candidates by what they are: amounts and counts, or percentages. A difference
    of two values whose order is unknown is `ordered=False`: it cannot verify a rise or a fall."""

    numbers: Pool
    percents: Pool


class TwoSteps:
    """Values two steps from the returned data and the answer's verified figures."""

    def __init__(self, tables: Sequence[Table]) -> None:
        self._direct: list[Base] = []
        self._totals: list[Base] = []
        for t, table in enumerate(tables):
            dates = [row_date(row) for row in table.rows]
            for i, name in enumerate(table.columns):
                cells = [
                    (r, row[i])
                    for r, row in enumerate(table.rows)
                    if i < len(row) and row[i].kind == "number"
                ]
                self._direct += [
                    Base(c.value, name, (table.turn, dates[r]), c.percent, (t, r, i)) for r, c in cells
                ]
                if (
                    len(cells) > 1
                    and not NON_ADDITIVE.search(name)
                    and not any(c.percent or c.signed for _, c in cells)
                ):
                    total = sum(c.value for _, c in cells)
                    self._totals.append(Base(total, f"the total of {name}", (table.turn, ())))
        self._direct = self._direct[:MAX_DIRECT]

    def reach(
        self, verified: Iterable[tuple[float, str, bool]], units: Iterable[int], *, pairs: bool = True
    ) -> Reach:
        """A unit conversion of any returned value, total or verified figure, by each of `units`
        (the words by the figure name them: "a year", "hours", "MWh"); and the sum, difference,
        ratio, share or change of two totals or verified figures, or of two returned values of
        one row or one column. Between two turns' values, or two dated rows, a change is taken
        from the earlier to the later only, and keeps its sign. `verified` holds the exact
        value, text and percent flag of each; without `pairs`, conversions only."""
        answer = [Base(value, how, None, percent) for value, how, percent in verified]
        numbers, percents = Pool(), Pool()
        scales = [(scale, unit) for scale, unit, _ in SCALES if scale in units]
        for base in [*self._direct, *self._totals, *answer]:
            for scale, unit in scales:
                numbers.add(base.value * scale, ("{} times {} ({})", base.how, str(scale), unit))
                numbers.add(base.value / scale, ("{} over {} ({})", base.how, str(scale), unit))
        if not pairs:
            return Reach(numbers.freeze(), percents.freeze())
        data = [*self._totals, *self._direct[:MAX_PAIRED]]
        for a, b in [
            *((a, b) for a in answer[:MAX_ANSWER] for b in data),
            *((b, a) for a in answer[:MAX_ANSWER] for b in data),
            *((a, b) for a in data for b in data if a is not b and a.beside(b)),
        ]:  # the answer's own pairs are `between`'s
            if a.percent != b.percent:
                continue  # a percentage and an amount add up to nothing
            newer = a.newer_than(b)
            ordered = {
                "ordered": newer is not None,
                "signed": newer is not None,
            }  # else which came first is unknown
            numbers.add(a.value + b.value, ("{} plus {}", a.how, b.how))
            if newer is not False:  # in time, from the older to the newer only
                (percents if a.percent else numbers).add(
                    a.value - b.value, ("{} minus {}", a.how, b.how), **ordered
                )
            if b.value and not a.percent:
                numbers.add(a.value / b.value, ("{} over {}", a.how, b.how))
                percents.add(100 * a.value / b.value, ("{} as a share of {}", a.how, b.how))
                if newer is not False:
                    change = ("the change from {} to {}", b.how, a.how)
                    percents.add(100 * (a.value - b.value) / b.value, change, **ordered)
        return Reach(numbers.freeze(), percents.freeze())


def between(verified: Sequence[tuple[float, str, str]]) -> Reach:
    """The differences, sums, changes and shares of two figures the answer verified ("from
    $1.73M to $1.83M, about 5.7%"). A reader sees both figures, so these need no chance test.
    `verified` holds (exact value, text, kind); a ratio counts for "2.3x" and amounts, a share
    or change for percentages only."""
    numbers, percents = Pool(), Pool()
    for (a, x, kind_a), (b, y, kind_b) in itertools.permutations(verified[:40], 2):
        if not b or x == y:
            continue
        numbers.add(a / b, f"{x} over {y}")
        if kind_a == "percent" and kind_b != "percent":  # "the 2% discount is worth €372.80"
            numbers.add(a * b / 100, f"{x} of {y}")
        if kind_a == kind_b:
            (percents if kind_a == "percent" else numbers).add(a - b, f"{x} minus {y}")
            (percents if kind_a == "percent" else numbers).add(a + b, f"{x} plus {y}")
        if kind_a == kind_b != "percent":
            percents.add(100 * (a - b) / b, f"the change from {y} to {x}")
            percents.add(100 * a / b, f"{x} as a share of {y}")
    return Reach(numbers.freeze(), percents.freeze())


def chance(pool: Pool, value: float, tolerance: float) -> float:
    """How many candidates of `pool` a figure of this size and precision would match by luck:
    the candidates within a factor of 10 around it, times the share of that range its
    rounding interval covers (on a log scale, where figures spread evenly)."""
    size = abs(value)
    if size <= tolerance:
        return math.inf
    near = pool.count(size / math.sqrt(10), size * math.sqrt(10))
    return near * (2 * tolerance / size) / math.log(10)


def match(reach: Reach, figure_kind: str, value: float, tolerance: float, direction: int) -> Candidate | None:
    """The two-step candidate that rounds to the figure, if a chance match is unlikely; with a
    rise or fall word, only a change of that sign."""
    pool = reach.percents if figure_kind == "percent" else reach.numbers
    found = [
        c for c in pool.near(value, tolerance) if not direction or (c.ordered and not direction * c.value < 0)
    ]
    if not found or chance(pool, value, tolerance) > CHANCE:
        return None
    return found[0]
