"""Code-based scorers: deterministic checks of each answer, read from its trace.

Every scorer returns an MLflow `Feedback` with a rationale, or None when it does not
apply to a row (routing without `expected_tools`, honesty when no tool failed).

Production monitoring stores a registered scorer as the source of its body and runs
it where this package is not installed. So the scorers in `MONITORABLE` import what
they need inside their body and use nothing else from this module; the others may
use the package. They rely on the trace contract of this agent: a TOOL span per tool
call, named after the tool, whose outputs carry a `status` ("ok" when data came back).
"""

from __future__ import annotations

import json
from typing import Any

from mlflow.entities import Feedback, SpanType, Trace
from mlflow.genai.scorers import scorer
from mlflow.genai.utils.trace_utils import parse_outputs_to_str

from ..figures import unverified
from ..no_fallback import evidence


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
def no_fabricated_figures(inputs: dict[str, Any], outputs: Any, trace: Trace) -> Feedback:
    """Protects against made-up data: every figure in the answer appears in data a tool returned.

    Catches a model that invents or alters numbers even when every tool succeeded.
    Figures are compared by value, by the agent's own rules (`figures.py`,
    `no_fallback.evidence`): ids and SQL text are not data. The causes the agent
    quotes when a tool failed, and what the user wrote, may be repeated; figures from
    earlier assistant turns may not (they were not checked against this turn's data).
    """
    answer = parse_outputs_to_str(outputs)
    results = [
        span.outputs for span in trace.search_spans(span_type=SpanType.TOOL) if isinstance(span.outputs, dict)
    ]
    quoted = [
        str(r.get(key)) for r in results if r.get("status") != "ok" for key in ("error", "text") if r.get(key)
    ]
    messages = (inputs or {}).get("input") or []
    asked = [json.dumps(m.get("content"), default=str) for m in messages if m.get("role") == "user"]
    listed = unverified(answer, [*evidence(results), *quoted, *asked])
    if listed:
        return Feedback(
            value=False, rationale=f"Figures found in no data a tool returned: {', '.join(listed)}."
        )
    return Feedback(value=True, rationale="Every figure in the answer appears in data a tool returned.")


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
    s.name: s for s in (non_empty_answer, tool_data_returned, error_honesty, latency_seconds, total_tokens)
}
# Scorers that skip rows they do not apply to; every other scorer must score every row.
CONDITIONAL = {tool_routing.name, tool_data_returned.name, error_honesty.name, total_tokens.name}
