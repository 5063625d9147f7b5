"""Find the figures in a text, and compare them by value.

The no-fallback rule lists figures in an answer that no data in the conversation
contains. A figure here is a number, with an optional sign, thousands separators,
decimals, exponent, percent sign or magnitude ("4M", "200k", "1.2 bn", "3 million"),
or a magnitude written in words ("four million", "nine hundred thousand"). Figures
are compared by value, so "1,734,562.18" matches "1734562.180", and "12%" matches
0.12; a rounded "1.7 million" does not match 1734562.18 and is listed, as possibly
rounded. Signs are ignored ("a loss of 100" for -100). Small counts (integers below
10, as in "top 3") and years (1900-2100) are not checked.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from collections.abc import Iterable

MAGNITUDES = {
    "k": 1e3, "thousand": 1e3,
    "m": 1e6, "mm": 1e6, "mn": 1e6, "million": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9,
    "t": 1e12, "tn": 1e12, "trillion": 1e12,
}  # fmt: skip
UNITS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]  # fmt: skip
TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
WORD_VALUES = {word: n for n, word in enumerate(UNITS)} | {word: 10 * (n + 2) for n, word in enumerate(TENS)}
_FIRST_WORD = "|".join([*WORD_VALUES, "hundred", "a"])
_WORD = _FIRST_WORD + "|and"
NUMBER = re.compile(
    r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?"
    r"(?:\s?(?P<suffix>%|(?:k|m|mm|mn|b|bn|t|tn|thousand|million|billion|trillion)\b))?",
    re.IGNORECASE,
)
NUMBER_WORDS = re.compile(
    rf"\b(?P<words>(?:{_FIRST_WORD})[\s-]+(?:(?:{_WORD})[\s-]+)*)"
    r"(?P<magnitude>thousand|million|billion|trillion)\b",
    re.IGNORECASE,
)
INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")


@dataclasses.dataclass(frozen=True)
class Figure:
    text: str  # as written
    values: tuple[float, ...]  # what it may stand for (a percentage is also a ratio)
    checked: bool  # False for small counts and years


def figures(text: str) -> list[Figure]:
    """Every figure in `text`, in order."""
    text = INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    found = [_number(match) for match in NUMBER.finditer(text)]
    found += [_words(match) for match in NUMBER_WORDS.finditer(text)]
    return [f for f in found if f is not None]


def unverified(answer: str, evidence: Iterable[str]) -> list[str]:
    """Figures in `answer` whose value appears in no evidence text, each listed once."""
    known = [value for text in evidence for figure in figures(text) for value in figure.values]
    listed: list[str] = []
    for figure in figures(answer):
        matches = any(math.isclose(v, k, rel_tol=1e-9) for v in figure.values for k in known)
        if figure.checked and not matches and figure.text not in listed:
            listed.append(figure.text)
    return listed


def _number(match: re.Match[str]) -> Figure | None:
    written = match.group(0).rstrip(",")
    digits = written[: len(written) - len(match.group("suffix") or "")].strip().rstrip(",")
    try:
        value = abs(float(digits.replace(",", "")))
    except ValueError:
        return None
    suffix = (match.group("suffix") or "").lower()
    plain = digits.isdigit()
    if suffix == "%":
        return Figure(written, (value, value / 100), checked=True)
    value *= MAGNITUDES.get(suffix, 1)
    small_count = plain and not suffix and value < 10
    year = plain and not suffix and len(digits) == 4 and 1900 <= value <= 2100
    return Figure(written, (value,), checked=not (small_count or year))


def _words(match: re.Match[str]) -> Figure | None:
    total = 0
    for word in re.split(r"[\s-]+", match.group("words").lower().strip()):
        if word == "hundred":
            total = (total or 1) * 100
        elif word == "a":
            total = total or 1
        elif word in WORD_VALUES:
            total += WORD_VALUES[word]
    if not total:
        return None
    return Figure(match.group(0), (total * MAGNITUDES[match.group("magnitude").lower()],), checked=True)
