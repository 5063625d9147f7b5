"""Units a figure is written in, and conversions between units of one kind.

"41,183 minutes of delay, about 686 hours" and "7.45 t/ha, which is 74.5 quintals per
hectare" are honest: the second figure is the first in another unit. A conversion is
fixed by the two units, so it cannot match an invented figure by luck the way a free
search over factors can: each figure's unit comes from the words after it, a returned
value's from its column's name ("total_delay_min", "rainfall_mm"), a table cell's from
its column header ("Delay (hours)").
"""

from __future__ import annotations

import re

# unit word -> (kind, size in the kind's base unit)
UNITS: dict[str, tuple[str, float]] = {}
for _kind, _names in {
    "time": {
        ("ms", "msec", "millisecond", "milliseconds"): 0.001,
        ("s", "sec", "secs", "second", "seconds"): 1,
        ("min", "mins", "minute", "minutes"): 60,
        ("h", "hr", "hrs", "hour", "hours"): 3600,
        ("day", "days"): 86400,
        ("week", "weeks", "wk", "wks"): 604800,
    },
    "mass": {
        ("g", "gram", "grams"): 1,
        ("kg", "kgs", "kilogram", "kilograms", "kilo", "kilos"): 1e3,
        ("quintal", "quintals"): 1e5,
        ("t", "tonne", "tonnes", "ton", "tons", "mt"): 1e6,
        ("kt", "kilotonne", "kilotonnes"): 1e9,
        ("megatonne", "megatonnes"): 1e12,
        ("lb", "lbs", "pound", "pounds"): 453.59237,
    },
    "length": {
        ("mm", "millimetre", "millimetres", "millimeter", "millimeters"): 0.001,
        ("cm", "centimetre", "centimetres", "centimeter", "centimeters"): 0.01,
        ("m", "metre", "metres", "meter", "meters"): 1,
        ("km", "kms", "kilometre", "kilometres", "kilometer", "kilometers"): 1000,
        ("mi", "mile", "miles"): 1609.344,
    },
    "area": {
        ("m2", "sqm"): 1,
        ("ha", "hectare", "hectares"): 1e4,
        ("acre", "acres"): 4046.8564224,
        ("sqft", "sq ft"): 0.09290304,
        ("km2", "sqkm"): 1e6,
    },
    "data": {
        ("kb",): 1e3,
        ("mb",): 1e6,
        ("gb",): 1e9,
        ("tb",): 1e12,
        ("pb",): 1e15,
    },
    "power": {
        ("w", "watt", "watts"): 1,
        ("kw", "kilowatt", "kilowatts"): 1e3,
        ("mw", "megawatt", "megawatts"): 1e6,
        ("gw", "gigawatt", "gigawatts"): 1e9,
    },
    "energy": {
        ("wh",): 1,
        ("kwh",): 1e3,
        ("mwh",): 1e6,
        ("gwh",): 1e9,
        ("twh",): 1e12,
    },
    "volume": {
        ("ml", "millilitre", "millilitres", "milliliter", "milliliters"): 0.001,
        ("l", "litre", "litres", "liter", "liters"): 1,
        ("m3", "m³", "cubic metres", "cubic meters"): 1000,
        ("megalitre", "megalitres", "megaliter", "megaliters"): 1e6,
    },
}.items():
    for _aliases, _size in _names.items():
        for _alias in _aliases:
            UNITS[_alias] = (_kind, _size)

_WORD = "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True))
AFTER = re.compile(r"^\W?\W?(?:[a-z]+[\s-])?(" + _WORD + r")(?![a-z0-9])", re.I)  # "17,293 delay minutes"
IN_NAME = re.compile(rf"(?:^|[_\s(.])({_WORD})(?:$|[_\s).])", re.I)


def unit_after(noun: str) -> tuple[str, float] | None:
    """The unit a figure is written in, from the words after it: "686 hours", "7.45 t/ha"."""
    found = AFTER.match(noun)
    return UNITS[found.group(1).lower()] if found else None


def unit_in_name(name: str) -> tuple[str, float] | None:
    """The unit a column's name or header gives: "total_delay_min", "Delay (hours)"."""
    found = [UNITS[m.lower()] for m in IN_NAME.findall(name.lower())]
    return found[-1] if found else None


def converted(value: float, source: tuple[str, float], target: tuple[str, float]) -> float | None:
    """`value` in `source` units expressed in `target` units, if they measure the same kind."""
    if source[0] != target[0] or source[1] == target[1]:
        return None
    return value * source[1] / target[1]


def header_of(lines: list[str], index: int, text: str) -> str:
    """The header of the table column a figure sits in: `lines` as `sentences` splits the
    answer, `index` the figure's line, `text` the figure as written."""
    row = lines[index]
    at = row.find(text)
    if at < 0 or not row.lstrip().startswith("|"):
        return ""
    column = row[:at].count("|") - 1
    start = index
    while start > 0 and lines[start - 1].lstrip().startswith("|"):
        start -= 1
    cells = [c.strip() for c in lines[start].strip().strip("|").split("|")]
    return cells[column] if 0 <= column < len(cells) else ""
