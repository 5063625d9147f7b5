"""What the tools returned, typed by column: the only thing that can vouch for a figure.

A number that merely occurs somewhere in the returned text proves nothing: a date
column holds every number from 1 to 31, an id holds digits, a row count is not an
amount. So each value is typed by its column (Genie's `column_types` when given,
else its name and its values): a date cell vouches for that date, an id for that id,
an amount for that amount; row counts and "showing 50 of 500 rows" vouch for counts
of rows only. Ids, SQL, errors and replies in words are not data.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .reading import DATE_FORMS, Figure, find_figures, normalise

NOT_DATA = {
    "status",
    "space",
    "sql",
    "error",
    "detail",
    "text",
    "column_types",
    "row_count",
    "truncated",
    "notes",
}
NUMERIC_TYPES = {
    "INT",
    "INTEGER",
    "LONG",
    "BIGINT",
    "SHORT",
    "SMALLINT",
    "BYTE",
    "TINYINT",
    "DECIMAL",
    "DOUBLE",
    "FLOAT",
}
DATE_TYPES = {"DATE", "TIMESTAMP", "TIMESTAMP_NTZ"}
ID_NAME = re.compile(  # the last word of a column's name says it holds ids, or a period's label
    r"(?:^|[_.])(?:id|code|sku|key|uuid|guid|phone|tel|mobile|zip|postal|postcode|no|num|number|ref|account|"
    r"version|ip|hash|mrn|iban|imei|msisdn|vin|upc|ean|isbn|serial|lot|batch|badge)$|id$|(?:^|\.)(?:year|yr|month|quarter|week|day|hour|fiscal_year|calendar_year)$",
    re.I,
)
PERCENT_NAME = re.compile(r"pct|percent|rate|share|ratio|margin", re.I)
# A share when its values have fractions; a count when all are whole ("conversions", "churned_subs").
FRACTION_NAME = re.compile(r"growth|change|conversion|churn|discount|yield|util", re.I)
MONEY_NAME = re.compile(
    r"eur|usd|gbp|inr|aud|price|cost|revenue|amount|per_|fee|rate_", re.I
)  # 0.485 EUR/kWh
SIGNED_NAME = re.compile(
    r"change|delta|diff|growth|yoy|mom|qoq|wow|variance|var_|chg|gain|loss|net|trend|pct_",
    re.I,
)
SCALED_NAMES = {
    "k": 1e3, "thousand": 1e3, "thousands": 1e3, "mn": 1e6, "million": 1e6, "millions": 1e6,
    "bn": 1e9, "billion": 1e9, "billions": 1e9, "lakh": 1e5, "lakhs": 1e5, "crore": 1e7, "crores": 1e7,
}  # fmt: skip
NUMERIC = re.compile(r"^\(?[-+]?[$€£¥₹]?\s?\d[\d,]*(?:\.\d+)?\)?\s?%?$")


@dataclasses.dataclass(frozen=True)
class Cell:
    kind: str  # number, date, code, text
    value: float = 0.0
    parts: tuple[int | None, ...] | tuple[str, ...] = ()  # dates: (y, m, d, hour, minute, second); ids: tails
    key: str = ""  # codes: letters and digits, lower case
    percent: bool = False  # written with "%", or in a rate/share/pct column
    signed: bool = False  # in a column of changes, or one holding negative values
    scale: float = 1.0  # the magnitude its column's name gives ("cost_lakh"): value is scaled by it


@dataclasses.dataclass
class Table:
    """The rows one tool call returned; `turn` 0 is this turn, 1 the one before, and so on."""

    columns: list[str]
    rows: list[list[Cell]]
    labels: list[set[str]]  # per row: its words and ids, lower case, to tell which rows an answer cites
    texts: list[str]  # free-text cells, whose own numbers count as evidence only as written
    counts: list[float]  # rows returned, rows shown, distinct values: vouch for counts of rows
    turn: int = 0


@dataclasses.dataclass
class Evidence:
    tables: list[Table]
    filters: list[Figure]  # literals in the SQL that ran: the question's own limits and dates
    asked: list[Figure]  # what the user wrote


def gather(
    turn: Sequence[Mapping[str, Any]],
    earlier: Sequence[Mapping[str, Any]] = (),
    asked: Iterable[str] = (),
) -> Evidence:
    """Typed evidence from this turn's and earlier turns' tool outputs, and the user's words."""
    tables: list[Table] = []
    filters: list[Figure] = []
    history = [(0, output) for output in turn] + [(len(earlier) - i, o) for i, o in enumerate(earlier)]
    for age, output in history:
        if not isinstance(output, Mapping) or output.get("status") != "ok":
            continue
        tables += [dataclasses.replace(table, turn=min(age, 1)) for table in _tables(output)]
        if isinstance(output.get("sql"), str):
            filters += [f for f in find_figures(_sql_literals(output["sql"])) if f.kind != "code"]
    user = [figure for text in asked for figure in find_figures(text)]
    return Evidence(tables=tables, filters=filters, asked=user)


