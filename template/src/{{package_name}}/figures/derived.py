"""The figures an honest answer may compute from the data, each with how it was computed.

An answer that says "EMEA was 31.3% of the total" or "about 73k across the quarter"
is honest if that is what the returned rows add up to. Flagging it would teach users
to ignore the notice. But every extra candidate is a chance for an invented figure
to match by luck, so only derivations a reader would expect are made: a column's
total, average, median and each value's share of the total; changes and ratios
between neighbouring rows, the first and last row, and the columns of one row;
totals and averages per group of a label column; and any pair of rows the answer
itself names.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import itertools
import operator
import re
import statistics
from collections.abc import Sequence

from .evidence import Cell, Table
from .scope import names

MAX_GROUPS = 30
NEWER = re.compile(r"current|this|new|latest|after|actual", re.I)
OLDER = re.compile(r"prior|prev|last|old|before|baseline|target", re.I)
PRICE = re.compile(r"price|cost|fee|rate_usd|amount|value|arpu|arpa|adr|revpar|per_|avg|mean|unit", re.I)
NON_ADDITIVE = re.compile(
    r"avg|average|mean|median|rate|ratio|pct|percent|per_|score|csat|nps|price|margin|_ms$|latency|age$|"
    r"arpu|arpa|adr|revpar|aov|asp",
    re.I,
)
GENERIC = {"pct", "the", "and", "total", "avg", "sum", "count", "value", "amount"}


@dataclasses.dataclass(frozen=True)
class Candidate:
    value: float
    how: str
    direct: bool = False  # a value as returned, not computed
    signed: bool = False  # from a column of changes, where the sign is the data's claim
    ordered: bool = True  # False: a difference of two values whose order is unknown


class Pool:
    """Candidates sorted by size, searched by the precision a figure is written with. A
    candidate's `how` may be given as a format and its parts, ("{} minus {}", a, b): it is
    written out only for the candidates a figure matches, as pools run to tens of thousands."""

    def __init__(self) -> None:
        self._items: list[tuple[float, float, str | tuple[str, ...], bool, bool, bool]] = []
        self._keys: list[float] = []

    def add(
        self,
        value: float,
        how: str | tuple[str, ...],
        *,
        direct: bool = False,
        signed: bool = False,
        ordered: bool = True,
    ) -> None:
        if value == value and abs(value) != float("inf"):  # not NaN or infinite
            self._items.append((abs(value), value, how, direct, signed, ordered))

    def freeze(self) -> Pool:
        self._items.sort(key=operator.itemgetter(0))
        self._keys = [item[0] for item in self._items]
        return self

    def near(self, written: float, tolerance: float) -> list[Candidate]:
        """Candidates that round to `written` at its precision."""
        size = abs(written)
        slack = 1e-9 * max(size, 1.0)
        low = bisect.bisect_left(self._keys, size - tolerance - slack)
        high = bisect.bisect_right(self._keys, size + tolerance + slack)
        return [
            Candidate(value, how if isinstance(how, str) else how[0].format(*how[1:]), *flags)
            for _, value, how, *flags in self._items[low:high]
        ]

    def count(self, low: float, high: float) -> int:
        """How many candidates lie between two sizes."""
        return bisect.bisect_right(self._keys, high) - bisect.bisect_left(self._keys, low)


@dataclasses.dataclass
class Pools:
    numbers: Pool
    percents: Pool
    multiples: Pool
    counts: Pool
    anchored: Pool  # returned values against the user's figures: for amounts and percentages only
    rates: Pool  # any column over another in a row, for a figure written as a rate ("$6.25 per TB")
    blended: Pool  # rates weighted by a count column, for a figure called "blended", "overall"...


def pools(
    tables: Sequence[Table],
    cited: Sequence[tuple[int, int]],
    anchors: Sequence[float] = (),
    tops: Sequence[int] = (),
    every: Sequence[Table] = (),
    answer: str = "",
) -> Pools:
    """Every value, and every expected derivation, of `tables`; `cited` are (table, row) pairs
    the answer names, whose values may be combined with each other; `anchors` are the user's
    figures, which returned values may be compared with ("$234k above your target"); `tops`
    are the small counts the answer writes, for totals of its "top 5"; `every` is every result
    of the conversation, in scope or not, for changes since an earlier turn of the rows the
    `answer` names."""
    made = Pools(*(Pool() for _ in dataclasses.fields(Pools)))
    _against(tables, anchors, made)
    for table in tables:
        _direct(table, made)
        first, last = (row_date(table.rows[0]), row_date(table.rows[-1])) if table.rows else ((), ())
        order = (last > first) - (last < first) if first and last else 0  # 1: the last row is the newest
        for index, column in enumerate(table.columns):
            cells = [(r, row[index]) for r, row in enumerate(table.rows) if row[index].kind == "number"]
            _column(column, cells, made, tops=tops, series=_is_series(table), order=order)
            _groups(table, index, made)
        for row in table.rows:
            numbers = [(table.columns[i], c) for i, c in enumerate(row) if c.kind == "number"]
            counts = [c.value for _, c in numbers if c.value.is_integer() and not (c.percent or c.signed)]
            if len(counts) > 2:  # "42 active, 5 in maintenance, 2 out of service (49 in total)"
                made.numbers.add(sum(counts), "the total of one row's counts")
            for (name_a, a), (name_b, b) in itertools.permutations(numbers[:8], 2):
                if b.value:
                    made.rates.add(a.value / b.value, f"{name_a} per {name_b} of one row")
                if b.value and _counts(table, name_b) and not _counts(table, name_a):
                    made.numbers.add(a.value / b.value, f"{name_a} per {name_b} of one row")
                    if PRICE.search(name_a):  # quantity times unit price: a line's total
                        made.numbers.add(a.value * b.value, f"{name_a} times {name_b} of one row")
                if _same_kind(name_a, name_b) or (_counts(table, name_a) and _counts(table, name_b)):
                    _in_row(name_a, a, name_b, b, made)
        _column_totals(table, made)
        _weighted(table, made)
        _weekdays(table, made)
        _quarters(table, made)
        for a, b in itertools.permutations(table.counts, 2):
            made.counts.add(a - b, "the difference of two counts of rows")
        for count in table.counts:
            made.counts.add(count, "a count of rows")
    _across_tables(tables, cited, made)
    _across_turns(every, answer, made)
    named = [tables[t].rows[r] for t, r in cited]
    for t in {t for t, _ in cited}:
        rows = [tables[t].rows[r] for u, r in cited if u == t][:30]
        for i, name in enumerate(tables[t].columns):
            for row_a, row_b in itertools.permutations(rows, 2):
                a, b = row_a[i], row_b[i]
                when_a, when_b = row_date(row_a), row_date(row_b)
                in_time = bool(when_a and when_b and when_a != when_b)
                if a.signed or b.signed:
                    continue  # a difference of two changes says nothing
                if a.kind == b.kind == "number" and not (in_time and when_a < when_b):  # from older to newer
                    _pair(a, b, f"two rows of {name} the answer names", made, signed=in_time)
    for size in range(2, min(len(named), 8) + 1):
        for columns in zip(*named[:size], strict=False):
            numbers = [c.value for c in columns if c.kind == "number"]
            if len(numbers) == size:
                made.numbers.add(sum(numbers), "the total of the rows the answer names")
    for t in {t for t, _ in cited}:  # "L02 and L04 together: 67.6% of all defects"
        rows = [tables[t].rows[r] for u, r in cited if u == t][:8]
        for i, name in enumerate(tables[t].columns):
            column = [row[i].value for row in tables[t].rows if row[i].kind == "number"]
            total = sum(column)
            if len(rows) > 1 and len(column) > len(rows) and total and not NON_ADDITIVE.search(name):
                share = sum(row[i].value for row in rows if row[i].kind == "number")
                made.percents.add(100 * share / total, f"the share of the rows the answer names in {name}")
    return Pools(
        *(pool.freeze() for pool in (getattr(made, field.name) for field in dataclasses.fields(Pools)))
    )


def _across_turns(tables: Sequence[Table], answer: str, made: Pools) -> None:
    """Changes of each row the answer names since an earlier turn's result held the same row
    ("Western Europe added 564 kits, +14.8%"), from the earlier to the later, with their sign.
    Only changes: an earlier value itself vouches for nothing said about this turn."""
    current = [t for t in tables if t.turn == 0]
    for new, old in itertools.product(current, [t for t in tables if t.turn > 0]):
        bases = [_base_name(name) for name in old.columns]
        shared = [
            (i, bases.index(_base_name(n))) for i, n in enumerate(new.columns) if _base_name(n) in bases
        ]
        for i, j in shared:  # "quotes fell by 352 to 5,330": the totals of a column, then and now
            now = [row[i].value for row in new.rows if row[i].kind == "number"]
            then = [row[j].value for row in old.rows if row[j].kind == "number"]
            if len(now) > 1 and len(then) > 1 and not NON_ADDITIVE.search(new.columns[i]):
                how = f"the total of {new.columns[i]} since the earlier result"
                made.numbers.add(sum(now) - sum(then), f"the change of {how}", signed=True)
                if sum(then):
                    made.percents.add(
                        100 * (sum(now) - sum(then)) / sum(then), f"the change of {how}", signed=True
                    )
        for row, labels in zip(new.rows, new.labels, strict=True):
            for earlier, earlier_labels in zip(old.rows, old.labels, strict=True):
                if not any(names(answer, label) for label in labels & earlier_labels):
                    continue
                for a, b in itertools.product(row[:8], earlier[:8]):  # "£54.49 of sales per labour hour"
                    if a.kind == b.kind == "number" and a.value and b.value:
                        made.numbers.add(
                            a.value / b.value, "a value over one of the same row's earlier result"
                        )
                        made.numbers.add(
                            b.value / a.value, "an earlier result's value over one of the same row"
                        )
                for i, j in shared:
                    a, b = row[i], earlier[j]
                    if a.kind == b.kind == "number":
                        how = f"{new.columns[i]} since the earlier result"
                        made.numbers.add(a.value - b.value, f"the change of {how}", signed=True)
                        if a.percent and b.percent:
                            made.percents.add(_points(a, b), f"the change in points of {how}", signed=True)
                        if b.value:
                            made.percents.add(
                                100 * (a.value - b.value) / b.value, f"the change of {how}", signed=True
                            )


def _across_tables(tables: Sequence[Table], cited: Sequence[tuple[int, int]], made: Pools) -> None:
    """The same row and column in two results (this turn's Engineering against last turn's):
    their differences, changes and ratios."""
    for (t, r), (u, q) in itertools.permutations(cited, 2):
        if t == u or not tables[t].labels[r] & tables[u].labels[q]:
            continue
        for i, name in enumerate(tables[t].columns):
            if name in tables[u].columns:
                a, b = tables[t].rows[r][i], tables[u].rows[q][tables[u].columns.index(name)]
                if a.kind == b.kind == "number":
                    _pair(a, b, f"{name} in two results", made)


def _direct(table: Table, made: Pools) -> None:
    for r, row in enumerate(table.rows):
        for i, cell in enumerate(row):
            if cell.kind != "number":
                continue
            how = f"{table.columns[i]} in row {r + 1}"
            made.numbers.add(cell.value, how, direct=True, signed=cell.signed)
            if cell.scale != 1:  # "498.73" under a "(₹ lakh)" header, as the column gives it
                made.numbers.add(
                    cell.value / cell.scale, f"{how}, as returned", direct=True, signed=cell.signed
                )
            if cell.percent or not cell.value.is_integer():
                made.percents.add(cell.value, how, direct=True, signed=cell.signed)
            if abs(cell.value) <= 10:
                made.percents.add(
                    cell.value * 100,
                    f"{how}, as a percentage",
                    direct=True,
                    signed=cell.signed,
                )


def _is_series(table: Table) -> bool:
    """Rows over time (a date or year column): neighbouring rows are compared, not ranked."""
    return (
        any(
            c.kind == "date" or (c.kind == "code" and len(c.key) == 4 and c.key.isdigit())
            for c in table.rows[0]
        )
        if table.rows
        else False
    )


def _counts(table: Table, name: str) -> bool:
    """A column of whole numbers: orders, tickets, units."""
    index = table.columns.index(name)
    return all(row[index].value.is_integer() for row in table.rows if row[index].kind == "number")


def _column(
    name: str,
    cells: Sequence[tuple[int, Cell]],
    made: Pools,
    *,
    tops: Sequence[int],
    series: bool,
    order: int = 0,
) -> None:
    values = [cell.value for _, cell in cells]
    if len(values) < 2:
        return
    total = sum(values)
    made.numbers.add(total / len(values), f"the average of {name}")
    made.numbers.add(statistics.median(values), f"the median of {name}")
    made.percents.add(statistics.fmean(values), f"the average of {name}")
    if abs(statistics.fmean(values)) <= 10:
        made.percents.add(100 * statistics.fmean(values), f"the average of {name}, as a percentage")
    if NON_ADDITIVE.search(name):
        return  # averages, rates and prices have no meaningful total or shares
    made.numbers.add(total, f"the total of {name}")
    for value in values:
        if cells[0][1].percent:
            break  # rates are not shares of a total
        made.numbers.add(total - value, f"the total of {name} without one row")
        if total:
            made.percents.add(100 * value / total, f"a share of the total of {name}")
    for k in sorted({k for k in tops if 1 < k < len(values)}):
        top = sum(values[:k])
        made.numbers.add(top, f"the total of the first {k} rows of {name}")
        if total:
            made.percents.add(100 * top / total, f"the share of the first {k} rows of {name}")
    if not series:
        return
    first, last = values[0], values[-1]  # over the whole series; between named rows, see `cited`
    pairs = [(last, first)] if order > 0 else [(first, last)] if order < 0 else [(last, first), (first, last)]
    for new, old in pairs:  # from the older to the newer where the dates say which is which
        made.numbers.add(new - old, f"the difference of two rows of {name}", signed=bool(order))
        if old:
            made.percents.add(
                100 * (new - old) / old, f"the change between two rows of {name}", signed=bool(order)
            )
    if min(values) > 0:
        made.multiples.add(max(values) / min(values), f"the largest over the smallest {name}")


def _against(tables: Sequence[Table], anchors: Sequence[float], made: Pools) -> None:
    values = [c.value for t in tables for row in t.rows for c in row if c.kind == "number"]
    for i in range(max((len(t.columns) for t in tables), default=0)):
        values += [
            sum(row[i].value for row in t.rows if i < len(row) and row[i].kind == "number") for t in tables
        ]
    for anchor in [a for a in anchors if a][:20]:
        for value in values[:400]:
            made.anchored.add(value - anchor, "the difference from the user's figure")
            made.anchored.add(100 * value / anchor, "the ratio to the user's figure")
            made.anchored.add(100 * (value - anchor) / anchor, "the change from the user's figure")


def _weekdays(table: Table, made: Pools) -> None:
    """A daily series' weekdays against its weekend: "Saturday and Sunday averaged 2,038 TB a
    day versus 1,812 TB on weekdays"."""
    days = [row_date(row) for row in table.rows]
    if len(table.rows) < 5 or not all(len(d) >= 3 and d[2] for d in days) or len(set(days)) < len(days):
        return  # not a daily series
    if not _is_series(table):
        return
    weekend = [datetime.date(*d[:3]).weekday() >= 5 for d in days]
    if all(weekend) or not any(weekend):
        return
    for i, name in enumerate(table.columns):
        for part, label in ((True, "weekend days"), (False, "weekdays")):
            values = [
                row[i].value
                for row, end in zip(table.rows, weekend, strict=True)
                if end == part and row[i].kind == "number"
            ]
            if values:
                made.numbers.add(sum(values), f"the total of {name} on {label}")
                made.numbers.add(statistics.fmean(values), f"the average of {name} on {label}")


