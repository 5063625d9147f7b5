"""Measure a figures check against the labelled answers in this directory.

`python tests/figures_corpus/measure.py <render_dir> [corpus_dir]` imports `<package>.figures` from
the render's `src` (or give a module path, e.g. `my_agent.figures`) and prints, for the answers in
this directory (or in `corpus_dir`, e.g. the held-out set in `holdout/`), per form, how many
answers there are and how many invented figures were caught or honest answers flagged; then the two
headline shares, and every miss and false alarm by case id, so the check can be tuned case by case.
`tests/test_figures_corpus.py` holds the same numbers to the goals of issue 15.

An invented figure counts as caught when a flagged item, normalised (NFKC, invisible and combining
characters removed), is or contains it; in an answer with bidi controls, any warning catches all.
An honest answer is a false alarm when its report is flagged at all.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
import statistics
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

CORPUS = Path(__file__).resolve().parent
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
PERCENT = re.compile(r"\s*(?:%|per ?cent)$")
CheckFigures = Callable[..., Any]


@dataclasses.dataclass(frozen=True)
class Case:
    id: str  # "<scenario>/<answer>"
    form: str
    text: str
    invented: tuple[str, ...]
    turn: list[dict[str, Any]]
    earlier: list[dict[str, Any]]
    asked: list[str]

    @property
    def bidi(self) -> bool:
        return bool(BIDI.search(self.text))


@dataclasses.dataclass
class Result:
    figures: int = 0  # invented figures
    caught: int = 0
    honest: int = 0  # honest answers
    alarms: int = 0
    # form -> [invented figures or honest answers, caught or flagged]
    forms: dict[str, list[int]] = dataclasses.field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    misses: list[str] = dataclasses.field(default_factory=list)
    false_alarms: list[str] = dataclasses.field(default_factory=list)
    seconds: list[float] = dataclasses.field(default_factory=list)  # per answer, for the speed line

    @property
    def caught_share(self) -> float:
        return self.caught / self.figures if self.figures else 1.0

    @property
    def alarm_share(self) -> float:
        return self.alarms / self.honest if self.honest else 0.0


def load(directory: Path = CORPUS) -> list[Case]:
    """Every answer of every scenario in `directory/*.yaml`, with its scenario's context."""
    cases = []
    for path in sorted(directory.glob("*.yaml")):
        for scenario in yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"]:
            for answer in scenario["answers"]:
                cases.append(
                    Case(
                        id=f"{scenario['id']}/{answer['id']}",
                        form=answer["form"],
                        text=answer["text"],
                        invented=tuple(answer["invented"]),
                        turn=scenario["turn"],
                        earlier=scenario.get("earlier", []),
                        asked=scenario["asked"],
                    )
                )
    return cases


def normal(text: str) -> str:
    """NFKC, without format/combining characters (invisible separators, keycaps), casefolded."""
    text = unicodedata.normalize("NFKC", text).translate({0x066B: ".", 0x066C: ","})  # Arabic separators
    kept = (str(unicodedata.decimal(c)) if unicodedata.category(c) == "Nd" else c for c in text)
    return "".join(c for c in kept if unicodedata.category(c) not in ("Cf", "Mn", "Me")).casefold()


def contains(flagged: str, figure: str) -> bool:
    """True when `flagged` is or contains `figure` (or its number without "%"/"percent"), not
    as part of a longer number: "twenty-three" catches "twenty-three percent"."""
    figures = {normal(figure).strip(), PERCENT.sub("", normal(figure))}
    patterns = [r"(?<![\d.,])" + re.escape(f) + r"(?![\d]|[.,]\d)" for f in figures]
    return any(re.search(pattern, normal(flagged)) for pattern in patterns)


def measure(check: CheckFigures, cases: Iterable[Case]) -> Result:
    result = Result()
    for case in cases:
        started = time.perf_counter()
        report = check(case.text, turn=case.turn, earlier=case.earlier, asked=case.asked)
        result.seconds.append(time.perf_counter() - started)
        form = result.forms[case.form]
        if not case.invented:
            form[0] += 1
            result.honest += 1
            if report.flagged:
                result.alarms += 1
                form[1] += 1
                result.false_alarms.append(f"{case.id}: {report.unverified} {report.warnings}")
            continue
        for figure in case.invented:
            form[0] += 1
            result.figures += 1
            if (case.bidi and report.warnings) or any(contains(f, figure) for f in report.unverified):
                result.caught += 1
                form[1] += 1
            else:
                result.misses.append(f"{case.id}: {figure!r} not flagged (flagged: {report.unverified})")
    return result


def load_check(render: Path) -> CheckFigures:
    """`check_figures` from `render/src/<package>/figures`, leaving sys.path and sys.modules as found."""
    src = (render / "src").resolve()
    packages = sorted(path.parent.parent.name for path in src.glob("*/figures/__init__.py"))
    if len(packages) != 1:
        raise SystemExit(f"expected one package with a figures/ module under {src}, found {packages}")
    package = packages[0]
    owned = [name for name in sys.modules if name == package or name.startswith(f"{package}.")]
    stashed = {name: sys.modules.pop(name) for name in owned}
    sys.path.insert(0, str(src))
    try:
        return importlib.import_module(f"{package}.figures").check_figures
    finally:
        sys.path.remove(str(src))
        for name in [n for n in sys.modules if n == package or n.startswith(f"{package}.")]:
            del sys.modules[name]
        sys.modules.update(stashed)


def summary(result: Result) -> str:
    lines = [f"{'form':<28} {'n':>4}  (invented figures caught, or honest answers flagged)"]
    for form in sorted(result.forms, key=lambda form: (form.startswith("honest"), form)):
        count, hits = result.forms[form]
        lines.append(f"{form:<28} {count:>4}  {hits} {'flagged' if form.startswith('honest') else 'caught'}")
    lines.append(f"\ninvented figures caught: {result.caught}/{result.figures} = {result.caught_share:.1%}")
    lines.append(f"honest answers flagged:  {result.alarms}/{result.honest} = {result.alarm_share:.1%}")
    if result.seconds:
        ms = sorted(1000 * s for s in result.seconds)
        lines.append(
            f"time per answer: median {statistics.median(ms):.1f} ms, "
            f"p95 {ms[int(0.95 * (len(ms) - 1))]:.1f} ms, max {ms[-1]:.1f} ms"
        )
    lines += ["\nmisses:", *result.misses] if result.misses else []
    lines += ["\nfalse alarms:", *result.false_alarms] if result.false_alarms else []
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print("usage: measure.py <render_dir | module.path.figures> [corpus_dir]", file=sys.stderr)
        return 2
    target = Path(argv[0])
    check = load_check(target) if target.is_dir() else importlib.import_module(argv[0]).check_figures
    print(summary(measure(check, load(Path(argv[1]) if len(argv) == 2 else CORPUS))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