def _tables(output: Mapping[str, Any]) -> list[Table]:
    found = []
    counts = [float(output["row_count"])] if isinstance(output.get("row_count"), int) else []
    for key in ("truncated", "notes"):
        if isinstance(output.get(key), str):
            counts += [f.value for f in find_figures(output[key]) if f.kind == "number"]
    if isinstance(output.get("table"), str):
        columns, rows = _markdown(output["table"])
        types = output.get("column_types")
        found.append(_typed(columns, rows, types if isinstance(types, list) else None))
    data = {k: v for k, v in output.items() if k not in NOT_DATA and k != "table" and not k.endswith("_id")}
    found += [
        _typed(columns, rows, None) for key, value in data.items() for columns, rows in _records(value, key)
    ]
    for table in found:
        table.counts += counts
    return found or [Table([], [], [], [], counts)]


def _markdown(text: str) -> tuple[list[str], list[list[str]]]:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip().startswith("|")]
    split = [
        [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip("|"))] for line in lines
    ]
    if len(split) < 2:
        return [], []
    return split[0], [row for row in split[2:] if len(row) == len(split[0])]


def _records(value: Any, key: str) -> list[tuple[list[str], list[list[Any]]]]:
    """Any JSON a custom tool returns, as tables: an object's fields make one row, and each
    list of objects in it (an order's lines) a table of its own."""
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        flats = [_flatten(row, key) for row in value]
        columns = list(dict.fromkeys(k for flat, _ in flats for k in flat))
        nested = [table for _, tables in flats for table in tables]
        return [(columns, [[flat.get(c) for c in columns] for flat, _ in flats]), *nested]
    if isinstance(value, Mapping):
        flat, nested = _flatten(value, key)
        return [(list(flat), [list(flat.values())]), *nested]
    if isinstance(value, list):
        return [([key], [[v if not isinstance(v, list | Mapping) else json.dumps(v)] for v in value])]
    return [([key], [[value]])]


def _flatten(
    value: Mapping[str, Any], prefix: str
) -> tuple[dict[str, Any], list[tuple[list[str], list[list[Any]]]]]:
    flat: dict[str, Any] = {}
    nested: list[tuple[list[str], list[list[Any]]]] = []
    for key, item in value.items():
        name = f"{prefix}.{key}"
        if isinstance(item, Mapping):
            inner, tables = _flatten(item, name)
            flat, nested = flat | inner, nested + tables
        elif isinstance(item, list):
            nested += _records(item, name)
        else:
            flat[name] = item
    return flat, nested


def _scale(name: str) -> float:
    """The magnitude a column's name gives its values: "revenue_k", "cost_lakh", "arr_usd_mn"."""
    words = re.split(r"[^a-z]+", name.lower())
    return next((SCALED_NAMES[w] for w in reversed(words) if w in SCALED_NAMES), 1.0)


def _id_parts(text: str) -> tuple[str, ...]:
    """An id's parts after each separator, with letters and digits: ("a0388",) of NX2207-A0388,
    which an answer may write alone ("lot A0388"). Parts of digits alone are `id_digits`'s."""
    parts = re.split(r"[-_/.\s]+", text.lower())
    tails = ["".join(parts[i:]) for i in range(1, len(parts))]
    return tuple(t for t in tails if len(t) >= 4 and re.search("[a-z]", t) and re.search(r"\d", t))


