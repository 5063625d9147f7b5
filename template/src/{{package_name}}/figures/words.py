"""Read numbers written in English words: "nine hundred and twelve", "twelve hundred",
"one point seven million", "twenty-three", "three lakh".

A model asked not to invent digits may still invent words, so words are figures too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

SMALL = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]  # fmt: skip
TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
VALUES = {word: n for n, word in enumerate(SMALL)} | {word: 10 * (n + 2) for n, word in enumerate(TENS)}
SCALES = {
    "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "lakh": 1e5, "crore": 1e7,
}  # fmt: skip
_WORD = "|".join([*VALUES, "hundreds?", *(f"{scale}s?" for scale in SCALES), "and", "a", "point"])
RUN = re.compile(rf"\b(?:{_WORD})(?:[\s-]+(?:{_WORD}))*\b", re.IGNORECASE)


def number_words(text: str) -> Iterator[tuple[int, int, float, str, float]]:
    """(start, end, value, words, tolerance) for each number written in words."""
    for match in RUN.finditer(text):
        words = [w for w in re.split(r"[\s-]+", match.group(0).lower()) if w]
        start = match.start()
        while words and words[0] in (
            "and",
            "point",
        ):  # "and" or "point" cannot start a number
            start = text.lower().index(words[0], start) + len(words[0])
            words.pop(0)
        while words and words[-1] in ("and", "a", "point"):
            words.pop()
        if not words or words == ["a"] or (words[0] == "a" and words[1:2] and words[1] in VALUES):
            continue
        if all(w.rstrip("s") in ("hundred", *SCALES) for w in words):
            continue  # "3 millions" is read with its digits; "in lakh" alone is no figure
        parsed = _value(words)
        if parsed is None:
            continue
        value, tolerance = parsed
        end = _end_of(text, start, words)
        yield start, end, value, text[start:end], tolerance


def _value(words: list[str]) -> tuple[float, float] | None:
    """The value of a run of number words, and half a unit of its last decimal (0 if none)."""
    total, current, decimals, tolerance, seen = 0.0, 0.0, None, 0.0, False
    for word in words:
        word = word[:-1] if word[:-1] in ("hundred", *SCALES) else word
        if word == "a":
            current = current or 1
        elif word == "point":
            decimals = ""
        elif word in VALUES and decimals is not None:
            decimals += str(VALUES[word]) if VALUES[word] < 10 else ""
        elif word in VALUES:
            current, seen = current + VALUES[word], True
        elif word == "hundred":
            current, seen = (current or 1) * 100, True
        elif word in SCALES:
            fraction = float(f"0.{decimals}") if decimals else 0.0
            tolerance = 0.5 * 10 ** -len(decimals) * SCALES[word] if decimals else 0.0
            total += ((current or 1) + fraction) * SCALES[word]
            current, decimals, seen = 0.0, None, True
    if not seen:
        return None
    if decimals:
        return total + current + float(f"0.{decimals}"), 0.5 * 10 ** -len(decimals)
    return total + current, tolerance or 0.5  # "twenty-four thousand four hundred and five": rounded


def _end_of(text: str, start: int, words: list[str]) -> int:
    """Where the last kept word ends in `text`."""
    position = start
    lowered = text.lower()
    for word in words:
        position = lowered.index(word, position) + len(word)
    if lowered[position : position + 1] == "s" and words[-1] in ("hundred", *SCALES):
        position += 1
    return position
