"""The HTTP server: routes, request log, and the replies handlers can give."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclasses.dataclass
class Request:
    method: str
    path: str
    body: Any
    query: dict[str, str] = dataclasses.field(default_factory=dict)  # the last value of each parameter


@dataclasses.dataclass
class Reply:
    """A JSON reply, an SSE stream (`events`), raw bytes (`raw`, for malformed bodies),
    or no reply at all (`drop`: the connection is closed, as by a reset)."""

    status: int = 200
    body: Any = None
    events: Iterator[str] | None = None
    raw: bytes | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    drop: bool = False


def error_reply(status: int, error_code: str, message: str) -> Reply:
    """An error in the shape Databricks REST APIs use."""
    return Reply(status=status, body={"error_code": error_code, "message": message})


Handler = Callable[[Request, re.Match[str]], Reply]
Predicate = Callable[[Any], bool]


class FakeServer:
    """Routes requests to handlers and records every request it receives."""

    def __init__(self, port: int = 0) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler, Predicate | None]] = []
        self.requests: list[Request] = []
        self._httpd = _Server(("127.0.0.1", port), _make_handler(self))
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def route(self, method: str, pattern: str, handler: Handler, when: Predicate | None = None) -> None:
        """Send matching requests to `handler`; with `when`, only those whose body it accepts.

        The first route that matches wins, so register narrower routes first.
        """
        self.routes.append((method, re.compile(pattern + r"\Z"), handler, when))

    def start(self) -> FakeServer:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def dispatch(self, request: Request) -> Reply:
        self.requests.append(request)
        for method, pattern, handler, when in self.routes:
            match = pattern.match(request.path)
            if method == request.method and match and (when is None or when(request.body)):
                return handler(request, match)
        return error_reply(404, "ENDPOINT_NOT_FOUND", f"no fake route for {request.method} {request.path}")


class _Server(ThreadingHTTPServer):
    # socketserver's backlog of 5 drops a load test's connections, each then costs a 1 s SYN retry.
    request_queue_size = 256


def _make_handler(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms ACK stalls

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            path, _, query = self.path.partition("?")
            reply = server.dispatch(Request(self.command, path, body, dict(urllib.parse.parse_qsl(query))))
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._send(reply)  # a client that gave up (a timeout test) needs no reply

        def _send(self, reply: Reply) -> None:
            if reply.drop:
                self.close_connection = True
                return
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.events is not None:
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                for event in reply.events:
                    self.wfile.write(f"data: {event}\n\n".encode())
                    self.wfile.flush()
                self.close_connection = True
                return
            data = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _handle

    return _Handler
