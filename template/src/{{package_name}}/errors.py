"""How failures are worded for users: short, specific, and free of secrets.

Exceptions from `databricks-sdk` and `openai` can carry a whole config dump or an
HTML page. Users see one line that names the error and its cause; the full
exception stays in the trace.
"""

from __future__ import annotations

import json

MAX_LENGTH = 300


HINTS = {
    "Unauthenticated": "authentication failed: check the token, profile or OAuth credentials",
    "PermissionDenied": "permission denied: the identity lacks access to this resource",
}


def describe_exception(exc: BaseException) -> str:
    """`ErrorClass (ERROR_CODE): first line of the message`, cut to a readable length."""
    if isinstance(exc, json.JSONDecodeError):
        return (
            "the workspace answered with a page that is not JSON (an HTML or login page?): "
            "check DATABRICKS_HOST and the credentials"
        )
    message = str(exc).split(" Config:")[0].strip()
    body = getattr(exc, "body", None)  # openai.APIStatusError: the endpoint's own error message
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        message = f"HTTP {getattr(exc, 'status_code', '?')}: {body['message']}"
    if "unable to parse response" in message:  # the SDK's wording for an unreadable error page
        message = HINTS.get(type(exc).__name__, "the workspace's error reply could not be read")
    if isinstance(exc, KeyError):
        message = f"the reply had no {message} field"
    first_line = message.splitlines()[0] if message else "no message"
    code = getattr(exc, "error_code", None) or getattr(exc, "code", None)
    name = type(exc).__name__ + (f" ({code})" if isinstance(code, str) and code else "")
    text = f"{name}: {first_line}"
    return text if len(text) <= MAX_LENGTH else text[: MAX_LENGTH - 1] + "…"
