"""Figures that are not amounts: ids, codes, phone numbers, versions, dates and times.

They are verified by a returned cell with the same characters or the same date, in any
common format ("SKU AB-55501" for AB55501, "March 1, 2024" for 2024-03-01). Their
digits are never read as amounts, and an amount is never verified by them, except the
number of an id that the words around it name as one ("order 417", "ending in 0132").
"""

from __future__ import annotations

import re
from datetime import date

from .evidence import Cell, Evidence, Table
from .reading import Figure

ID_WORDS = {  # the word before a number that makes it an id: "order 417", "ending in 0132"
    "order", "orders", "invoice", "invoices", "account", "accounts", "ticket", "tickets", "case", "id",
    "numbers", "no", "number", "sku", "item", "po", "ref", "reference", "ending", "ends", "in", "customer",
    "store", "version", "build", "code", "#", "transaction", "claim", "policy", "shipment", "tracking",
    "booking", "reservation", "patient", "member", "employee", "vehicle", "batch", "lot", "serial", "meter",
    "device", "user", "session", "flight", "contract", "txn", "trx", "mrn", "record", "site", "badge",
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


def ids_in_groups(text: str, tables: list[Table], asked: list[str]) -> list[str]:
    """The groups of returned ids (and ids the user wrote) that the answer writes apart or
    with other separators: "3391" and "77215" of "HO 3391 77215" for HO-3391-77215. The
    digits inside are the id's, not figures."""
    keys = {c.key for t in tables for row in t.rows for c in row if c.kind == "code" and len(c.key) >= 6}
    keys |= {re.sub(r"\D", "", m) for q in asked for m in re.findall(r"\d{3,}(?:[-\s/.]\d{2,})+", q)}
    keys |= {k[-n:] for k in keys if k.isdigit() and len(k) >= 11 for n in (9, 10)}  # phones without +351
    lowered = text.lower()
    found = []
    for key in sorted(keys)[:300]:
        pattern = r"[\s\-./]?".join(re.escape(c) for c in key)
        for match in re.finditer(rf"(?<![0-9a-z]){pattern}(?![0-9a-z])", lowered):
            groups = re.split(r"[\s\-./]", match.group(0))
            found += groups if len(groups) > 1 else []
    return found


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
    segments = {p for t in tables for row in t.rows for c in row if c.kind == "code" for p in c.parts}
    if figure.kind == "code" and key in segments:
        return "data: the same id, its last part"  # "lot A0388" for NX2207-A0388
    if key in keys or (
        figure.kind == "version" and (key in versions or any(v.startswith(key) for v in versions))
    ):
        return "data: the same id"
    if figure.kind == "phone" and _same_phone(key, keys):
        return "data: the same phone number"
    return None


def _same_phone(key: str, keys: set[str]) -> bool:
    """The same number with or without a country code or trunk zero ("+31 (0)10 555 0187",
    "07700 900418" for +447700900418): the last nine digits agree, or all of the shorter."""
    key = key.lstrip("0")
    return len(key) >= 7 and any(
        k.isdigit()
        and len(k.lstrip("0")) >= 7
        and (
            key.endswith(k.lstrip("0"))
            or k.endswith(key)
            or (min(len(k), len(key)) >= 9 and k[-9:] == key[-9:])
        )
        for k in keys
    )


def verify_date(figure: Figure, evidence: Evidence, tables: list[Table]) -> str | None:
    dates = [c.parts for t in tables for row in t.rows for c in row if c.kind == "date"]
    dates += [_parts(f) for f in [*evidence.filters, *evidence.asked] if f.kind in ("date", "time")]
    for parts in dates:
        if figure.kind == "time" and parts[3:5] == figure.parts[:2] and _same_second(parts, figure.parts):
            return "data: a returned time"
        if figure.kind == "date" and any(date_matches(option, parts) for option in _options(figure)):
            return "data: a returned date"
    return None


def _same_second(parts: tuple[int | None, ...], written: tuple[int | None, ...]) -> bool:
    """Seconds, where both the data and the answer give them, agree."""
    data = parts[5] if len(parts) > 5 else None
    said = written[2] if len(written) > 2 else None
    return data is None or said is None or data == said


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


ELAPSED = {
    "second": 1 / 86400,
    "minute": 1 / 1440,
    "hour": 1 / 24,
    "day": 1,
    "week": 7,
    "month": 30.4375,
    "year": 365.25,
}


def elapsed(figure: Figure, written: list[Figure], returned: list[tuple[int | None, ...]]) -> bool:
    """The time between two moments the sentence writes or names, in the unit written after
    the figure: "on 2 December, 20 days after the first visit on 12 November", "at 11:30 PM,
    and again 45 minutes later, at 12:15 AM", "paid on 23 June, 24 days after its due date".
    `returned` are the timestamps of the rows the sentence names: only those, as any two of
    a column of dates are some number of days apart."""
    unit = re.match(r"(second|minute|hour|day|week|month|year)s?\b", figure.noun)
    if not unit or figure.kind != "number":
        return False
    size = ELAPSED[unit.group(1)]
    slack = 1 / size if size > 1 else 0.0  # a month is 28 to 31 days
    dates = [f for f in written if f.kind == "date"]
    years = {f.parts[0] for f in dates if f.parts[0]} | {p[0] for p in returned if p[0]}
    year = min(years) if len(years) == 1 else 2001  # "12 November" and "2 December": one year
    readings = [
        [_moment((y or year, m, d)) for y, m, d in _options(f) if m and d and m <= 12 and d <= 31]
        for f in dates
    ]
    readings += [[_moment(parts)] for parts in returned]
    gaps = [
        abs(b - a)
        for i, one in enumerate(readings)
        for other in readings[i + 1 :]
        for a in one
        for b in other
    ]
    times = [
        f.parts[0] * 3600 + f.parts[1] * 60 + (f.parts[2] or 0)
        for f in written
        if f.kind == "time" and None not in f.parts[:2]
    ]
    gaps += [
        ((b - a) % 86400) / 86400 for a in times for b in times if a != b
    ]  # 11:30 PM to 12:15 AM: 45 min
    return any(abs(gap / size - figure.value) <= figure.tolerance + slack for gap in gaps)


def _moment(parts: tuple[int | None, ...]) -> float:
    """Days since 1 January of year 1, with the time of day (to the second) as a fraction."""
    year, month, day, hour, minute, second = (list(parts) + [None] * 6)[:6]
    try:
        ordinal = date(year or 1, month or 1, day or 1).toordinal()
    except ValueError:  # 31 February: no day
        return float("nan")
    return ordinal + ((hour or 0) * 3600 + (minute or 0) * 60 + (second or 0)) / 86400
