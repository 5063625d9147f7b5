"""Code-based scorers: deterministic checks of each answer, read from its trace.

Every scorer returns an MLflow `Feedback` with a rationale, or None when it does not
apply to a row (routing without `expected_tools`, honesty when no tool failed,
figures in an agent without data tools).

Production monitoring stores a registered scorer as the source of its body and runs
it where this package is not installed. So the scorers in `MONITORABLE` import what
they need inside their body and use nothing else from this module; the others may
use the package. They rely on the trace contract of this agent: a TOOL span per tool
call, named after the tool, whose outputs carry a `status` ("ok" when data came back),
and the figures check's verdicts in the `figures_check` attribute of the turn's span.
"""

from __future__ import annotations

from typing import Any

from mlflow.entities import Feedback, SpanType, Trace
from mlflow.genai.scorers import scorer


@scorer
def non_empty_answer(outputs: Any, trace: Trace) -> Feedback:
    """Protects against silent failures: the model must have written an answer.

    Blank text fails, and so does the agent's stand-in text for a model that wrote
    nothing or an endpoint that failed (the agent notes both on the trace).
    """
    from mlflow.entities import Feedback
    from mlflow.genai.utils.trace_utils import parse_outputs_to_str

    if not parse_outputs_to_str(outputs).strip():
        return Feedback(value=False, rationale="The answer is empty.")
    for span in trace.data.spans:
        for key, why in (
            ("llm_error", "the model endpoint failed"),
            ("stand_in_answer", "the model wrote nothing"),
        ):
            if span.attributes.get(key):
                return Feedback(
                    value=False, rationale=f"No answer from the model: {why} ({span.attributes[key]})."
                )
    return Feedback(value=True, rationale="The model answered.")


@scorer
def tool_routing(expectations: dict[str, Any], trace: Trace) -> Feedback | None:
    """Protects routing: each tool in `expected_tools` was called ([] means: no tool at all).

    A model that answers a data question without asking the right Genie space has
    nothing true to say; one that queries data for small talk wastes time and money.
    """
    expected = (expectations or {}).get("expected_tools")
    if expected is None:
        return None
    called = sorted({span.name for span in trace.search_spans(span_type=SpanType.TOOL)})
    if not expected:
        if called:
            return Feedback(value=False, rationale=f"Expected no tool call, but the agent called {called}.")
        return Feedback(value=True, rationale="No tool was called, as expected.")
    missing = [name for name in expected if name not in called]
    if missing:
        return Feedback(
            value=False, rationale=f"Expected {expected} to be called; missing {missing} (called {called})."
        )
    return Feedback(value=True, rationale=f"Called {called}.")


@scorer
def no_fabricated_figures(trace: Trace) -> Feedback | None:
    """Protects against made-up data: every figure shown was verified by the agent's figures check.

    The agent checks each answer against the data its tools returned, what an honest
    answer computes from it and the user's own words (`figures/`), and records the
    verdict on its span (`figures_check`). This reads that record instead of checking
    again, so the gate, production monitoring and the notice users see cannot disagree.
    Fails on unverified figures or a warning (hidden text-direction characters).
    No record: a turn whose model text was replaced (a refusal, a stand-in) or never
    came (a failed endpoint) showed no figure of the model's, and passes; a turn that
    called tools but recorded no check fails, since the check should have run; a turn
    without either comes from an agent without data tools, which checks nothing: not
    scored (None), as a pass would claim a check that never ran. So is a turn the client
    stopped before its answer was checked.
    """
    from mlflow.entities import Feedback, SpanType

    spans = trace.data.spans
    records = [r for s in spans for r in s.attributes.get("figures_check") or [] if isinstance(r, dict)]
    noted = {key for s in spans for key in s.attributes or {}}
    if not records:
        if noted & {"no_fallback.discarded_answer", "stand_in_answer", "llm_error"}:
            why = "the model's text was replaced by the agent's own (a refusal or a stand-in) or never came"
            return Feedback(value=True, rationale=f"No figures to check: {why}.")
        if "stopped" in noted:
            return None
        if trace.search_spans(span_type=SpanType.TOOL):
            return Feedback(value=False, rationale="Tools were called, but no figures check was recorded.")
        return None  # an agent without data tools: nothing verifies its figures, nothing is claimed
    unverified = list(dict.fromkeys(f for r in records for f in r.get("unverified") or []))
    warnings = list(dict.fromkeys(w for r in records for w in r.get("warnings") or []))
    if unverified or warnings:
        listed = ", ".join(f"“{f}”" for f in unverified[:12]) + (" and more" if len(unverified) > 12 else "")
        why = "match no data a tool returned, no calculation from it and no figure of the user's"
        parts = [f"Unverified figures (they {why}): {listed}."] if unverified else []
        return Feedback(value=False, rationale=" ".join([*parts, *warnings]))
    how: dict[str, int] = {}
    for figure in (f for r in records for f in r.get("figures") or []):
        kind = str(figure.get("verified")).split(":")[0]
        how[kind] = how.get(kind, 0) + 1
    if not how:
        return Feedback(value=True, rationale="The answer holds no figures.")
    counted = "; ".join(f"{kind}: {n}" for kind, n in how.items())
    return Feedback(value=True, rationale=f"All {sum(how.values())} figures verified ({counted}).")


