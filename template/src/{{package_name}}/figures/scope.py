"""Which returned tables a sentence of the answer may draw on.

This turn's results always count. An earlier turn's result counts for a sentence that
names one of its rows by a label this turn and the current question do not use, that
holds a term only an earlier question used ("Q1" when the user now asks about Q2) or a
comparison ("up from", "vs"), or that names a measure only the earlier table has. When
this turn returned no rows (a follow-up with no tool call), every earlier table counts.
So a number from another question does not vouch for the same number attached to
something else.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from .evidence import Table
from .identities import date_matches

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


MONTH_WORDS = (
    r"\b(january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b"
)


TERMS = re.compile(
    r"\b(?:[A-Za-z]+\d+\w*|(?<=[a-z,;:] )[A-Z][A-Za-z]+|(?:19|20)\d\d)\b"
)  # Q1, FY23, March, 2023


COMPARISON = re.compile(
    r"\b(?:vs|versus|from|compared|against|than|previous\w*|prior|before|earlier"
    r"|last (?:quarter|year|month|week|time)|a year ago|yoy|qoq|mom)\b|→|->"
)


class Scope:
    """Which tables a sentence may draw on: this turn's, and the earlier rows it names.

    An earlier row counts for a sentence that names it by a label neither this turn's rows
    nor the current question use, or that names it in a sentence holding a term only an
    earlier question used ("Q1" when the user now asks about Q2). When this turn returned
    no rows (a follow-up with no tool call), every earlier table counts.
    """

    def __init__(self, tables: list[Table], asked: Sequence[str]) -> None:
        self.current = [t for t in tables if t.turn == 0]
        self.earlier = [t for t in tables if t.turn > 0]
        self.all_earlier = not any(t.rows for t in self.current)
        question = asked[-1].lower() if asked else ""
        own = {label for t in self.current for labels in t.labels for label in labels}
        asked_now = {label for t in self.earlier for ls in t.labels for label in ls if names(question, label)}
        self.taken = own | asked_now
        self.asked_now = asked_now
        named_terms = {m.lower() for q in asked[:-1] for m in TERMS.findall(q)}
        self.earlier_terms = {t for t in named_terms if not names(question, t) and t not in own}

    def earlier_rows(self, sentence: str) -> tuple[tuple[int, ...], ...]:
        if self.all_earlier or not self.earlier:
            return ()
        about_earlier = any(names(sentence, term) for term in self.earlier_terms)
        comparing = bool(COMPARISON.search(sentence))
        kept = []
        for table in self.earlier:
            named = [i for i, labels in enumerate(table.labels) if any(names(sentence, x) for x in labels)]
            if self._names_column(sentence, table) or (comparing and about_earlier):
                rows = list(range(len(table.rows)))  # "up from 12,061 in Q1": the earlier result as a whole
            elif (comparing or about_earlier) and not named:
                rows = list(range(len(table.rows)))  # "rose from 12,061 to 13,221", "on April's 1,050,115"
            elif comparing or about_earlier:
                rows = named  # "Sales: 49 leavers, down from 58": the same row, earlier
            else:
                rows = [
                    i for i in named if table.labels[i] - self.taken & _labels_in(sentence, table.labels[i])
                ]
            kept.append(tuple(rows))
        if about_earlier and not any(kept):  # "from 4,127 in Q1": the rows the question is about
            kept = [tuple(i for i, ls in enumerate(t.labels) if ls & self.asked_now) for t in self.earlier]
        return tuple(kept)

    def _names_column(self, sentence: str, table: Table) -> bool:
        """A sentence about a measure only an earlier table has ("the 13,492 orders")."""
        current = {c.lower() for t in self.current for c in t.columns}
        return any(
            c.lower() not in current and names(sentence, c.lower().replace("_", " "))
            for c, cell in zip(table.columns, table.rows[0] if table.rows else [], strict=False)
            if cell.kind == "number"
        )

    def tables(self, kept: tuple[tuple[int, ...], ...]) -> list[Table]:
        if self.all_earlier:
            return [*self.current, *self.earlier]
        chosen = [_rows(t, list(rows)) for t, rows in zip(self.earlier, kept, strict=True) if rows]
        return [*self.current, *chosen]


def with_headings(lines: list[str]) -> list[str]:
    """Each list item or table row with the heading line above it ("Q2 vs Q1 leads:"),
    which says what its figures compare."""
    heading, out, in_table = "", [], False
    for line in lines:
        row = line.lstrip().startswith("|")
        if row and not in_table:  # a table's header row heads its rows: "| Region | April | May |"
            heading = f"{heading} {line}".strip()
        item = row or bool(re.match(r"\s*(?:[-*•]|\d+[.)])\s", line))
        out.append(f"{heading} {line}" if item and heading else line)
        in_table = row
        if not item and line.strip():
            heading = line if line.rstrip().endswith(":") else ""
    return out


def _labels_in(sentence: str, labels: set[str]) -> set[str]:
    return {label for label in labels if names(sentence, label)}


def months_named(text: str) -> list[int]:
    """Months named alone ("June beat May"): they name a monthly series' rows."""
    return [MONTHS.index(m[:3]) + 1 for m in re.findall(MONTH_WORDS, text)]


def named_rows(tables: list[Table], text: str, dates: list[tuple[int | None, ...]]) -> list[tuple[int, int]]:
    """The (table, row) pairs the answer names by a label, or by a date ("June", "May 3")."""
    named = []
    for t, table in enumerate(tables):
        for r, (labels, row) in enumerate(zip(table.labels, table.rows, strict=True)):
            by_date = any(c.kind == "date" and date_matches(d, c.parts) for c in row for d in dates)
            if by_date or any(names(text, label) for label in labels):
                named.append((t, r))
    return named


def _rows(table: Table, kept: list[int]) -> Table:
    return dataclasses.replace(
        table,
        rows=[table.rows[i] for i in kept],
        labels=[table.labels[i] for i in kept],
        counts=[],
    )


def names(text: str, label: str) -> bool:
    return len(label) >= 2 and re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text) is not None
