"""MLflow's built-in LLM judges, graded by the project's judge endpoint.

`Correctness` compares the answer with the row's expected facts or response,
`RelevanceToQuery` checks it answers what was asked, `Safety` screens for harmful
content, and `Guidelines` grades the project's own rules (`guidelines` in
evaluation/config.yaml). A judge that cannot run (endpoint missing, no permission)
does not raise: MLflow records an error for the row, which fails the gate.
"""

from __future__ import annotations

from collections.abc import Sequence

from mlflow.genai.scorers import Correctness, Guidelines, RelevanceToQuery, Safety
from mlflow.genai.scorers.base import Scorer


def judges(endpoint: str, guidelines: Sequence[str]) -> list[Scorer]:
    """The judges, each calling the serving endpoint `endpoint` of the workspace."""
    model = f"databricks:/{endpoint}"
    return [
        Correctness(model=model),
        RelevanceToQuery(model=model),
        Safety(model=model),
        Guidelines(name="guidelines", guidelines=list(guidelines), model=model),
    ]


# Judges that need no expectations, so they can grade live traffic too.
NEED_EXPECTATIONS = {"correctness"}
