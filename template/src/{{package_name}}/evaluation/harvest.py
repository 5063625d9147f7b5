"""Turn thumbs-down feedback on traces into evaluation rows: `python -m <package>.evaluation harvest`.

It reads the newest traces of the experiment (MLFLOW_TRACKING_URI; --experiment, else
MLFLOW_EXPERIMENT_NAME or _ID, else MLflow's default) that carry a `user_feedback`
assessment from a HUMAN source, and keeps those whose reviewer's latest valid rating
is False: a later rating from the same reviewer, or an override, replaces an earlier
one. The search is bounded (`--max`, `--since`): a production experiment holds far
more traces than anyone should read to harvest a few rows.

A row's `inputs` are the trace's request as the agent got it: the whole `input` list,
so a follow-up keeps its history (earlier questions, tool calls and answers), and its
`custom_inputs`. Its `context` (conversation and user ids) is left out: it names who
asked, not what is tested. The reviewer's comment is the row's guideline
(`expectations: {guidelines: [comment]}`), which MLflow's ExpectationsGuidelines
judge grades the agent's next answer against; several reviewers of the same inputs
give one row with each comment. No expected facts are made up from a comment: "say
which space the figure came from" is a rule for the answer, not a fact it states.

A thumbs-down without a comment says the answer was wrong, not what a right one
does, so any guideline written for it would be invented. A generic one ("do not
repeat the rejected answer") would pass a reworded wrong answer, fail a right one
that resembles it, and show in the gate as if a user had asked for it. So the row is
added commented out, under its trace id (open the trace to see what was rejected),
to complete with a guideline or expected facts and uncomment; its trace counts as
harvested, so it is not offered again.

The rows are appended as text to the end of `evaluation/dataset.yaml`, the user's
file: it is never re-dumped, so its rows, comments and layout stay as they were (a
bare `[]` is the one thing removed, since rows follow it). A comment line above each
row says where it came from; harvest reads those lines, and the rows' inputs (also of
template_rows.yaml next to it), so it never adds a trace or the same inputs twice.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

import yaml

from .dataset import DATASET_PATHS, DatasetError, _key, _problem, _read_file, dataset_paths, question

FEEDBACK_NAME = "user_feedback"  # what the chat page's thumbs log (web/feedback.py)
MAX_TRACES = 10_000
SINCE_HELP = (
    "an ISO date or date-time (2026-11-01, 2026-11-01T08:00; UTC unless it has an offset) or an age (7d, 12h)"
)
GRADED_NOTE = "# Guidelines from the reviewers' comments, graded by a judge: reword each as a rule."
DRAFT_NOTE = "# No comment given: see the trace, write in guidelines what a good answer does, uncomment."
MARKER = re.compile(r"^\s*# harvest: trace (\S+?),", re.MULTILINE)  # the origin line above each row
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not the whole usage
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = _Parser(
        prog=f"python -m {__package__} harvest",
        description="Append a row to the evaluation dataset for each trace a user rated thumbs-down: "
        "the trace's request as the row's inputs, the user's comment as its guideline.",
        epilog="Exit status: 0 done (also when nothing was found), 2 bad option, dataset or tracking store.",
    )
    parser.add_argument("--since", type=_since, metavar="WHEN", help=f"only traces since WHEN: {SINCE_HELP}")
    parser.add_argument(
        "--max",
        type=_count,
        default=100,
        metavar="N",
        help="read at most N traces, newest first (default: 100)",
    )
    parser.add_argument(
        "--experiment",
        metavar="NAME",
        help="MLflow experiment name (default: MLFLOW_EXPERIMENT_NAME or _ID, else MLflow's default)",
    )
    parser.add_argument(
        "--dataset",
        type=Path,
        default=DATASET_PATHS[1],
        metavar="FILE",
        help="the file to append to (default: %(default)s)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the rows, write nothing")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:  # local checks first: a broken dataset should not wait on the tracking store
        text, known, harvested = _read_dataset(args.dataset)
    except (DatasetError, OSError, UnicodeDecodeError) as exc:
        return _fail(str(exc))
    import mlflow  # after the local checks: importing it takes seconds

    try:
        where, traces, note = _search(mlflow, args)
    except Exception as exc:  # noqa: BLE001 - a bad URI, a missing experiment, no network: one line
        return _fail(f"cannot read traces from MLflow ({mlflow.get_tracking_uri()}): {exc}")
    since = f" since {args.since:%Y-%m-%d %H:%M} UTC" if args.since else ""
    print(f"Read {_plural(len(traces), 'trace')}{note} from {where}{since}, newest first.")
    if len(traces) == args.max:
        print(f"Stopped at --max {args.max}: older traces were not read (raise --max, or use --since).")

    rows, counts = _collect(traces, known, harvested)
    verb = "would add" if args.dry_run else "added"
    for row in rows.values():
        first = row["guidelines"][:1]
        said = f"guideline: {_short(first[0])}" if first else "no comment: commented out"
        print(f"{verb} {row['sources'][0][0]}: {_short(question(row))} ({said})")
    block = "".join(_row_text(row) for row in rows.values())
    if args.dry_run and block:
        print(f"\nThese lines would be appended to {args.dataset}:\n{block}")
    try:
        graded = [row for row in rows.values() if row["guidelines"]]  # the rows not commented out
        new_text = _appended(text, block, graded) if block else ""
        if block and not args.dry_run:
            _write(args.dataset, new_text)
    except (ValueError, OSError) as exc:
        return _fail(f"{args.dataset}: cannot append safely ({exc}); add the rows by hand (see --dry-run)")
    print(_summary(rows, counts, args))
    return 0


def _collect(
    traces: Sequence[Any], known: set[str], harvested: set[str]
) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
    """The rows to add, by their key (traces with the same inputs make one row), and counts."""
    rows: dict[str, dict[str, Any]] = {}
    counts = {"negative": 0, "duplicate": 0, "unusable": 0}
    for trace in traces:
        reviews = _thumbs_down(trace)
        if not reviews:
            continue
        counts["negative"] += 1
        trace_id, inputs = _one_line(trace.info.trace_id), _inputs(trace)
        problem = _problem({"inputs": inputs, "expectations": {"guidelines": ["-"]}}) if inputs else ""
        if inputs is None or problem:
            counts["unusable"] += 1
            print(f"skipped {trace_id}: its request is not a dataset row ({problem or 'none recorded'})")
            continue
        key = _key({"inputs": inputs})
        if trace_id in harvested or key in known:
            counts["duplicate"] += 1
            continue
        row = rows.setdefault(key, {"inputs": inputs, "guidelines": [], "sources": []})
        row["sources"] += [(trace_id, who, when) for who, when, _ in reviews]
        said = row["guidelines"]
        said += [comment for _, _, comment in reviews if comment and comment not in said]
    return rows, counts


def _search(mlflow: Any, args: argparse.Namespace) -> tuple[str, list[Any], str]:
    """Where the traces came from, the newest `--max` traces with a thumbs-down, and a note."""
    from mlflow.environment_variables import MLFLOW_EXPERIMENT_ID, MLFLOW_EXPERIMENT_NAME
    from mlflow.exceptions import MlflowException

    name, experiment_id = args.experiment or MLFLOW_EXPERIMENT_NAME.get(), MLFLOW_EXPERIMENT_ID.get()
    locations, where = None, "MLflow's default experiment"
    if name or experiment_id:  # looked up, never created: reading must not make an experiment
        experiment = mlflow.get_experiment_by_name(name) if name else mlflow.get_experiment(experiment_id)
        if experiment is None:
            raise LookupError(f"no experiment named {name!r}")
        locations, where = [experiment.experiment_id], f"experiment {experiment.name!r}"
    search = {"locations": locations, "max_results": args.max, "order_by": ["timestamp_ms DESC"]}
    since = [f"trace.timestamp_ms >= {int(args.since.timestamp() * 1000)}"] if args.since else []
    try:  # the store returns what has a thumbs-down from anyone; `_thumbs_down` checks whose
        feedback = f"feedback.{FEEDBACK_NAME} = 'false'"
        found = mlflow.search_traces(
            filter_string=" AND ".join([feedback, *since]), return_type="list", **search
        )
        return where, found, f" with a {FEEDBACK_NAME} of false"
    except MlflowException as exc:
        if exc.error_code != "INVALID_PARAMETER_VALUE":
            raise
    found = mlflow.search_traces(filter_string=" AND ".join(since) or None, return_type="list", **search)
    return where, found, " (of any feedback: this tracking store cannot filter on it)"


def _thumbs_down(trace: Any) -> list[tuple[str, str, str]]:
    """(reviewer, date, comment) of each HUMAN reviewer whose latest valid rating is False.

    An overridden rating is not valid; a reviewer who rated again changed their mind."""
    from mlflow.entities import Feedback

    latest: dict[str, Feedback] = {}
    for a in trace.info.assessments or ():
        if not isinstance(a, Feedback) or a.name != FEEDBACK_NAME or a.valid is False or a.error:
            continue
        if a.source.source_type != "HUMAN":
            continue
        who = _one_line(a.source.source_id or "unknown", 80)
        if who not in latest or (a.create_time_ms or 0) >= (latest[who].create_time_ms or 0):
            latest[who] = a
    return [
        (who, _date(a.create_time_ms), (a.rationale or "").strip())
        for who, a in latest.items()
        if a.value is False
    ]


def _date(ms: int | None) -> str:
    return f"{dt.datetime.fromtimestamp((ms or 0) / 1000, dt.UTC):%Y-%m-%d}"


def _inputs(trace: Any) -> dict[str, Any] | None:
    """The trace's ResponsesAgent request as a row's `inputs`: its messages, no ids of who asked."""
    try:
        request = json.loads(trace.data.request or "null")
    except (TypeError, ValueError):
        return None
    if isinstance(request, Mapping) and isinstance(request.get("request"), Mapping):
        request = request["request"]  # ResponsesAgent.predict(request) records {"request": {...}}
    if not isinstance(request, Mapping) or not isinstance(request.get("input"), list):
        return None
    inputs = {"input": [_message(_no_nulls(item)) for item in request["input"]]}
    if request.get("custom_inputs"):
        inputs["custom_inputs"] = _no_nulls(request["custom_inputs"])
    return inputs


def _no_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _no_nulls(v) for k, v in value.items() if v is not None}
    return [_no_nulls(v) for v in value] if isinstance(value, list) else value


def _message(item: Any) -> Any:
    """A message as rows write one: role and content first, no `type: message` that MLflow added."""
    if not isinstance(item, dict) or "role" not in item:
        return item
    if item.get("type") == "message" and isinstance(item.get("content"), str):
        item = {key: value for key, value in item.items() if key != "type"}
    return {"role": item["role"], **item}


class _Dumper(yaml.SafeDumper):
    """Writes rows as dataset.yaml's own are written: lists indented under their key, and
    text of several lines as a `|` block (YAML falls back to quotes where it must)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    """Text of several lines as a `|` block. Quoted (escaped) where a block would not keep it:
    line breaks other than \\n, and trailing blank lines (`|+` would end the YAML document)."""
    quoted = text.endswith("\n\n") or any(c in text for c in "\r\x85\u2028\u2029")
    style = '"' if quoted else "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style)