def _typed(columns: list[str], rows: list[list[Any]], types: list[Any] | None) -> Table:
    cells = [[_cell(v, columns[i], _type(types, i)) for i, v in enumerate(row)] for row in rows]
    for i, name in enumerate(columns):
        signed = bool(SIGNED_NAME.search(name))  # a change, whose sign is the claim (not a churn of -11,870)
        scale = _scale(name)
        if scale != 1:  # total_cost_lakh: 2328.39 is ₹232,839,000
            for row in cells:
                if row[i].kind == "number":
                    row[i] = dataclasses.replace(row[i], value=row[i].value * scale, scale=scale)
        whole = all(row[i].value.is_integer() for row in cells if row[i].kind == "number")
        numbers = [row[i].value for row in cells if row[i].kind == "number"]
        fractions = (
            bool(numbers) and not whole and all(0 <= v <= 1 for v in numbers) and not MONEY_NAME.search(name)
        )
        percent = bool(PERCENT_NAME.search(name) or (FRACTION_NAME.search(name) and not whole) or fractions)
        for row in cells:
            if row[i].kind == "number":
                row[i] = dataclasses.replace(row[i], signed=signed, percent=row[i].percent or percent)
    labels = [
        {
            label
            for v, c in zip(row, cells_row, strict=False)
            if _is_label(v) or c.kind == "code"
            for label in _label_forms(str(v))
        }
        for row, cells_row in zip(rows, cells, strict=True)
    ]
    texts = [str(v) for r, row in enumerate(rows) for i, v in enumerate(row) if cells[r][i].kind == "text"]
    counts = [float(len(rows))]
    for i in range(len(columns)):
        distinct = {str(row[i]) for row in rows if row[i] not in (None, "", "NULL")}
        counts.append(float(len(distinct)))
        by_value: dict[str, int] = {}
        for row in rows:
            by_value[str(row[i])] = by_value.get(str(row[i]), 0) + 1
        counts += [float(n) for n in by_value.values()]
    return Table(columns, cells, labels, texts, sorted(set(counts)))


def _type(types: list[Any] | None, index: int) -> str | None:
    if types and index < len(types) and isinstance(types[index], str):
        return types[index].upper().split("(")[0]
    return None


def _cell(value: Any, column: str, declared: str | None) -> Cell:
    if value is None or isinstance(value, bool):
        return Cell("text")
    if isinstance(value, int | float):
        return _number_cell(str(value)) if not ID_NAME.search(column) else _code_cell(str(value))
    text = normalise(str(value)).strip()
    if text in ("", "NULL", "null", "None"):
        return Cell("text")
    date = _date_cell(text)
    if declared in DATE_TYPES or (declared in (None, "STRING") and date is not None):
        return date or Cell("text")
    if ID_NAME.search(column) or re.fullmatch(r"0\d+", text):
        return _code_cell(text)
    if declared in NUMERIC_TYPES:
        return _number_cell(text)
    if NUMERIC.match(text):
        return _number_cell(text)
    if re.search(r"\d", text) and re.search("[A-Za-z]", text) and " " not in text:
        return _code_cell(text)
    return Cell("text", key=text.lower())


def _number_cell(text: str) -> Cell:
    negative = text.startswith("(") and text.endswith(")")
    cleaned = re.sub(r"[^\d.eE+-]", "", text)
    try:
        value = float(cleaned)
    except ValueError:
        return Cell("text")
    return Cell("number", value=-value if negative else value, percent=text.endswith("%"))


def _code_cell(text: str) -> Cell:
    return Cell("code", key=re.sub(r"[^0-9a-z]", "", text.lower()), parts=_id_parts(text))


def _date_cell(text: str) -> Cell | None:
    match = DATE_FORMS[0].fullmatch(text[:10]) if len(text) >= 7 else None
    if match is None:
        return None
    year, month, day = int(match.group("y")), int(match.group("m")), match.group("d")
    clock = re.search(r"[T ](\d{1,2}):(\d{2})(?::(\d{2}))?", text)
    hour, minute = (int(clock.group(1)), int(clock.group(2))) if clock else (None, None)
    second = int(clock.group(3)) if clock and clock.group(3) else None
    return Cell("date", parts=(year, month, int(day) if day else None, hour, minute, second))


def _label_forms(text: str) -> set[str]:
    """A label, its first word, and an id's last part: "Northwind" names the row of
    "Northwind Traders", "L02" the row of BRN-L02, "signal failure" that of signal_failure."""
    text = text.strip().lower()
    first = text.split()[0] if " " in text else ""
    last = re.split(r"[-_/]", text)[-1] if re.fullmatch(r"[a-z0-9]+(?:[-_/][a-z0-9]+)+", text) else ""
    forms = {text, text.replace("_", " ")} | ({first} if len(first) >= 4 else set())
    return forms | (
        {last} if len(last) >= 3 and re.search("[a-z]", last) and re.search(r"\d", last) else set()
    )


def _is_label(value: Any) -> bool:
    text = str(value).strip() if value is not None else ""
    return len(text) >= 2 and bool(re.search("[A-Za-z]", text)) and text.upper() != "NULL"


def _sql_literals(sql: str) -> str:
    """The literals of a SQL text (numbers and quoted strings), without its identifiers."""
    quoted = re.findall(r"'([^']*)'", sql)
    numbers = re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", re.sub(r"'[^']*'", " ", sql))
    return " ; ".join([*quoted, *numbers])
