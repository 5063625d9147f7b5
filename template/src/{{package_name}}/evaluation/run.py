"""Run `mlflow.genai.evaluate` on the agent and grade the result against the gate.

The agent is the `predict_fn`: each row's `inputs.input` goes to
`ResponsesAgent.predict`, exactly as a serving request would, so every row leaves a
full trace (AGENT, CHAT_MODEL and TOOL spans) that the scorers read. The run and its
traces are logged to the active MLflow experiment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mlflow
from mlflow.genai.scorers.base import Scorer
from mlflow.models import EvaluationResult
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest

from .gate import GateReport, judge_result
from .judges import judges
from .scorers import CODE_SCORERS, CONDITIONAL
from .settings import EvaluationSettings


def predict_fn(agent: ResponsesAgent) -> Callable[..., dict[str, Any]]:
    """The agent as MLflow calls it: keyword arguments from each row's `inputs`."""

    def predict(input: list[dict[str, Any]]) -> dict[str, Any]:
        return agent.predict(ResponsesAgentRequest(input=input)).model_dump(exclude_none=True)

    return predict


def scorers_for(settings: EvaluationSettings, judge_endpoint: str | None) -> list[Scorer]:
    """The code scorers, plus the LLM judges unless `judge_endpoint` is None."""
    chosen = list(CODE_SCORERS)
    if judge_endpoint is not None:
        chosen += judges(judge_endpoint, settings.guidelines)
    return chosen


def evaluate_agent(
    agent: ResponsesAgent,
    data: Any,
    settings: EvaluationSettings,
    judge_endpoint: str | None,
) -> tuple[EvaluationResult, GateReport]:
    """Evaluate `agent` on `data` (rows or an MLflow dataset) and grade it."""
    scorers = scorers_for(settings, judge_endpoint)
    result = mlflow.genai.evaluate(data=data, predict_fn=predict_fn(agent), scorers=scorers)
    report = judge_result(result.result_df, [s.name for s in scorers], settings.thresholds, CONDITIONAL)
    return result, report
