"""Run `mlflow.genai.evaluate` on the agent and grade the result against the gate.

The agent is the `predict_fn`: each row's `inputs.input` goes to
`ResponsesAgent.predict`, exactly as a serving request would, so every row leaves a
full trace (AGENT, CHAT_MODEL and TOOL spans) that the scorers read. The run and its
traces are logged to the active MLflow experiment.

The gate reads each scorer's feedback, not the `<name>/value` columns of MLflow's
result table: MLflow writes a row's expectations there too, so the row's
`guidelines` expectation would overwrite the verdict of the `guidelines` judge.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mlflow
import pandas as pd
from mlflow.genai.scorers.base import Scorer
from mlflow.models import EvaluationResult
from mlflow.pyfunc import ResponsesAgent
from mlflow.tracing.constant import AssessmentMetadataKey
from mlflow.types.responses import ResponsesAgentRequest

from .gate import GateReport, judge_result
from .judges import CONDITIONAL as CONDITIONAL_JUDGES
from .judges import judges
from .scorers import CODE_SCORERS, CONDITIONAL
from .settings import EvaluationSettings


def predict_fn(agent: ResponsesAgent) -> Callable[..., dict[str, Any]]:
    """The agent as MLflow calls it: keyword arguments from each row's `inputs`."""

    def predict(
        input: list[dict[str, Any]],
        context: dict[str, Any] | None = None,
        custom_inputs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        request = ResponsesAgentRequest(input=input, context=context, custom_inputs=custom_inputs)
        return agent.predict(request).model_dump(exclude_none=True)

    return predict


def scorer_names(settings: EvaluationSettings) -> list[str]:
    """The name of every scorer this suite can run, judges included."""
    return [s.name for s in scorers_for(settings, settings.judge_endpoint)]


def scorers_for(settings: EvaluationSettings, judge_endpoint: str | None) -> list[Scorer]:
    """The code scorers, plus the LLM judges unless `judge_endpoint` is None."""
    chosen = list(CODE_SCORERS)
    if judge_endpoint is not None:
        chosen += judges(judge_endpoint, settings.guidelines)
    return chosen


def evaluate_agent(
    agent: ResponsesAgent,
    data: list[dict[str, Any]],
    settings: EvaluationSettings,
    judge_endpoint: str | None,
) -> tuple[EvaluationResult, GateReport]:
    """Evaluate `agent` on the dataset rows `data` and grade it; the run is tagged with the verdict."""
    scorers = scorers_for(settings, judge_endpoint)
    result = mlflow.genai.evaluate(data=data, predict_fn=predict_fn(agent), scorers=scorers)
    names = [s.name for s in scorers]
    conditional = CONDITIONAL | CONDITIONAL_JUDGES  # scorers that skip rows they do not apply to
    table = feedback_table(result.result_df, result.run_id)
    report = judge_result(table, len(data), names, settings.thresholds, conditional)
    mlflow.MlflowClient().set_tag(result.run_id, "evaluation.gate", "passed" if report.passed else "failed")
    return result, report


def feedback_table(result_df: pd.DataFrame | None, run_id: str) -> pd.DataFrame:
    """MLflow's result table, its `<name>/value`, `/rationale` and `/error_message` columns
    rebuilt from the feedback of run `run_id` alone (expectations left out). MLflow gives
    no table when it could not build one: then no row has a result, and the gate fails."""
    if result_df is None or "assessments" not in result_df.columns:
        return pd.DataFrame()
    columns = [_feedback_columns(assessments, run_id) for assessments in result_df["assessments"]]
    kept = result_df[[column for column in result_df.columns if "/" not in column]]
    return pd.concat([kept.reset_index(drop=True), pd.DataFrame(columns)], axis=1)


def _feedback_columns(assessments: Any, run_id: str) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for assessment in assessments if isinstance(assessments, list) else ():
        feedback = assessment.get("feedback")
        source_run = (assessment.get("metadata") or {}).get(AssessmentMetadataKey.SOURCE_RUN_ID)
        if feedback is None or assessment.get("valid") is False or source_run not in (None, run_id):
            continue
        name = assessment["assessment_name"]
        columns[f"{name}/value"] = feedback.get("value")
        columns[f"{name}/rationale"] = assessment.get("rationale")
        columns[f"{name}/error_message"] = (feedback.get("error") or {}).get("error_message")
    return columns
