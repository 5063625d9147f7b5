"""Figures that are not amounts: ids, codes, phone numbers, versions, dates and times.

They are verified by a returned cell with the same characters or the same date, in any
common format ("SKU AB-55501" for AB55501, "March 1, 2024" for 2024-03-01). Their
digits are never read as amounts, and an amount is never verified by them, except the
number of an id that the words around it name as one ("order 417", "ending in 0132").
"""

from __future__ import annotations

import re

from .evidence import Cell, Evidence, Table
from .reading import Figure

ID_WORDS = {  # the word before a number that makes it an id: "order 417", "ending in 0132"
    "order", "orders", "invoice", "invoices", "account", "accounts", "ticket", "tickets", "case", "id",
    "numbers", "no", "number", "sku", "item", "po", "ref", "reference", "ending", "ends", "in", "customer",
    "store", "version", "build", "code", "#",
}  # fmt: skip


def id_columns(tables: list[Table]) -> set[str]:
    """The words of the returned id columns' names: "campaign" for campaign_id, "tracking" for tracking_no."""
    return {
        word
        for t in tables
        for i, name in enumerate(t.columns)
        if any(row[i].kind == "code" for row in t.rows if i < len(row))
        for word in re.split(r"[^a-z]+", name.lower())
        if len(word) > 2
    }


def code_of(figure: Figure, tables: list[Table]) -> bool:
    """Letters and digits written apart that make a returned id: "AB 55501", "INV 88213"."""
    key = figure.label + figure.text
    return any(c.kind == "code" and c.key.endswith(key) for t in tables for row in t.rows for c in row)


def id_digits(text: str, tables: list[Table]) -> bool:
    """The number part of an id: "account 55501" for AB55501, "order 417" for ORD-2024-00417."""
    written = text.replace(",", "")
    digits = written.lstrip("0")
    keys = [re.sub(r"\D", "", c.key) for t in tables for row in t.rows for c in row if c.kind == "code"]
    if digits in keys:  # "delay code 93": the whole id
        return True
    return len(digits) >= 3 and any(k.endswith(digits) and (len(k) < 10 or len(written) >= 4) for k in keys)


def verify_key(figure: Figure, evidence: Evidence, tables: list[Table]) -> str | None:
    keys = {c.key for t in tables for row in t.rows for c in row if c.kind in ("code", "text") and c.key}
    keys |= {re.sub(r"[^0-9a-z]", "", k) for k in keys}
    keys |= {
        str(int(c.value))
        for t in tables
        for row in t.rows
        for c in row
        if c.kind == "number" and c.value.is_integer()
    }
    keys |= {f.key for f in evidence.asked if f.key}
    key = figure.key.removeprefix("v") if figure.kind == "version" else figure.key
    versions = {k.removeprefix("v") for k in keys}
    if key in keys or (
        figure.kind == "version" and (key in versions or any(v.startswith(key) for v in versions))
    ):
        return "data: the same id"
    if figure.kind == "phone" and _same_phone(key, keys):
        return "data: the same phone number"
    return None


def _same_phone(key: str, keys: set[str]) -> bool:
    """The same number with or without a country code or trunk zero: the last digits agree."""
    key = key.lstrip("0")
    return len(key) >= 7 and any(
        k.isdigit() and len(k.lstrip("0")) >= 7 and (key.endswith(k.lstrip("0")) or k.endswith(key))
        for k in keys
    )


def verify_date(figure: Figure, evidence: Evidence, tables: list[Table]) -> str | None:
    dates = [c.parts for t in tables for row in t.rows for c in row if c.kind == "date"]
    dates += [_parts(f) for f in [*evidence.filters, *evidence.asked] if f.kind in ("date", "time")]
    for parts in dates:
        if figure.kind == "time" and parts[3:5] == figure.parts:
            return "data: a returned time"
        if figure.kind == "date" and any(date_matches(option, parts) for option in _options(figure)):
            return "data: a returned date"
    return None


def _options(figure: Figure) -> list[tuple[int | None, ...]]:
    year, first, second = figure.parts
    options = [(year, first, second)]
    if second is not None and first is not None and ("/" in figure.text or "." in figure.text):
        options.append((year, second, first))  # 03/01/2024 may be March 1 or 3 January
    return options


def date_matches(written: tuple[int | None, ...], data: tuple[int | None, ...]) -> bool:
    return all(w is None or w == d for w, d in zip(written, data[:3], strict=False))


def _parts(figure: Figure) -> tuple[int | None, ...]:
    if figure.kind == "time":
        return (None, None, None, *figure.parts)
    return (*figure.parts, None, None)


def in_years(year: int, tables: list[Table]) -> bool:
    cells = [c for t in tables for row in t.rows for c in row]
    return any(
        (c.kind == "date" and c.parts[0] == year) or (year_cell(c) and c.key == str(year)) for c in cells
    )


def year_cell(cell: Cell) -> bool:
    return cell.kind == "code" and cell.key.isdigit() and len(cell.key) == 4 and 1900 <= int(cell.key) <= 2100