@scorer
def tool_data_returned(trace: Trace) -> Feedback | None:
    """Protects the data path: every tool the agent called returned data.

    An agent that admits every failure honestly still has nothing to say when Genie
    is down, a space id is wrong or its service principal lacks access; this check
    fails those rows, so a broken workspace cannot pass the gate. A call that ran
    but found no rows counts as no data. Rows without tool calls are not scored.
    """
    from mlflow.entities import Feedback, SpanType

    outcomes: dict[str, list[str]] = {}
    for span in trace.search_spans(span_type=SpanType.TOOL):
        result = span.outputs if isinstance(span.outputs, dict) else {}
        status = str(result.get("status", "no result"))
        outcomes.setdefault(span.name, []).append(
            status if status == "ok" else f"{status}: {result.get('error', '')}"
        )
    if not outcomes:
        return None
    missing = {name: got for name, got in outcomes.items() if "ok" not in got}
    if missing:
        return Feedback(value=False, rationale=f"No data from {sorted(missing)}: {missing}.")
    return Feedback(value=True, rationale=f"Data from {sorted(outcomes)}.")


@scorer
def error_honesty(outputs: Any, trace: Trace) -> Feedback | None:
    """Protects users from silent gaps: a tool that returned no data is named as such.

    For each tool whose every call in the turn failed, came back empty or answered
    without data, the answer must name it and admit the gap ("could not", "failed",
    "no rows", ...). Rows where every tool returned data are not scored.
    """
    from mlflow.entities import Feedback, SpanType
    from mlflow.genai.utils.trace_utils import parse_outputs_to_str

    got_data: dict[str, bool] = {}
    for span in trace.search_spans(span_type=SpanType.TOOL):
        status = span.outputs.get("status") if isinstance(span.outputs, dict) else None
        got_data[span.name] = got_data.get(span.name, False) or status == "ok"
    without_data = [name for name, ok in got_data.items() if not ok]
    if not without_data:
        return None
    answer = parse_outputs_to_str(outputs).lower()
    admissions = (
        "could not",
        "couldn't",
        "cannot",
        "can't",
        "failed",
        "error",
        "no rows",
        "no data",
        "did not",
    )
    admitted = any(phrase in answer for phrase in admissions)
    unnamed = [
        n for n in without_data if n.lower() not in answer and n.replace("_", " ").lower() not in answer
    ]
    if admitted and not unnamed:
        return Feedback(value=True, rationale=f"The answer says that {without_data} returned no data.")
    return Feedback(
        value=False,
        rationale=f"{without_data} returned no data, but the answer "
        + (f"does not name {unnamed}." if unnamed else "does not say that anything failed."),
    )


@scorer
def latency_seconds(trace: Trace) -> Feedback:
    """Guards the latency budget: seconds from request to the last word, from the trace."""
    from mlflow.entities import Feedback

    seconds = (trace.info.execution_duration or 0) / 1000
    return Feedback(value=round(seconds, 3), rationale=f"The turn took {seconds:.2f} s.")


@scorer
def total_tokens(trace: Trace) -> Feedback | None:
    """Guards the token budget: tokens the LLM calls of the turn used, from the trace.

    Not scored when the endpoint reported no usage.
    """
    from mlflow.entities import Feedback

    usage = trace.info.token_usage or {}
    if usage.get("total_tokens") is None:
        return None
    return Feedback(value=usage["total_tokens"], rationale=f"Token usage: {usage}.")


CODE_SCORERS = [
    non_empty_answer,
    tool_routing,
    tool_data_returned,
    no_fabricated_figures,
    error_honesty,
    latency_seconds,
    total_tokens,
]
MONITORABLE = {
    s.name: s
    for s in (
        non_empty_answer,
        tool_data_returned,
        no_fabricated_figures,
        error_honesty,
        latency_seconds,
        total_tokens,
    )
}
# Scorers that skip rows they do not apply to; every other scorer must score every row.
CONDITIONAL = {
    tool_routing.name,
    tool_data_returned.name,
    no_fabricated_figures.name,
    error_honesty.name,
    total_tokens.name,
}