_Dumper.add_representer(str, _text)


def _row_text(row: dict[str, Any]) -> str:
    """The YAML of one row after its origin lines; commented out if it has no guideline to grade by."""
    lines = [
        f"# harvest: trace {trace_id}, thumbs down by {who} on {when}"
        for trace_id, who, when in row["sources"]
    ]
    dumped = yaml.dump([_data(row)], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10**6)
    if row["guidelines"]:
        lines.append(GRADED_NOTE)
        return "\n" + "\n".join(lines) + "\n" + dumped
    lines.append(DRAFT_NOTE)
    return "\n" + "\n".join(lines) + "\n" + "".join(f"# {line}\n" for line in dumped.split("\n")[:-1])


def _data(row: dict[str, Any]) -> dict[str, Any]:
    """The dataset row itself."""
    return {"inputs": row["inputs"], "expectations": {"guidelines": row["guidelines"]}}


def _appended(text: str, block: str, rows: list[dict[str, Any]]) -> str:
    """`text` with `block` after it, checked: its rows unchanged, then exactly `rows`.

    A flow list `[]` (how the file starts out) cannot take block rows after it, so it
    is removed, with its line if nothing else is on it; the text around it is kept."""
    old = yaml.safe_load(text) or []
    skip = (yaml.StreamStartToken, yaml.DocumentStartToken)
    tokens = [token for token in yaml.scan(text) if not isinstance(token, skip)]
    indent = 0
    if tokens and isinstance(tokens[0], yaml.FlowSequenceStartToken):
        if old:
            raise ValueError("its rows are a flow list [...]; write them as a block list, `- inputs: ...`")
        start, end = tokens[0].start_mark.index, tokens[1].end_mark.index
        line_start, line_end = text.rfind("\n", 0, start) + 1, text.find("\n", end) + 1 or len(text)
        rest = text[line_start:start] + text[end:line_end]
        text = text[:line_start] + (rest if rest.strip() else "") + text[line_end:]
    elif tokens and isinstance(tokens[0], yaml.BlockSequenceStartToken):
        indent = tokens[0].start_mark.column  # rows indented as the file's own
    newline = "\r\n" if "\r\n" in text else "\n"
    if text and not text.endswith("\n"):
        text += newline
    lines = [(" " * indent if line.strip() else "") + line for line in block.split("\n")[:-1]]
    expected = [*old, *map(_data, rows)]
    problem = ""
    for skip in (0, 1):  # without the leading blank line if it would join the text before (a `|+` block)
        new = text + "".join(line + newline for line in lines[skip:])
        try:
            if yaml.safe_load(new) == expected:
                return new
            problem = "the file would not read back as its rows followed by the new ones"
        except yaml.YAMLError as exc:
            problem = _one_line(exc)
    raise ValueError(problem)


