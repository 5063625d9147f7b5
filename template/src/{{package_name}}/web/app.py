"""The HTTP app of `start-server`: the agent's API, its chat page, and the page's routes.

MLflow's `AgentServer("ResponsesAgent")` makes the app and the routes Databricks expects
of an agent: POST /invocations and /responses (the OpenAI Responses API; `"stream": true`
streams server-sent events) and GET /health and /agent/info. This module adds:

    GET  /              the chat page (static/, shipped inside this package: no CDN, no build)
    GET  /chat/config   what the page shows: title, data sources, the user, demo or not
    POST /feedback      thumbs up or down and a comment, on an answer's trace (feedback.py)
    POST /demo/space    in --demo only: make a fake Genie space fail, or answer again

Turns run in worker threads (turns.py), so one slow turn never holds up another or /health;
guards.py sets the page's security headers and refuses malformed agent requests.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from mlflow.genai.agent_server import AgentServer, get_request_headers, invoke, stream
from mlflow.types.agent import ChatContext
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent

from ..responses_agent import ToolCallingAgent
from . import feedback, identity
from .demo import Demo
from .guards import AgentRequestGuard, SecurityHeaders
from .turns import TurnRunner

STATIC_DIR = Path(__file__).with_name("static")


@dataclasses.dataclass(frozen=True)
class WebSettings:
    """The `web` section of agent_config.yaml."""

    title: str = "Agent"
    max_concurrent_turns: int = 64
    feedback_comment_max_chars: int = 2000

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> WebSettings:
        section = dict(config.get("web") or {})
        settings = cls(**section)
        if settings.max_concurrent_turns < 1 or settings.feedback_comment_max_chars < 1:
            raise ValueError("web.max_concurrent_turns and web.feedback_comment_max_chars must be at least 1")
        return settings


@dataclasses.dataclass(frozen=True)
class _Served:
    agent: ToolCallingAgent
    turns: TurnRunner

    # These two run in a turn thread, where asking the workspace who the user is cannot
    # hold up the event loop; the request's headers come along in the copied context.
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        return self.agent.predict(self._with_user(request))

    def predict_stream(self, request: ResponsesAgentRequest) -> Iterator[ResponsesAgentStreamEvent]:
        return self.agent.predict_stream(self._with_user(request))

    def _with_user(self, request: ResponsesAgentRequest) -> ResponsesAgentRequest:
        """The request, its context naming the person asking when the caller did not (trace tags)."""
        if request.context and request.context.user_id:
            return request
        user = identity.asking_user(get_request_headers(), self.agent.workspace)
        context = request.context or ChatContext()
        return request.model_copy(update={"context": context.model_copy(update={"user_id": user})})


# MLflow's @invoke and @stream register module-level functions, once per process; they
# reach the agent that build_app was given through this.
_served: _Served | None = None


def build_app(agent: ToolCallingAgent, settings: WebSettings, demo: Demo | None = None) -> FastAPI:
    """The app for `agent`: MLflow's agent routes, the chat page and its routes."""
    global _served
    _served = _Served(agent, TurnRunner(settings.max_concurrent_turns))
    app = AgentServer("ResponsesAgent").app
    app.add_middleware(AgentRequestGuard)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    async def asking_user(request: Request) -> str:
        """Who is asking; in a thread, since the first answer may come from the workspace."""
        return await anyio.to_thread.run_sync(identity.asking_user, dict(request.headers), agent.workspace)

    @app.get("/chat/config")
    async def chat_config(request: Request) -> dict[str, Any]:
        return {
            "title": settings.title,
            "sources": _sources(agent),
            "user": await asking_user(request),
            "comment_max_chars": settings.feedback_comment_max_chars,
            "demo": demo is not None,
            "demo_controls": demo.controls() if demo else None,
        }

    @app.post("/feedback")
    async def receive_feedback(request: Request) -> JSONResponse:
        user = await asking_user(request)
        return await feedback.receive(request, user, settings.feedback_comment_max_chars)

    if demo is not None:
        app.post("/demo/space", include_in_schema=False)(demo.space_route)
    return app


@invoke()
async def respond(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    served = _current()
    return await served.turns.call(served.predict, request)


@stream()
async def respond_streaming(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    served = _current()
    async for event in served.turns.stream(served.predict_stream, request):
        yield event


def _current() -> _Served:
    if _served is None:
        raise RuntimeError("build_app() has not been called in this process")
    return _served


def _sources(agent: ToolCallingAgent) -> list[dict[str, str]]:
    """The data sources the agent may use, as the page lists them."""
    genie = {space["name"] for space in (agent.settings.config.get("genie") or {}).get("spaces", [])}
    return [
        {
            "name": name,
            "kind": "genie" if name in genie else "tool",
            "description": str(tool.spec.get("function", {}).get("description", "")),
        }
        for name, tool in agent.tools.items()
    ]
