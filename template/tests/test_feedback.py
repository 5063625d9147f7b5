"""POST /feedback: thumbs up or down and a comment land on the answer's trace, as a HUMAN
assessment from the person asking; bad input gets a 4xx and one line, never a 500."""

from __future__ import annotations

import json

import httpx
import mlflow
import pytest

from fake_workspace.workspace import FakeWorkspace

UNKNOWN_TRACE = "tr-" + "0" * 32
RATED = {"trace_id": UNKNOWN_TRACE, "rating": "up"}


def _traced_answer(server: str) -> str:
    """Ask something over /responses and return the turn's trace id, as the page receives it."""
    body = {"input": [{"role": "user", "content": "Hello, what can you help me with?"}], "stream": True}
    headers = {"x-mlflow-return-trace-id": "true"}
    with httpx.stream("POST", f"{server}responses", json=body, headers=headers, timeout=60) as reply:
        events = [json.loads(line[6:]) for line in reply.iter_lines() if line.startswith("data: {")]
    return next(event["trace_id"] for event in events if "trace_id" in event)


def _feedback(trace_id: str) -> list[mlflow.entities.Assessment]:
    return [a for a in mlflow.get_trace(trace_id).info.assessments if a.name == "user_feedback"]


def test_thumbs_down_with_a_comment_lands_on_the_trace(server: str, workspace: FakeWorkspace) -> None:
    trace_id = _traced_answer(server)
    body = {"trace_id": trace_id, "rating": "down", "comment": "Wrong region: ask about EMEA ünïcode"}
    headers = {"x-forwarded-email": "ana@example.com"}  # what a Databricks App forwards
    reply = httpx.post(f"{server}feedback", json=body, headers=headers, timeout=30)
    assert reply.status_code == 200, reply.text
    [assessment] = _feedback(trace_id)
    assert assessment.value is False
    assert assessment.rationale == "Wrong region: ask about EMEA ünïcode"
    assert assessment.source.source_type == "HUMAN"
    assert assessment.source.source_id == "ana@example.com"
    assert reply.json()["assessment_id"] == assessment.assessment_id


def test_thumbs_up_without_a_header_is_the_local_user(server: str, workspace: FakeWorkspace) -> None:
    trace_id = _traced_answer(server)
    reply = httpx.post(f"{server}feedback", json={"trace_id": trace_id, "rating": "up"}, timeout=30)
    assert reply.status_code == 200, reply.text
    [assessment] = _feedback(trace_id)
    assert assessment.value is True and assessment.rationale is None
    assert assessment.source.source_id == "agent-tests@example.com"  # the fake's current user


def test_a_trace_of_another_experiment_takes_no_feedback(server: str) -> None:
    """The store may hold other projects' traces: feedback goes only on this server's answers."""
    other = mlflow.set_experiment("someone-elses-experiment")
    try:
        with mlflow.start_span("not this agent's") as span:
            trace_id = span.trace_id
    finally:
        mlflow.set_experiment(experiment_id="0")  # where the server writes its traces
    assert mlflow.get_trace(trace_id).info.experiment_id == other.experiment_id
    reply = httpx.post(f"{server}feedback", json={"trace_id": trace_id, "rating": "down"}, timeout=30)
    assert reply.status_code == 404 and "no trace" in reply.json()["detail"]
    assert _feedback(trace_id) == []


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"{not json", 400, "must be JSON"),
        (b"[1, 2]", 400, "JSON object"),
        (json.dumps({"trace_id": "tr-123", "rating": "up"}).encode(), 400, "trace_id"),
        (json.dumps({"trace_id": "<script>", "rating": "up"}).encode(), 400, "trace_id"),
        (json.dumps({"trace_id": UNKNOWN_TRACE, "rating": "meh"}).encode(), 400, "rating"),
        (json.dumps({"trace_id": UNKNOWN_TRACE, "rating": "up", "x": 1}).encode(), 400, "unknown field"),
        (json.dumps({"trace_id": UNKNOWN_TRACE, "rating": "up", "comment": 5}).encode(), 400, "comment"),
        (json.dumps({"trace_id": UNKNOWN_TRACE, "rating": "up"}).encode(), 404, "no trace"),
        (json.dumps({**RATED, "comment": "x" * 2001}).encode(), 422, "2000"),
        (json.dumps({**RATED, "comment": "x" * 20_000}).encode(), 413, "bytes"),
        ("\ud800".encode("utf-8", "surrogatepass"), 400, "must be JSON"),
        (json.dumps({**RATED, "comment": "\ud800"}).encode(), 400, "Unicode"),
        (b"[" * 8000 + b"]" * 8000, 400, "must be JSON"),
    ],
)
def test_bad_feedback_gets_a_4xx_and_one_line(server: str, body: bytes, status: int, says: str) -> None:
    reply = httpx.post(f"{server}feedback", content=body, timeout=30)
    assert reply.status_code == status, reply.text
    detail = reply.json()["detail"]
    assert says in detail and "\n" not in detail and len(detail) < 200
