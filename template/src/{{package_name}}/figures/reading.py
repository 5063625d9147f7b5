"""Read the figures a text holds, in any form a model writes them.

A model can write 58417 as "58,417", "$58.4k", "USD58417", "fifty-eight thousand four
hundred and seventeen" or with invisible characters between the digits; a check that
reads only one form is a check a model walks around. So the text is normalised first
(NFKC, any script's digits as ASCII, format and combining characters removed) and
every figure is read with the context that decides how it is checked: its currency,
unit, percent sign or magnitude, the precision it is written with, hedges ("about"),
direction words ("fell"), and whether it sits in a Markdown table row.

Dates, times, phone numbers, versions and ids are figures of their own kinds, so the
digits inside them are never read as amounts.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from .words import number_words

CURRENCY_CODES = "USD|EUR|GBP|JPY|INR|CHF|CAD|AUD|NZD|CNY|RMB|HKD|SGD|SEK|NOK|DKK|BRL|MXN|ZAR|KRW"
MAGNITUDES = {
    "k": 1e3, "thousand": 1e3, "thousands": 1e3,
    "m": 1e6, "mm": 1e6, "mn": 1e6, "million": 1e6, "millions": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9, "billions": 1e9,
    "t": 1e12, "tn": 1e12, "trillion": 1e12, "trillions": 1e12,
    "lakh": 1e5, "lakhs": 1e5, "lac": 1e5, "lacs": 1e5, "crore": 1e7, "crores": 1e7, "cr": 1e7,
}  # fmt: skip
# "7.45 t" is tonnes, "58.2 mm" millimetres and "20.5 m" metres: "$1.2T", "$3MM", "£2.3m" and
# "4 M" are magnitudes.
_MAGNITUDE_WORDS = [
    {"t": "(?-i:T)", "mm": "(?-i:MM)", "m": "(?-i:M)|(?<=\\d)(?-i:m)"}.get(word, word)
    for word in sorted(MAGNITUDES, key=len, reverse=True)
]
UNITS = (
    "units|unit|pcs|pieces|items|kg|g|lbs|lb|tons|tonnes|t|km|mi|miles|m2|sq ft|gb|mb|tb|kb|ms|mm|cm|ha|"
    "seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|dollars|euros|pounds|rupees|yen|"
    "points|pts|pp|bps|basis points|percentage points|x|times|"
    "kwh|mwh|gwh|wh|kw|mw|sqft|acres|liters|litres|gallons"
)
SEPARATORS = str.maketrans({"\u066b": ".", "\u066c": ",", "\u060c": ","})  # Arabic decimal and group marks
ISO_STAMP = re.compile(r"\d{4}-\d\d-\d\d[tT]")
DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_GROUP_SPACE = re.compile(r"(?<=\d)[\u00a0\u2009\u202f](?=\d{3}(?!\d))")
_MASKS = [
    re.compile(r"https?://\S+|`[^`\n]*`(?=\s*$)"),  # links, and code spans that end a line
]
_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTH = rf"(?P<month>(?:{_MONTHS})\b\.?)"
DATE_FORMS = [
    re.compile(  # ISO, with an optional time: 2024-03-01, 2024/03, 2024-03-01T14:30:00Z
        r"\b(?P<y>\d{4})[-/.](?P<m>\d{1,2})(?!\d)(?:[-/.](?P<d>\d{1,2})(?!\d))?"
        r"(?:[T ]\d{1,2}:\d{2}(?::\d{2})?\S*)?"
    ),
    re.compile(
        r"\b(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4}|\d{2})\b|\b(?P<a2>\d{1,2})\.(?P<b2>\d{1,2})\.(?P<y2>\d{4})\b"
    ),
    re.compile(r"\b(?P<d>\d\d?)(?:st|nd|rd|th)?(?: of)? " + _MONTH + r",? (?P<y>\d\d\d\d)\b", re.I),
    re.compile(
        r"\b" + _MONTH + r" (?P<d>\d\d?)(?:st|nd|rd|th)?(?:,? (?P<y>\d\d\d\d))?\b(?!:)", re.I
    ),  # not 06:00
    re.compile(r"\b" + _MONTH + r",? (?P<y>\d\d\d\d)\b", re.I),
    re.compile(r"\b(?P<d>\d\d?)(?:st|nd|rd|th)?(?: of)? " + _MONTH, re.I),
]
TIME = re.compile(
    r"\b(?P<h>\d{1,2}):(?P<min>\d{2})(?::(?P<sec>\d{2}))?(?:\s?(?P<ampm>[ap]\.?m\.?))?"
    r"|\b(?P<h2>\d{1,2})\.(?P<min2>\d{2})\s?(?P<ampm2>[ap]\.?m\b\.?)",
    re.I,
)
PHONE = re.compile(
    r"(?<![\w.])(?:\+\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}\b"
    r"|(?<![\w.])\+\d{1,3}[\s.-]?\(0\)\d{1,4}(?:[\s.-]\d{2,5}){1,4}\b"
    r"|(?<![\w.])\+\d{1,3}(?:[\s.-](?:\(\d{1,4}\)|\d{1,10})){1,5}\b|(?<![\w.])\+\d{8,15}\b"
    r"|(?<![\w.,])\(?0\d{1,4}\)?[\s.-]\d{3,4}[\s.-]\d{3,4}\b"
)
VERSION = re.compile(
    r"(?<![\w.])v?\d+\.\d+\.\d+(?:[-.][0-9a-z]+)*\b|(?<![\w.])v\d+(?:\.\d+)?\b"
    r"|(?:(?<=version )|(?<=release ))\d+\.\d+\b",
    re.I,
)
CODE = re.compile(r"(?<![\w.$€£¥₹])[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*")
NOT_CODES = re.compile(
    rf"(?i)^(?:(?:{CURRENCY_CODES})\d[\d.]*(?:k|m|mm|mn|b|bn|t|tn)?|\d[\d.]*(?:{CURRENCY_CODES}|[kmbtx]|mm|mn|bn|tn|cr|st|nd|rd|th|"
    r"kg|g|km|cm|mm|ml|l|gb|mb|tb|kb|ms|s|h|hr|hrs|am|pm|pts|bps|pp|d|w|y|yr|yrs|mo)|"
    r"(?:q[1-4]|h[12]|fy|cy)[-_/]?(?:\d{2}|\d{4})?|[a-z]{1,3}\.\d+|\d[\d.,]*-[a-z]+)$"
)
NUMBER = re.compile(
    rf"(?<![\w.,/])(?P<pre>[$€£¥₹]\s?|\b(?:{CURRENCY_CODES})\s?)?(?P<sign>[-+])?(?P<pre2>[$€£¥₹]\s?)?"
    r"(?P<num>\d{1,3}(?:\.\d{3})+,\d\d?(?!\d)|\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?![\d,]\d)"
    rf"(?:\s?(?P<mag>{'|'.join(_MAGNITUDE_WORDS)})\b)?"
    r"(?:\s?(?P<pct>%|percent\b|per cent\b|pct\b))?"
    rf"(?:\s?(?P<post>(?:{CURRENCY_CODES})\b))?",
    re.I,
)
APPROX = re.compile(
    r"(?:about|around|roughly|approximately|approx\.?|nearly|almost|some|close to|~|≈)\s*$",
    re.I,
)
BOUND = re.compile(
    r"(?:(?P<low>over|above|more than|at least|exceeds?|beyond)|(?P<high>under|below|less than|at most))"
    r"(?:\s+(?:just|nearly|almost|about))?\s*$",
    re.I,
)
RISE = (
    "rose|rise|rises|risen|rising|up|increase|increased|increases|increasing|grew|grow|grows|growth|gain|"
    "gained|gains|climbed|climb|jumped|jump|higher|surged|surge|soared|rebounded|expanded|"
    "advanced|added|adding|adds|uplift|rising|climbing|increasing|growing|gaining"
)
FALL = (
    "fell|fall|falls|fallen|falling|down|decrease|decreased|decreases|decreasing|declined|decline|declines|"
    "drop|dropped|drops|lost|loss|losses|lower|shrank|shrink|slid|slipped|slip|dipped|dip|plunged|plunge|"
    "sank|slumped|slump|tumbled|contracted|contraction|dropping|declining|decreasing|shrinking|losing|sliding"
)
DIRECTION = re.compile(
    rf"\b(?:(?P<rise>{RISE})|(?P<fall>{FALL}))\b" + r"(?:\W+\w+)?(?:\W+\w+)?(?:\W+\w+)?\W*$", re.I
)
JUDGED = re.compile(
    r"\b(?:(?P<better>improved|improvement|better|recovered)|(?P<worse>worsened|worse|deteriorated))\b"
    r"(?:\W+\w+)?(?:\W+\w+)?\W*$",
    re.I,
)
DIRECTION_AFTER = re.compile(r"^\W?\W?\W?(?:\w+\W+)?" + rf"(?:(?P<rise>{RISE})|(?P<fall>{FALL}))\b", re.I)
RANGE_TO_PERCENT = re.compile(r"\s?(?:[-\u2013]|to)\s?\d[\d.,]*\s?(?:%|percent\b|per cent\b)", re.I)
DURATION = re.compile(  # "3 h 25 min", "6 minutes 35 seconds", "3h42m"
    r"\b(?P<big>\d{1,3})\s?(?P<unit>h|hrs?|hours?|mins?|minutes?)(?:\b,?\s(?:and\s)?|(?=\d))"
    r"(?P<small>\d{1,2})\s?(?:m|mins?|minutes?|s|secs?|seconds?)\b",
    re.I,
)
UNIT_AFTER = re.compile(rf"[\s-]?(?:{UNITS})\b", re.I)


SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n(?=[ \t]*(?:\n|$|[-*•+|#>]|\d+[.)]\s))")


@dataclasses.dataclass(frozen=True)
class Figure:
    """One figure as written, with what decides how it is checked."""

    text: str
    kind: str  # number, percent, multiple, date, time, phone, version, code
    value: float = 0.0  # numbers: the magnitude applied, sign as written
    tolerance: float = 0.0  # half a unit of the last digit written (rounding)
    parts: tuple[int | None, ...] = ()  # dates (y, m, d) and times (h, m)
    key: str = ""  # codes, phones, versions: letters and digits only, lower case
    currency: bool = False
    unit: bool = False  # a unit, currency, percent or magnitude is attached
    in_table: bool = False  # in a data row of a Markdown table
    rank: bool = False  # a list marker, or a table's leading 1..n rank column
    approx: bool = False
    bound: int = 0  # 1: a lower bound ("more than 450"), -1: an upper bound ("under 5"), 0: none
    direction: int = 0  # +1 rise words before it, -1 fall words, 0 none
    judged: int = 0  # +1 "improved", -1 "worsened": a rise or a fall, by what is measured
    plain_integer: bool = False
    sentence: int = 0
    noun: str = ""  # the words after a number ("open tickets"), to tell which column it counts
    label: str = ""  # the word before it ("order" in "order 417", "#" in "#00417")
    per: bool = False  # a rate's base: "per 1,000", "/100 km"

    def change_sign(self) -> int:
        """+1 for a rise, -1 for a fall: a sign written on the figure ("+7", "-3.8%") says it
        before any word around it does."""
        if re.match(r"\s*\+", self.text):
            return 1
        if self.value < 0:
            return -1
        return self.direction


def normalise(text: str) -> str:
    """The text as a reader sees it: NFKC, ASCII digits, no format or combining characters."""
    text = _GROUP_SPACE.sub("", BIDI.sub("", text))
    text = DASHES.sub("-", unicodedata.normalize("NFKC", text)).translate(SEPARATORS)
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cf", "Mn", "Me", "Cc") and char not in "\n\t":
            continue
        if category == "Nd" and not char.isascii():
            char = str(unicodedata.decimal(char))
        kept.append(char)
    return "".join(kept)


def has_bidi_controls(text: str) -> bool:
    return bool(BIDI.search(text))


def find_figures(text: str) -> list[Figure]:
    """Every figure in `text`, read from its normalised form, in order of position."""
    text = normalise(text)
    masked = text
    found: list[tuple[int, Figure]] = []

    def take(match: re.Match[str], figure: Figure | None) -> None:
        nonlocal masked
        start, end = match.span()
        masked = masked[:start] + " " * (end - start) + masked[end:]
        if figure is not None:
            found.append((start, figure))

    for pattern in _MASKS:
        for match in pattern.finditer(masked):
            take(match, None)
    for match in DURATION.finditer(masked):  # "3 h 25 min" is 205 minutes, one figure
        big, small = int(match.group("big")), int(match.group("small"))
        noun = "seconds" if match.group("unit").lower().startswith("m") else "minutes"
        figure = _number_figure(text, match.start(), match.end(), big * 60 + small, match.group(0))
        take(match, dataclasses.replace(figure, noun=noun, unit=True, plain_integer=False, tolerance=0.5))
    for match in CODE.finditer(masked):  # ids first: the digits in "SN-7734-0091-22" are no date or phone
        token = match.group(0)
        letters = re.search("[A-Za-z]", token) and not ISO_STAMP.match(token) and not VERSION.fullmatch(token)
        if letters and re.search(r"\d", token) and not NOT_CODES.match(token):
            digits = sum(c.isdigit() for c in token)
            take(match, Figure(token, "code", key=_key(token)) if digits >= 3 else None)
    for pattern in DATE_FORMS:
        for match in pattern.finditer(masked):
            take(match, _date(match))
    for match in TIME.finditer(masked):
        take(match, _time(match))
    for pattern, kind in ((PHONE, "phone"), (VERSION, "version")):
        for match in pattern.finditer(masked):
            digits = sum(c.isdigit() for c in match.group(0))
            if kind == "version" or digits >= 8:  # "+44" alone is no phone number
                take(match, Figure(match.group(0), kind, key=_key(match.group(0))))
    for match in CODE.finditer(masked):
        token = match.group(0)
        if re.search("[A-Za-z]", token) and re.search(r"\d", token) and not NOT_CODES.match(token):
            digits = sum(c.isdigit() for c in token)
            take(match, Figure(token, "code", key=_key(token)) if digits >= 3 else None)
    for start, end, value, written, tolerance in number_words(masked):
        found.append(
            (
                start,
                _number_figure(text, start, end, value, written, words_tolerance=tolerance),
            )
        )
        masked = masked[:start] + " " * (end - start) + masked[end:]
    for match in NUMBER.finditer(masked):
        figure = _number(text, match)
        if figure is not None:
            found.append((match.start(), figure))
    return [_placed(text, start, figure) for start, figure in sorted(found, key=lambda item: item[0])]


def _date(match: re.Match[str]) -> Figure | None:
    groups = match.groupdict()
    if groups.get("a") or groups.get("a2"):  # 03/01/2024: month and day order unknown; the check tries both
        a, b, y = (
            (groups["a"], groups["b"], groups["y"])
            if groups.get("a")
            else (groups["a2"], groups["b2"], groups["y2"])
        )
        first, second, year = int(a), int(b), _year(y)
        return Figure(match.group(0), "date", parts=(year, first, second))
    month = _month(groups.get("month")) if groups.get("month") else _int(groups.get("m"))
    year = _year(groups["y"]) if groups.get("y") else None
    if month is None or not 1 <= month <= 12:
        return None
    return Figure(match.group(0), "date", parts=(year, month, _int(groups.get("d"))))


def _time(match: re.Match[str]) -> Figure | None:
    hour, minute = int(match.group("h") or match.group("h2")), int(match.group("min") or match.group("min2"))
    ampm = (match.group("ampm") or match.group("ampm2") or "").lower()[:1]
    if ampm == "p" and hour < 12:
        hour += 12
    elif ampm == "a" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    second = int(match.group("sec")) if match.group("sec") else None
    return Figure(match.group(0), "time", parts=(hour, minute, second))


def _number(text: str, match: re.Match[str]) -> Figure | None:
    digits = match.group("num")
    if re.match(r"\d+\.\d+\.\d", text[match.start("num") :]):  # a dotted id or version tail
        return None
    start, end = match.span()
    after = text[end : end + 3]
    if re.match(r"(?:st|nd|rd|th)\b", after, re.I) or (after[:1] == "." and after[1:2].isdigit()):
        return None
    sign = -1 if match.group("sign") == "-" else 1
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d\d?", digits):  # 905.447,85: European separators
        digits = digits.replace(".", "").replace(",", ".")
    value = sign * float(digits.replace(",", ""))
    magnitude = MAGNITUDES.get((match.group("mag") or "").lower(), 1.0)
    return _number_figure(text, start, end, value * magnitude, match.group(0), match=match)


def _number_figure(
    text: str,
    start: int,
    end: int,
    value: float,
    written: str,
    *,
    match: re.Match[str] | None = None,
    words_tolerance: float | None = None,
) -> Figure:
    groups = match.groupdict() if match else {}
    before, after = text[max(0, start - 40) : start], text[end : end + 20]
    previous = re.search(r"([#\w]+)[\s#:.(\[]*$", before)
    following = re.match(r"\s*((?:[a-z]+[\s-]?){1,2})", text[end : end + 30].lower())
    percent = bool(groups.get("pct")) or bool(re.match(r"\s?(?:%|percent|per cent)", after, re.I))
    percent = percent or bool(RANGE_TO_PERCENT.match(after))  # "56-57%": both ends are percentages
    multiple = bool(
        re.match(
            r"\s?x\b|\s?times\s+(?:more|higher|larger|bigger|greater|less|lower|smaller|as|the|over)\b",
            text[end : end + 30],
            re.I,
        )
    )
    currency = bool(groups.get("pre") or groups.get("pre2") or groups.get("post")) or bool(
        re.search(r"[$€£¥₹]\s?$", before)
        or re.match(r"\s?(?:dollars|euros|pounds|rupees|yen)\b", after, re.I)
    )
    if words_tolerance is not None:  # "about thirteen hundred" is as loose as "about 1,300"
        tolerance = max(words_tolerance, _tolerance(f"{value:.0f}", None, bool(APPROX.search(before))))
    else:
        tolerance = _tolerance(groups.get("num") or "", groups.get("mag"), bool(APPROX.search(before)))
    judged = JUDGED.search(before[-30:])
    kind = "percent" if percent else "multiple" if multiple else "number"
    direction = DIRECTION.search(before[-30:])
    count = kind == "number" and abs(value) < 10 and float(value).is_integer() and "." not in text[start:end]
    if direction and count and not re.search(r"\b(?:by|of)\W*$", before):
        direction = None  # "rose in two of five months" is a count; "rose by 2" is a change
    if not direction and (kind != "number" or abs(value) >= 10 or not count):  # "two categories grew"
        direction = DIRECTION_AFTER.match(after + text[end + 20 : end + 30])
    unit = percent or multiple or currency or bool(groups.get("mag")) or bool(UNIT_AFTER.match(after))
    integer = kind == "number" and not currency and float(value).is_integer() and "." not in written
    return Figure(
        text=written.strip(),
        kind=kind,
        value=value,
        tolerance=tolerance,
        currency=currency,
        unit=unit,
        approx=bool(APPROX.search(before)),
        bound=_bound(before),
        direction=0 if not direction else 1 if direction.group("rise") else -1,
        plain_integer=integer and not groups.get("mag"),
        noun=following.group(1).strip() if following else "",
        judged=0 if not judged else 1 if judged.group("better") else -1,
        label="#" if before.rstrip().endswith("#") else previous.group(1).lower() if previous else "",
        per=bool(re.search(r"(?:\bper|/)\s*$", before, re.I)),
    )


def _bound(before: str) -> int:
    found = BOUND.search(before)
    return 0 if not found else 1 if found.group("low") else -1


def _tolerance(digits: str, magnitude: str | None, approx: bool) -> float:
    """Half a unit of the last digit written; with a hedge, trailing zeros are not precise."""
    scale = MAGNITUDES.get((magnitude or "").lower(), 1.0)
    digits = digits.replace(",", "")
    if "." in digits:
        return 0.5 * 10 ** -len(digits.split(".")[1]) * scale
    zeros = len(digits) - len(digits.rstrip("0")) if approx and digits.strip("0") else 0
    tolerance = 0.5 * 10**zeros * scale
    value = float(digits or 0) * scale
    # "about 100k" is not 73k, and "$1M" is not 730k: a hedge or a one-digit magnitude
    # rounds to the nearest 5% (10%) of the value at most
    if zeros:
        return max(0.5 * scale, min(tolerance, 0.05 * value))
    return min(tolerance, max(0.1 * value, 0.5))


def _placed(text: str, start: int, figure: Figure) -> Figure:
    """Add where the figure sits: its sentence, a table row, a list marker or rank."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    in_table = line.lstrip().startswith("|") and not re.fullmatch(r"[\s|:\-]*", line)
    header = in_table and _is_header(text, line_start)
    prefix = text[line_start:start]
    marker = bool(re.fullmatch(r"\s*(?:[-*]\s*)?#*\s*", prefix)) and bool(
        re.match(
            rf"{re.escape(figure.text)}[.)]\s",
            text[start : start + len(figure.text) + 2],
        )
    )
    first_cell = in_table and bool(re.fullmatch(r"\s*\|\s*", prefix))
    rank = marker or (first_cell and figure.plain_integer and figure.value <= 50)
    sentence = sum(1 for end in SENTENCE_END.finditer(text) if end.start() < start)
    return dataclasses.replace(figure, in_table=in_table and not header, rank=rank, sentence=sentence)


def _is_header(text: str, line_start: int) -> bool:
    """A table's header row is the line followed by the |---| separator."""
    next_start = text.find("\n", line_start) + 1
    next_line = text[next_start : text.find("\n", next_start) if text.find("\n", next_start) >= 0 else None]
    return next_start > 0 and bool(re.fullmatch(r"\s*\|?[\s|:\-]+\|?\s*", next_line)) and "-" in next_line


def sentences(text: str) -> list[str]:
    """The text split as `Figure.sentence` counts: on sentence ends, blank lines and the line
    breaks before a list item, table row, heading or quote. A line wrapped inside a paragraph
    is the same sentence, as Markdown shows it."""
    return SENTENCE_END.split(normalise(text))


def _key(token: str) -> str:
    return re.sub(r"[^0-9a-z]", "", token.lower())


def _month(name: str) -> int | None:
    prefix = name.lower()[:3]
    months = [
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "oct",
        "nov",
        "dec",
    ]
    return months.index(prefix) + 1 if prefix in months else None


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _int(text: str | None) -> int | None:
    return int(text) if text else None