def _quarters(table: Table, made: Pools) -> None:
    """A monthly series' quarters and halves: "34,400 oz in April-June against 29,592 oz in
    January-March"."""
    months = [row_date(row)[:2] for row in table.rows]
    if len(table.rows) < 3 or not all(len(m) == 2 and m[1] for m in months) or len(set(months)) < len(months):
        return  # not a monthly series
    for size, label in ((3, "quarter"), (6, "half-year")):
        periods: dict[tuple[int, int], list[list[Cell]]] = {}
        for (year, month), row in zip(months, table.rows, strict=True):
            periods.setdefault((year, (month - 1) // size), []).append(row)
        for rows in periods.values():
            if len(rows) < 2:
                continue
            for i, name in enumerate(table.columns):
                values = [row[i].value for row in rows if row[i].kind == "number"]
                if len(values) == len(rows):
                    made.numbers.add(sum(values), f"the total of {name} for one {label}")
                    made.numbers.add(statistics.fmean(values), f"the average of {name} for one {label}")


def _weighted(table: Table, made: Pools) -> None:
    """The average of a rate or price column weighted by a count column: "blended ARPU €20.14"
    (ARPU weighted by subscribers), "overall on-time rate 91.2%"."""
    for i, name in enumerate(table.columns):
        if not NON_ADDITIVE.search(name):
            continue
        for j, weight in enumerate(table.columns):
            if j == i or not _counts(table, weight) or NON_ADDITIVE.search(weight):
                continue
            pairs = [(row[i], row[j]) for row in table.rows if row[i].kind == row[j].kind == "number"]
            total = sum(w.value for _, w in pairs)
            if len(pairs) > 1 and total:
                mean = sum(a.value * w.value for a, w in pairs) / total
                how = f"the average of {name} weighted by {weight}"
                made.blended.add(mean, how)
                if abs(mean) <= 1:
                    made.blended.add(100 * mean, f"{how}, as a percentage")


def _column_totals(table: Table, made: Pools) -> None:
    """Changes between the totals of columns of one kind ("revenue_2024" against "revenue_2023"),
    and the ratio of any two totals ("occupied beds over beds: 80%")."""
    totals = {}
    for i, name in enumerate(table.columns):
        numbers = [row[i].value for row in table.rows if row[i].kind == "number"]
        if len(numbers) > 1 and not NON_ADDITIVE.search(name):
            totals[name] = sum(numbers)
    for (name_a, a), (name_b, b) in itertools.permutations(totals.items(), 2):
        if b:
            made.percents.add(100 * a / b, f"the total of {name_a} over the total of {name_b}")
            made.rates.add(a / b, f"the total of {name_a} per {name_b}")
            if _counts(table, name_b) and not _counts(table, name_a):  # "$62.48 per return", blended
                made.numbers.add(a / b, f"the total of {name_a} per {name_b}")
        if _same_kind(name_a, name_b):
            _in_row(name_a, Cell("number", a), name_b, Cell("number", b), made, what="the totals of ")


def _base_name(name: str) -> str:
    """A column's name without the period it is for: "cii_rx_q1_2025" and "cii_rx_q4_2024" are
    one measure in two results."""
    return re.sub(
        r"(?:^|_)(?:q[1-4]|h[12]|fy\d*|\d+|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)(?=_|$)",
        "",
        name.lower(),
    )


def _in_row(name_a: str, a: Cell, name_b: str, b: Cell, made: Pools, what: str = "") -> None:
    """Two columns of one kind: sums, differences, ratios and changes. Where the names say which
    is newer ("2024" and "2023", "current" and "prior"), the change has a sign a rise or fall
    word must agree with."""
    how = f"{what}{name_a} and {name_b}"
    order = _order(name_a, name_b)
    signed = order is not None
    if order == -1:
        return  # the same pair is added the other way round
    made.numbers.add(a.value - b.value, f"the difference of {how}", signed=signed)
    if a.percent and b.percent:
        made.percents.add(_points(a, b), f"the difference in points of {how}", signed=signed)
    if b.value:
        made.percents.add(100 * a.value / b.value, f"the ratio of {how}")
        made.percents.add(
            100 * (a.value - b.value) / b.value, f"the change from {name_b} to {name_a}", signed=signed
        )
        made.multiples.add(a.value / b.value, f"the ratio of {how}")
    if not signed and a.value:
        made.percents.add(100 * (b.value - a.value) / a.value, f"the change from {name_a} to {name_b}")


def _same_kind(name_a: str, name_b: str) -> bool:
    return bool(_words(name_a) & _words(name_b))


def _order(name_a: str, name_b: str) -> int | None:
    """1 when column a is the newer, -1 when b is, None when the names do not say."""
    years_a, years_b = re.findall(r"\d+", name_a), re.findall(r"\d+", name_b)
    if years_a and years_b and years_a != years_b:
        return 1 if int(years_a[-1]) > int(years_b[-1]) else -1
    newer, older = NEWER.search(name_a), OLDER.search(name_a)
    other_newer, other_older = NEWER.search(name_b), OLDER.search(name_b)
    if newer and other_older:
        return 1
    if older and other_newer:
        return -1
    return None


def _words(name: str) -> set[str]:
    return {w for w in re.split(r"[^a-z]+", name.lower()) if len(w) > 2} - GENERIC


def _groups(table: Table, index: int, made: Pools) -> None:
    """Totals and averages of each numeric column per value of a label column."""
    keys = [row[index] for row in table.rows]
    if any(k.kind not in ("text", "code", "date") for k in keys):
        return
    groups: dict[tuple, list[list[Cell]]] = {}
    for key, row in zip(keys, table.rows, strict=True):
        groups.setdefault((key.kind, key.key, key.parts[:2]), []).append(row)
    if not 1 < len(groups) <= MAX_GROUPS or len(groups) == len(table.rows):
        return
    for rows in groups.values():
        for i, name in enumerate(table.columns):
            numbers = [row[i].value for row in rows if row[i].kind == "number"]
            if numbers:
                made.numbers.add(sum(numbers), f"the total of {name} for one group")
                made.numbers.add(statistics.fmean(numbers), f"the average of {name} for one group")
                made.percents.add(statistics.fmean(numbers), f"the average of {name} for one group")


def row_date(row: Sequence[Cell]) -> tuple[int, ...]:
    """The row's first date, as a sortable key: () when it has none."""
    return next((tuple(p or 0 for p in c.parts) for c in row if c.kind == "date"), ())


def _points(a: Cell, b: Cell) -> float:
    """The difference of two percentages in points: rates stored as fractions (0.9495 and
    0.9486) differ by 0.09 points, not 0.0009."""
    return (100 if abs(a.value) <= 1 and abs(b.value) <= 1 else 1) * (a.value - b.value)


def _pair(a: Cell, b: Cell, how: str, made: Pools, *, signed: bool = False) -> None:
    """Two values: their difference, sum, ratio and change; `signed` when a is the later of two
    dated rows, so a rise or fall word must agree with the sign."""
    made.numbers.add(a.value - b.value, f"the difference of {how}", signed=signed)
    made.numbers.add(a.value + b.value, f"the sum of {how}")
    if a.percent and b.percent:
        made.percents.add(_points(a, b), f"the difference in points of {how}", signed=signed)
    if b.value:
        made.percents.add(100 * a.value / b.value, f"the ratio of {how}")
        made.percents.add(100 * (a.value - b.value) / b.value, f"the change between {how}", signed=signed)
        made.multiples.add(a.value / b.value, f"the ratio of {how}")
