"""Two plain ASGI middlewares around the whole app: what every response carries, and what
the agent's routes accept. Plain ASGI, not `@app.middleware`, so streams stay streams and a
client that goes away is still noticed.
"""

from __future__ import annotations

import json
from typing import Any

# The page loads only its own files and talks only to this server; nothing it shows can run.
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-cache",
}
AGENT_ROUTES = {"/invocations", "/responses"}
MAX_REQUEST_BYTES = 4 * 1024 * 1024


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.decode().lower() not in SECURITY_HEADERS
                ]
                message["headers"] = kept + [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AgentRequestGuard:
    """Bodies of /invocations and /responses: at most MAX_REQUEST_BYTES, and a JSON object.

    MLflow's AgentServer answers a JSON array with a 500 and reads bodies of any size; here
    those get a 400 or 413 with one line, before the agent sees them.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in AGENT_ROUTES:
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_REQUEST_BYTES:
                await _refuse(send, 413, f"the request body is over {MAX_REQUEST_BYTES} bytes")
                return
        try:
            is_object = isinstance(json.loads(body), dict)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # nested past Python's limit
            is_object = False
        if not is_object:
            await _refuse(send, 400, 'the body must be a JSON object, e.g. {"input": [...]}')
            return
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:  # after the body, the server only waits for the client to go away
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _refuse(send: Any, status: int, detail: str) -> None:
    payload = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
