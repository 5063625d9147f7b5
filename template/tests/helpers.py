"""Small helpers to ask an agent a question and read what it answered."""

from __future__ import annotations

from typing import Any

from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest


def request(text: str, **context: str) -> ResponsesAgentRequest:
    return ResponsesAgentRequest(
        input=[{"role": "user", "content": text}],
        context=context or None,
    )


def stream(agent: ResponsesAgent, text: str, **context: str) -> list[dict[str, Any]]:
    """Every stream event, as plain dicts."""
    return [event.model_dump(exclude_none=True) for event in agent.predict_stream(request(text, **context))]


def done_items(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e["item"] for e in events if e["type"] == "response.output_item.done"]


def message_text(item: dict[str, Any]) -> str:
    return "".join(part["text"] for part in item["content"])


def final_text(events: list[dict[str, Any]]) -> str:
    """The text of the last message item: what a user sees as the answer."""
    messages = [item for item in done_items(events) if item["type"] == "message"]
    return message_text(messages[-1])


def deltas(events: list[dict[str, Any]], item_id: str | None = None) -> str:
    return "".join(
        e["delta"]
        for e in events
        if e["type"] == "response.output_text.delta" and item_id in (None, e["item_id"])
    )
