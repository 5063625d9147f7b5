"""How failures are worded: for users in our own words, for traces in the exception's.

Exceptions from `databricks-sdk` and `openai` can carry a whole config dump, an HTML
page, or text a model or a workspace wrote (an endpoint's error body can quote the
prompt). `explain_exception` says what went wrong from the exception's class and HTTP
status only, so a fixed message (a refusal, a notice, a tool row) holds no outside text.
`describe_exception` gives the exception's own first line, cut short, for traces, the
model and command-line errors.
"""

from __future__ import annotations

import json

MAX_LENGTH = 300


BY_STATUS = {
    400: "the request was refused as invalid",
    401: "authentication failed: check the token, profile or OAuth credentials",
    403: "permission denied: the identity lacks access to this resource",
    404: "not found: it does not exist or this identity cannot see it",
    409: "the request conflicted with the resource's current state",
    422: "the request was refused as invalid",
    429: "rate limited: too many requests, try again shortly",
}
# HTTP statuses by exception class, for errors that carry none (databricks-sdk's, openai's).
STATUS_OF = {
    "BadRequest": 400, "BadRequestError": 400, "Unauthenticated": 401, "AuthenticationError": 401,
    "PermissionDenied": 403, "PermissionDeniedError": 403, "NotFound": 404, "NotFoundError": 404,
    "ResourceConflict": 409, "ConflictError": 409, "UnprocessableEntityError": 422,
    "TooManyRequests": 429, "RateLimitError": 429, "InternalError": 500, "InternalServerError": 500,
    "TemporarilyUnavailable": 503, "DeadlineExceeded": 504,
}  # fmt: skip
HINTS = {"Unauthenticated": BY_STATUS[401], "PermissionDenied": BY_STATUS[403]}


class OwnWordsError(Exception):
    """An error this package raises with a message in its own words (no outside text in
    it), which `explain_exception` passes on as it is."""


def explain_exception(exc: BaseException) -> str:
    """What went wrong, in our words: `cause (ErrorClass)`, with no text from the exception."""
    if isinstance(exc, OwnWordsError):
        return f"{exc} ({type(exc).__name__})"
    names = [cls.__name__ for cls in type(exc).__mro__]
    status = getattr(exc, "status_code", None)  # openai.APIStatusError
    if not isinstance(status, int):
        status = next((STATUS_OF[name] for name in names if name in STATUS_OF), None)
    if status in BY_STATUS:
        cause = BY_STATUS[status]
    elif isinstance(status, int) and 500 <= status <= 599:
        cause = "the service had a server error"
    elif any("Timeout" in name for name in names):
        cause = "timed out"
    elif any(name in ("ConnectionError", "APIConnectionError", "ConnectError") for name in names):
        cause = "could not connect"
    elif any(name in ("JSONDecodeError", "APIResponseValidationError") for name in names):
        cause = "the reply could not be read (not the JSON expected)"
    elif isinstance(exc, KeyError):
        cause = "the reply lacked a field it should have"
    elif any(name in ("DatabricksError", "APIError") for name in names):
        cause = "the service reported an error"
    else:
        cause = "an unexpected error"
    code = f"HTTP {status}, " if isinstance(status, int) and 100 <= status <= 599 else ""
    return f"{cause} ({code}{type(exc).__name__})"


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
