"""POST /feedback: a person's thumbs up or down, and a comment, on the trace of an answer.

The page gets each answer's trace id with the streamed answer and sends it back here
with the rating. It is recorded with `mlflow.log_feedback` on that trace, as a HUMAN
assessment named `user_feedback` whose source is the person (`identity.py`). From
there `python -m <package>.evaluation harvest` turns thumbs down into evaluation rows.

Anyone who can reach the page can post here, so the body is checked before anything
else happens: bad input gets a 4xx and one line (`{"detail": ...}`), never a 500.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import anyio
import mlflow
from fastapi import Request
from fastapi.responses import JSONResponse
from mlflow.entities import AssessmentSource, AssessmentSourceType
from mlflow.exceptions import MlflowException
from mlflow.tracking import fluent as _fluent

from ..errors import describe_exception

FEEDBACK_NAME = "user_feedback"
MAX_BODY_BYTES = 16 * 1024
# MLflow trace ids: `tr-<32 hex>`, or `trace:/<location>/<32 hex>` for traces stored in Unity Catalog.
TRACE_ID = re.compile(r"(tr-|trace:/[A-Za-z0-9_.-]{1,255}/)[0-9a-f]{32}")
RATINGS = {"up": True, "down": False}
FIELDS = {"trace_id", "rating", "comment"}


class BadFeedback(Exception):
    """A request this route refuses; `status` is its 4xx."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


@dataclasses.dataclass(frozen=True)
class Feedback:
    trace_id: str
    thumbs_up: bool
    comment: str | None


async def receive(request: Request, user: str, comment_max_chars: int) -> JSONResponse:
    """Check the body, then record it on the trace (in a thread: MLflow's client blocks)."""
    try:
        feedback = parse(await _read_body(request), comment_max_chars)
        assessment_id = await anyio.to_thread.run_sync(record, feedback, user)
    except BadFeedback as refused:
        return JSONResponse({"detail": str(refused)}, status_code=refused.status)
    return JSONResponse({"ok": True, "assessment_id": assessment_id})


def parse(body: bytes, comment_max_chars: int) -> Feedback:
    """The feedback in `body`, or BadFeedback saying what is allowed."""
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise BadFeedback(400, 'the body must be JSON: {"trace_id": ..., "rating": "up" or "down"}') from None
    if not isinstance(data, dict):
        raise BadFeedback(400, "the body must be a JSON object with trace_id, rating and optional comment")
    if unknown := sorted(set(data) - FIELDS):
        raise BadFeedback(
            400, f"unknown field(s): {', '.join(unknown)[:100]}; allowed: comment, rating, trace_id"
        )
    trace_id = data.get("trace_id")
    if not isinstance(trace_id, str) or not TRACE_ID.fullmatch(trace_id):
        raise BadFeedback(400, "trace_id must be an MLflow trace id, tr- and 32 hex digits")
    rating = data.get("rating")
    if not isinstance(rating, str) or rating not in RATINGS:
        raise BadFeedback(400, 'rating must be "up" or "down"')
    comment = data.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise BadFeedback(400, "comment must be text")
    if comment is not None and not _is_unicode(comment):
        raise BadFeedback(400, "comment must be Unicode text (it has a lone surrogate)")
    if comment is not None and len(comment) > comment_max_chars:
        raise BadFeedback(422, f"comment is {len(comment)} characters; at most {comment_max_chars} are kept")
    return Feedback(trace_id, RATINGS[rating], (comment or "").strip() or None)


def record(feedback: Feedback, user: str) -> str:
    """Log the feedback on its trace; an unknown trace is a 404, a store that fails a 503."""
    mlflow.flush_trace_async_logging()  # the answer's trace may still be on its way to the store
    unknown = BadFeedback(404, f"no trace {feedback.trace_id} in this server's experiment")
    try:
        trace = mlflow.get_trace(feedback.trace_id)
        # The store may hold other projects' traces: only this server's answers take feedback.
        if trace is None or trace.info.experiment_id != _experiment_id():
            raise unknown
        assessment = mlflow.log_feedback(
            trace_id=feedback.trace_id,
            name=FEEDBACK_NAME,
            value=feedback.thumbs_up,
            rationale=feedback.comment,
            source=AssessmentSource(source_type=AssessmentSourceType.HUMAN, source_id=user),
        )
    except MlflowException as exc:
        if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
            raise unknown from None
        raise BadFeedback(503, f"the feedback could not be recorded: {describe_exception(exc)}") from None
    return assessment.assessment_id


def _experiment_id() -> str:
    """The experiment this process writes its traces to (MLFLOW_EXPERIMENT_ID/NAME, or the default)."""
    return _fluent._get_experiment_id()


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


async def _read_body(request: Request) -> bytes:
    """The body, read no further than MAX_BODY_BYTES, whatever Content-Length claims."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise BadFeedback(413, f"the body is over {MAX_BODY_BYTES} bytes")
    return body
