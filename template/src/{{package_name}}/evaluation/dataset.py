"""The evaluation rows: read from YAML, checked row by row, optionally synced to Unity Catalog.

Rows are in the shape `mlflow.genai.evaluate` takes (`inputs`, `expectations`). A
row that no scorer could grade (no question, no expected facts) is an error here,
with its number, rather than a judge error halfway through a paid run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

DATASET_PATH = Path("evaluation/dataset.yaml")
ROW_KEYS = {"inputs", "expectations"}
EXPECTATION_KEYS = {"expected_facts", "expected_response", "expected_tools"}


class DatasetError(ValueError):
    """A row of the dataset is malformed; the message names the row."""


def load_dataset(path: str | Path = DATASET_PATH, tools: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Read and check the rows at `path`; `tools`, if given, are the names rows may expect."""
    path = Path(path)
    try:
        rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file (run from the repo root, or pass --dataset)") from None
    except yaml.YAMLError as exc:
        raise DatasetError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(rows, list) or not rows:
        raise DatasetError(f"{path}: expected a non-empty YAML list of rows")
    known = None if tools is None else set(tools)
    for number, row in enumerate(rows, start=1):
        problem = _problem(row, known)
        if problem:
            raise DatasetError(f"{path}, row {number}: {problem}")
    return rows


def question(row: Mapping[str, Any]) -> str:
    """The last user message of a dataset row, or of a request as a trace records it."""
    for key in ("inputs", "request"):
        if isinstance(row.get(key), Mapping):
            row = row[key]
    messages = row.get("input") or []
    users = [m.get("content") for m in messages if isinstance(m, Mapping) and m.get("role") == "user"]
    return str(users[-1]) if users else ""


def _problem(row: Any, tools: set[str] | None) -> str:
    if not isinstance(row, Mapping):
        return "must be a mapping with `inputs` and `expectations`"
    if set(row) - ROW_KEYS:
        return f"unknown keys {sorted(set(row) - ROW_KEYS)}; a row has {sorted(ROW_KEYS)}"
    messages = (row.get("inputs") or {}).get("input") if isinstance(row.get("inputs"), Mapping) else None
    if not isinstance(messages, list) or not messages:
        return "`inputs.input` must be a non-empty list of messages ({role, content})"
    if not all(
        isinstance(m, Mapping) and m.get("role") and isinstance(m.get("content"), str) for m in messages
    ):
        return "every message in `inputs.input` needs a `role` and a text `content`"
    if messages[-1].get("role") != "user":
        return "the last message of `inputs.input` must be the user's question"
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
    unknown = sorted(set(expected_tools) - tools) if tools is not None else []
    if unknown:
        return (
            f"expects tools {unknown} that the agent does not have (it has {sorted(tools or []) or 'none'})"
        )
    return ""


def sync_to_unity_catalog(rows: list[dict[str, Any]], table: str, experiment_id: str | None) -> Any:
    """Merge the rows into the MLflow evaluation dataset `table`, creating it if needed.

    On Databricks the dataset is a Unity Catalog table (`catalog.schema.table`), linked
    to the experiment; rows whose inputs match are updated rather than duplicated.
    """
    import mlflow  # here, not at the top: reading rows needs no mlflow
    from mlflow.exceptions import MlflowException

    try:
        dataset = mlflow.genai.datasets.get_dataset(name=table)
    except MlflowException:
        dataset = mlflow.genai.datasets.create_dataset(name=table, experiment_id=experiment_id)
    return dataset.merge_records(rows)
