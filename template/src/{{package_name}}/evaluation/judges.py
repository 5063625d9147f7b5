"""MLflow's built-in LLM judges, graded by the project's judge endpoint.

`Correctness` compares the answer with the row's expected facts or response,
`RelevanceToQuery` checks it answers what was asked, `Safety` screens for harmful
content, `Guidelines` grades the project's own rules (`guidelines` in
evaluation/config.yaml), and `ExpectationsGuidelines` grades the rules of one row
(its `expectations.guidelines`, such as a reviewer's comment that harvest added).
A judge that cannot run (endpoint missing, no permission) does not raise: MLflow
records an error for the row, which fails the gate.

MLflow's Correctness and ExpectationsGuidelines raise on a row without their
expectation, which MLflow records as an error like any other. A row that carries
only guidelines, or only facts, is not an error, so here they skip such rows: the
judge is not called, the row has no value, and the gate counts them as
`CONDITIONAL` (not scored, never a pass or a failure).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from mlflow.entities import Feedback, Trace
from mlflow.genai.scorers import (
    Correctness,
    ExpectationsGuidelines,
    Guidelines,
    RelevanceToQuery,
    Safety,
)
from mlflow.genai.scorers.base import Scorer


class _WhereExpected:
    """Mixed in before a built-in judge: skip (return None for) a row whose expectations
    hold none of `reads`, and grade the others as the judge does.

    Only rows with expectations are skipped so: called with a trace alone, MLflow's
    judge looks for the expectations on the trace, as it always does."""

    reads: ClassVar[tuple[str, ...]] = ()

    def __call__(
        self,
        *,
        inputs: dict[str, Any] | None = None,
        outputs: Any | None = None,
        expectations: dict[str, Any] | None = None,
        trace: Trace | None = None,
    ) -> Feedback | None:
        if expectations is not None and not any(expectations.get(key) for key in self.reads):
            return None
        return super().__call__(inputs=inputs, outputs=outputs, expectations=expectations, trace=trace)


class RowCorrectness(_WhereExpected, Correctness):
    """`Correctness`, on the rows with `expected_facts` or `expected_response`."""

    reads: ClassVar[tuple[str, ...]] = ("expected_facts", "expected_response")


class RowGuidelines(_WhereExpected, ExpectationsGuidelines):
    """`ExpectationsGuidelines`, on the rows with `guidelines`."""

    reads: ClassVar[tuple[str, ...]] = ("guidelines",)


def judges(endpoint: str, guidelines: Sequence[str]) -> list[Scorer]:
    """The judges, each calling the serving endpoint `endpoint` of the workspace."""
    model = f"databricks:/{endpoint}"
    return [
        RowCorrectness(model=model),
        RelevanceToQuery(model=model),
        Safety(model=model),
        Guidelines(name="guidelines", guidelines=list(guidelines), model=model),
        RowGuidelines(model=model),
    ]


# Judges that need expectations: they grade dataset rows only, never live traffic.
NEED_EXPECTATIONS = {"correctness", "expectations_guidelines"}
# Judges that skip the rows without their expectation (see the module's docstring).
CONDITIONAL = {"correctness", "expectations_guidelines"}
