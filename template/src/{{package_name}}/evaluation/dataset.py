"""The evaluation rows: read from YAML, checked row by row, optionally synced to Unity Catalog.

Rows are in the shape `mlflow.genai.evaluate` takes (`inputs`, `expectations`). A
row that no scorer could grade (no question, no expected facts) is an error here,
with its number, rather than a judge error halfway through a paid run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .settings import read_yaml

DATASET_PATH = Path("evaluation/dataset.yaml")
ROW_KEYS = {"inputs", "expectations"}
INPUT_KEYS = {"input", "context", "custom_inputs"}  # the ResponsesAgentRequest fields a row may set
EXPECTATION_KEYS = {"expected_facts", "expected_response", "expected_tools"}


class DatasetError(ValueError):
    """A row of the dataset is malformed; the message names the row."""


def load_dataset(path: str | Path = DATASET_PATH, tools: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Read and check the rows at `path`; `tools`, if given, are the names rows may expect."""
    path = Path(path)
    rows = read_yaml(path, DatasetError, "--dataset")
    if not isinstance(rows, list) or not rows:
        raise DatasetError(f"{path}: expected a non-empty YAML list of rows")
    for number, row in enumerate(rows, start=1):
        problem = _problem(row)
        if problem:
            raise DatasetError(f"{path}, row {number}: {problem}")
    if tools is not None:
        check_tools(rows, tools, path)
    return rows


def check_tools(rows: list[dict[str, Any]], tools: Iterable[str], path: str | Path = DATASET_PATH) -> None:
    """Every tool a row expects must be one the agent has."""
    known = set(tools)
    for number, row in enumerate(rows, start=1):
        unknown = sorted(set(row["expectations"].get("expected_tools") or []) - known)
        if unknown:
            has = ", ".join(sorted(known)) or "none"
            raise DatasetError(
                f"{path}, row {number}: expects tools {unknown} that the agent does not have ({has})"
            )


def question(row: Mapping[str, Any]) -> str:
    """The last user message of a dataset row, or of a request as a trace records it."""
    for key in ("inputs", "request"):
        if isinstance(row.get(key), Mapping):
            row = row[key]
    messages = row.get("input") or []
    users = [m.get("content") for m in messages if isinstance(m, Mapping) and m.get("role") == "user"]
    return str(users[-1]) if users else ""


def _problem(row: Any) -> str:
    if not isinstance(row, Mapping):
        return "must be a mapping with `inputs` and `expectations`"
    if set(row) - ROW_KEYS:
        return f"unknown keys {sorted(set(row) - ROW_KEYS)}; a row has {sorted(ROW_KEYS)}"
    inputs = row.get("inputs")
    if not isinstance(inputs, Mapping) or set(inputs) - INPUT_KEYS:
        return f"`inputs` must be a ResponsesAgent request with keys among {sorted(INPUT_KEYS)}"
    problem = _request_problem(inputs)
    if problem:
        return f"`inputs` is not a valid ResponsesAgent request: {problem}"
    last = inputs["input"][-1]  # a non-empty list: `_request_problem` checked it
    if last.get("role") != "user" or not isinstance(last.get("content"), str) or not last["content"].strip():
        return "the last message of `inputs.input` must be the user's question, as non-empty text"
    expectations = row.get("expectations")
    if not isinstance(expectations, Mapping):
        return "needs `expectations` with `expected_facts` or `expected_response`"
    if set(expectations) - EXPECTATION_KEYS:
        unknown = sorted(set(expectations) - EXPECTATION_KEYS)
        return f"unknown expectations {unknown}; use {sorted(EXPECTATION_KEYS)}"
    facts, response = expectations.get("expected_facts"), expectations.get("expected_response")
    if not (facts or response):
        return "needs `expected_facts` (a list of facts) or `expected_response` for the Correctness judge"
    if facts is not None and not (isinstance(facts, list) and all(isinstance(f, str) and f for f in facts)):
        return "`expected_facts` must be a list of non-empty strings"
    if response is not None and not (isinstance(response, str) and response.strip()):
        return "`expected_response` must be non-empty text"
    expected_tools = expectations.get("expected_tools")
    if expected_tools is None:
        return ""
    if not isinstance(expected_tools, list) or not all(isinstance(t, str) for t in expected_tools):
        return "`expected_tools` must be a list of tool names ([] for none)"
    return ""


def _request_problem(inputs: Mapping[str, Any]) -> str:
    """Why the agent would reject `inputs` as a request, or "" (MLflow's own validation)."""
    from mlflow.types.responses import ResponsesAgentRequest  # here: reading YAML needs no mlflow
    from pydantic import ValidationError

    if not isinstance(inputs.get("input"), list) or not inputs["input"]:
        return "`input` must be a non-empty list of messages ({role, content})"
    try:
        ResponsesAgentRequest(**inputs)
    except ValidationError as exc:
        first = exc.errors()[0]
        return f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
    return ""


def sync_to_unity_catalog(rows: list[dict[str, Any]], table: str, experiment_id: str | None) -> int:
    """Merge the rows into the MLflow evaluation dataset `table`, creating it if needed.

    On Databricks the dataset is a Unity Catalog table (`catalog.schema.table`), linked
    to the experiment; rows whose inputs match are updated rather than duplicated, and
    rows deleted from the YAML stay in the table. Returns how many rows it holds.
    """
    import mlflow  # here, not at the top: reading rows needs no mlflow
    from mlflow.exceptions import MlflowException

    try:
        dataset = mlflow.genai.datasets.get_dataset(name=table)
    except MlflowException:
        dataset = mlflow.genai.datasets.create_dataset(name=table, experiment_id=experiment_id)
    return len(dataset.merge_records(rows).to_df())
