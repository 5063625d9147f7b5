"""The quality gate: one line per scorer, and a verdict that an empty run cannot pass.

A scorer fails the gate when its mean misses its threshold, when it could not run on
some row (its judge endpoint refused, a code scorer raised), or when it scored no
row although it applies to every row. Only scorers that skip rows by design
(`CONDITIONAL` in scorers.py and judges.py: a judge skips a row without its
expectation) may leave rows unscored or report "n/a", and "n/a" is never shown as a pass.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pandas as pd

from .dataset import question
from .settings import Threshold

SHOWN_ROWS = 3  # failing rows listed per scorer


@dataclasses.dataclass(frozen=True)
class ScorerReport:
    name: str
    mean: float | None
    scored: int
    rows: int
    threshold: Threshold | None
    status: str  # "pass", "FAIL", "ERROR", "n/a" (skipped every row by design), "info" (no threshold)
    problems: tuple[str, ...] = ()  # why it failed, and failing rows: "question: rationale"

    @property
    def failed(self) -> bool:
        return self.status in ("FAIL", "ERROR")


@dataclasses.dataclass(frozen=True)
class GateReport:
    scorers: tuple[ScorerReport, ...]
    rows: int  # rows with a result
    dataset_rows: int  # rows sent; a row whose prediction failed has no result
    not_run: tuple[str, ...] = ()  # scorers with a threshold that this run left out (judges off)

    @property
    def missing_rows(self) -> int:
        return self.dataset_rows - self.rows

    @property
    def passed(self) -> bool:
        return not self.missing_rows and not any(s.failed for s in self.scorers)

    def by_name(self, name: str) -> ScorerReport:
        return next(s for s in self.scorers if s.name == name)

    def render(self) -> str:
        """The report people read: a table, the problems, and the verdict."""
        lines = [f"{'scorer':<24} {'mean':>8} {'rows':>9}  {'threshold':<12} result"]
        for s in self.scorers:
            mean = "-" if s.mean is None else f"{s.mean:.3g}"
            threshold = str(s.threshold) if s.threshold else "-"
            lines.append(f"{s.name:<24} {mean:>8} {f'{s.scored}/{s.rows}':>9}  {threshold:<12} {s.status}")
        for s in self.scorers:
            if s.problems and (s.failed or s.status == "n/a"):
                lines += [f"\n{s.name} ({s.status}):", *(f"  - {p}" for p in s.problems)]
        failed = [s.name for s in self.scorers if s.failed]
        if self.missing_rows:
            failed.insert(0, f"{self.missing_rows} of {self.dataset_rows} rows got no result")
            lines.append(
                f"\n{self.missing_rows} of {self.dataset_rows} rows got no result, so no scorer saw them: "
                "the agent raised on them, or MLflow could not record their traces (see its log above)."
            )
        verdict = f"FAILED ({', '.join(failed)})" if failed else "PASSED"
        notes = [f"{self.rows} {'row' if self.rows == 1 else 'rows'}"]
        skipped = [s.name for s in self.scorers if s.status == "n/a"]
        if skipped:
            notes.append(f"not scored in this run: {', '.join(skipped)}")
        if self.not_run:
            notes.append(f"not run, so their thresholds were not checked: {', '.join(self.not_run)}")
        return "\n".join([*lines, "", f"Gate {verdict} on {'; '.join(notes)}."])


def judge_result(
    table: pd.DataFrame,
    dataset_rows: int,
    scorer_names: Sequence[str],
    thresholds: Mapping[str, Threshold],
    conditional: Collection[str],
) -> GateReport:
    """Grade `mlflow.genai.evaluate`'s result table (`EvaluationResult.result_df`)."""
    questions = [question(request or {}) for request in table.get("request", [None] * len(table))]
    reports = [
        _report(name, table, thresholds.get(name), name in conditional, questions) for name in scorer_names
    ]
    not_run = tuple(name for name in thresholds if name not in scorer_names)
    return GateReport(scorers=tuple(reports), rows=len(table), dataset_rows=dataset_rows, not_run=not_run)


def _report(
    name: str,
    table: pd.DataFrame,
    threshold: Threshold | None,
    conditional: bool,
    questions: Sequence[str],
) -> ScorerReport:
    raw = _column(table, f"{name}/value")
    values = [_number(v) for v in raw]
    rationales = _column(table, f"{name}/rationale")
    errors = [
        (q, e) for q, e in zip(questions, _column(table, f"{name}/error_message"), strict=True) if _present(e)
    ]
    unreadable = [(q, r) for q, r, v in zip(questions, raw, values, strict=True) if _present(r) and v is None]
    scored = [v for v in values if v is not None]
    mean = sum(scored) / len(scored) if scored else None
    report = {"name": name, "mean": mean, "scored": len(scored), "rows": len(table), "threshold": threshold}
    if errors:
        why = f"could not run on {len(errors)} of {len(table)} rows"
        return ScorerReport(**report, status="ERROR", problems=(why, *_rows(errors)))
    if unreadable:
        why = f"{len(unreadable)} rows have a value that is not a score (a judge's verdict must be yes or no)"
        shown = _rows([(q, f"value {r!r}") for q, r in unreadable])
        return ScorerReport(**report, status="FAIL", problems=(why, *shown))
    if not scored:
        if conditional:
            return ScorerReport(**report, status="n/a", problems=("no row in this run called for it",))
        return ScorerReport(**report, status="FAIL", problems=("no row was scored",))
    if len(scored) < len(table) and not conditional:
        why = f"scored only {len(scored)} of {len(table)} rows"
        return ScorerReport(**report, status="FAIL", problems=(why,))
    if threshold is None:
        return ScorerReport(**report, status="info")
    if threshold.passes(mean):
        return ScorerReport(**report, status="pass")
    bad = [
        (q, r)
        for q, v, r in zip(questions, values, rationales, strict=True)
        if v is not None and not threshold.passes(v)
    ]
    why = f"mean {mean:.3g} misses the threshold {threshold}"
    return ScorerReport(**report, status="FAIL", problems=(why, *_rows(bad)))


def _rows(pairs: Sequence[tuple[str, Any]]) -> list[str]:
    """Up to `SHOWN_ROWS` lines "question: detail", and how many more there are."""
    lines = [f"{_short(q)}: {_short(str(detail), 300)}" for q, detail in pairs[:SHOWN_ROWS]]
    if len(pairs) > SHOWN_ROWS:
        lines.append(f"... and {len(pairs) - SHOWN_ROWS} more rows")
    return lines


def _column(table: pd.DataFrame, name: str) -> list[Any]:
    return list(table[name]) if name in table.columns else [None] * len(table)


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _number(value: Any) -> float | None:
    """A row's value as a number: pass/fail as 1/0, judge ratings "yes"/"no" as 1/0."""
    if not _present(value):
        return None
    if isinstance(value, str):
        return {"yes": 1.0, "no": 0.0}.get(value.strip().lower())
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
