"""The evaluation rows: read from YAML, checked row by row, optionally synced to Unity Catalog.

Rows are in the shape `mlflow.genai.evaluate` takes (`inputs`, `expectations`). A
malformed row (no question, no expectation, a key MLflow would ignore) is an error
here, with its file and number, rather than a judge error halfway through a paid run.

Expectations use MLflow's standard keys, each read by one scorer: `expected_facts`
or `expected_response` (the Correctness judge), `guidelines` (rules for this answer
alone, the ExpectationsGuidelines judge; harvest writes a reviewer's comment there)
and `expected_tools` (tool_routing). A row needs at least one; a scorer whose key a
row lacks skips that row, and the gate reports it as not scored, not as failed.

By default the rows come from two files, read in this order and merged:

* `evaluation/template_rows.yaml` is the template's: the rows its answers imply (two
  questions per Genie space, one across spaces, small talk, a request to refuse).
  `copier update` rewrites it, so a Genie space added later gets its rows.
* `evaluation/dataset.yaml` is the user's: written once, never touched by `copier update`.

A user's row with the same `inputs` as a template row replaces it, in the template
row's place; every other row is kept, the template's first. Repos made from template
versions before this split hold the template's rows inside their own dataset.yaml;
after an update they also get template_rows.yaml, and the merge evaluates each of
those rows once (with the user's expectations), without touching the user's file.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from .settings import read_yaml

ROW_KEYS = {"inputs", "expectations"}
INPUT_KEYS = {"input", "context", "custom_inputs"}  # the ResponsesAgentRequest fields a row may set
EXPECTATION_KEYS = {"expected_facts", "expected_response", "expected_tools", "guidelines"}
NEEDS_ONE_OF = "`expected_facts`, `expected_response`, `guidelines` or `expected_tools`"


def dataset_paths(directory: str | Path = "evaluation") -> tuple[Path, Path]:
    """The default dataset in `directory`: the template's rows, then the user's."""
    return Path(directory, "template_rows.yaml"), Path(directory, "dataset.yaml")


DATASET_PATHS = dataset_paths()


class DatasetError(ValueError):
    """A row of the dataset is malformed; the message names the file and the row."""


class Row(NamedTuple):
    """A checked row, and where it came from: `path`, row `number` (from 1)."""

    data: dict[str, Any]
    path: Path
    number: int

    def __str__(self) -> str:
        return f"{self.path}, row {self.number}"


def load_dataset(
    paths: str | Path | Sequence[str | Path] = DATASET_PATHS, tools: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """The rows to evaluate, from `paths` (see `read_rows`), as `mlflow.genai.evaluate` takes
    them; `tools`, if given, are the names rows may expect."""
    rows = read_rows(paths)
    if tools is not None:
        check_tools(rows, tools)
    return [row.data for row in rows]


def read_rows(paths: str | Path | Sequence[str | Path] = DATASET_PATHS) -> list[Row]:
    """Read and check the rows of one file, or merge those of several.

    One file is read as is: it must exist and hold a non-empty list. Several are read
    in order and merged (`merge_rows`): each may be missing or an empty list, as long as
    together they hold a row.
    """
    if isinstance(paths, str | Path):
        rows = _read_file(Path(paths), missing_ok=False)
        if not rows:
            raise DatasetError(f"{paths}: expected a non-empty YAML list of rows")
        return rows
    files = [Path(path) for path in paths]
    read = [_read_file(path, missing_ok=True) for path in files]
    merged = merge_rows(read)
    if not merged:
        found = [
            f"{path} ({'no such file' if file_rows is None else 'empty'})"
            for path, file_rows in zip(files, read, strict=True)
        ]
        raise DatasetError(
            f"no rows to evaluate: {' and '.join(found)}; add rows to {files[-1]} "
            "(run from the repo root, or pass --dataset)"
        )
    return merged


def merge_rows(files: Sequence[Sequence[Row] | None]) -> list[Row]:
    """The rows of `files` in order, where a row replaces any earlier file's row with the
    same `inputs`, taking its place. Rows repeated within one file are all kept.

    Rows are the same when their whole `inputs` are equal, not only their question (the
    last user message): the agent is given the whole conversation, `context` and
    `custom_inputs`, so two rows that end on the same question after different histories
    ("And last month?") test different things, and both run. It is also how
    `--sync-dataset`'s `merge_records` tells rows apart, so the table and the run agree.
    To change the expectations of a template row, copy it whole into your file.
    """
    merged: list[Row | None] = []
    for rows in files:
        earlier: dict[str, list[int]] = {}
        for index, row in enumerate(merged):
            if row is not None:
                earlier.setdefault(_key(row.data), []).append(index)
        for row in rows or ():
            replaced = earlier.pop(_key(row.data), None)
            if replaced:
                merged[replaced[0]] = row
                for index in replaced[1:]:
                    merged[index] = None
            else:
                merged.append(row)
    return [row for row in merged if row is not None]


def check_tools(rows: Sequence[Row], tools: Iterable[str]) -> None:
    """Every tool a row expects must be one the agent has."""
    known = set(tools)
    for row in rows:
        unknown = sorted(set(row.data["expectations"].get("expected_tools") or []) - known)
        if unknown:
            has = ", ".join(sorted(known)) or "none"
            raise DatasetError(f"{row}: expects tools {unknown} that the agent does not have ({has})")


def sources(rows: Sequence[Row], paths: Sequence[str | Path]) -> str:
    """Where `rows` came from, in the order of `paths`: "5 from a.yaml, 2 from b.yaml"."""
    counts = Counter(Path(row.path) for row in rows)
    return ", ".join(f"{counts[Path(path)]} from {path}" for path in paths if counts[Path(path)])


def question(row: Mapping[str, Any]) -> str:
    """The last user message of a dataset row, or of a request as a trace records it."""
    for key in ("inputs", "request"):
        if isinstance(row.get(key), Mapping):
            row = row[key]
    messages = row.get("input") or []
    users = [m.get("content") for m in messages if isinstance(m, Mapping) and m.get("role") == "user"]
    return str(users[-1]) if users else ""


def _key(row: Mapping[str, Any]) -> str:
    """What makes two rows the same test: their whole `inputs` (see `merge_rows`)."""
    return json.dumps(row["inputs"], sort_keys=True, default=str)


def _read_file(path: Path, missing_ok: bool) -> list[Row] | None:
    """The checked rows of one file ([] for an empty one); None if it is missing and `missing_ok`."""
    if missing_ok and not path.exists():
        return None
    rows = read_yaml(path, DatasetError, "--dataset")
    if rows is None:  # only comments
        rows = []
    if not isinstance(rows, list):
        raise DatasetError(f"{path}: expected a YAML list of rows (`[]` for none)")
    for number, row in enumerate(rows, start=1):
        problem = _problem(row)
        if problem:
            raise DatasetError(f"{path}, row {number}: {problem}")
    return [Row(row, path, number) for number, row in enumerate(rows, start=1)]


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
        return f"needs `expectations` with one of {NEEDS_ONE_OF}"
    if set(expectations) - EXPECTATION_KEYS:
        unknown = sorted(set(expectations) - EXPECTATION_KEYS)
        return f"unknown expectations {unknown}; use {sorted(EXPECTATION_KEYS)}"
    if all(expectations.get(key) is None for key in EXPECTATION_KEYS):
        return f"needs one of {NEEDS_ONE_OF} in `expectations`"
    for key in ("expected_facts", "guidelines"):
        texts = expectations.get(key)
        if texts is not None and not (
            isinstance(texts, list) and texts and all(isinstance(t, str) and t.strip() for t in texts)
        ):
            return f"`{key}` must be a non-empty list of non-empty strings"
    response = expectations.get("expected_response")
    if response is not None and not (isinstance(response, str) and response.strip()):
        return "`expected_response` must be non-empty text"
    expected_tools = expectations.get("expected_tools")
    if expected_tools is not None and not (
        isinstance(expected_tools, list) and all(isinstance(t, str) for t in expected_tools)
    ):
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
