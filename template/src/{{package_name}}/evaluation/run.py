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
    report = judge_result(result.result_df, len(data), names, settings.thresholds, CONDITIONAL)
    mlflow.MlflowClient().set_tag(result.run_id, "evaluation.gate", "passed" if report.passed else "failed")
    return result, report