def _read_dataset(path: Path) -> tuple[str, set[str], set[str]]:
    """The file's text; the keys of its rows and the template's next to it; its harvested traces."""
    text = path.read_bytes().decode("utf-8") if path.exists() else ""  # its own newlines
    template_rows = dataset_paths(path.parent)[0]
    rows = [*(_read_file(template_rows, missing_ok=True) or ()), *(_read_file(path, missing_ok=True) or ())]
    return text, {_key(row.data) for row in rows}, set(MARKER.findall(text))


def _write(path: Path, text: str) -> None:
    """Replace the file in one step: a failed write leaves the old one whole."""
    path = path.resolve()  # a symlinked dataset is written through, not replaced
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        if path.exists():
            os.chmod(temp, path.stat().st_mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _summary(rows: dict[str, dict[str, Any]], counts: dict[str, int], args: Any) -> str:
    added, drafts = len(rows), sum(not row["guidelines"] for row in rows.values())
    verb = "would add" if args.dry_run else "added"
    parts = [
        f"{verb} {_plural(added, 'row')} from {_plural(counts['negative'], 'trace')} with negative feedback"
    ]
    if drafts:
        parts.append(f"{drafts} of them commented out, without a comment to grade by")
    if counts["duplicate"]:
        parts.append(f"{counts['duplicate']} already in the dataset")
    if counts["unusable"]:
        parts.append(f"{counts['unusable']} not usable as a row")
    if added and args.dry_run:
        parts.append(f"{args.dataset} not changed (--dry-run)")
    elif added:
        parts.append(f"review them in {args.dataset}, then evaluate: python -m {__package__}")
    return "; ".join(parts) + "."


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _short(text: str, width: int = 60) -> str:
    text = _one_line(text, 10_000)
    return json.dumps(text if len(text) <= width else text[: width - 3] + "...", ensure_ascii=False)


def _one_line(value: object, width: int = 300) -> str:
    """`value` as one line of printable text: safe in a YAML comment and in a log."""
    return " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())[:width]


def _fail(message: str) -> int:
    print(f"error: {_one_line(message, 2000)}", file=sys.stderr)
    return EXIT_USAGE


def _since(value: str) -> dt.datetime:
    """`--since`: a UTC datetime in the past, from an ISO date or an age such as 7d or 12h."""
    age = re.fullmatch(r"(\d{1,5})([dh])", value.strip())
    if age:
        hours = int(age[1]) * (24 if age[2] == "d" else 1)
        return dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours)
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {SINCE_HELP}; got {value!r}") from None
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    if when > dt.datetime.now(dt.UTC):
        raise argparse.ArgumentTypeError(f"{value!r} is in the future; expected {SINCE_HELP}")
    return when.astimezone(dt.UTC)


def _count(value: str) -> int:
    if not value.strip().isdigit() or not 1 <= int(value) <= MAX_TRACES:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {MAX_TRACES}; got {value!r}")
    return int(value)
