"""Who is asking: the person behind a request, for feedback and trace tags.

In a Databricks App the platform signs people in and forwards who they are in
`X-Forwarded-Email` / `X-Forwarded-Preferred-Username` / `X-Forwarded-User` on every
request. Locally there is no such proxy: the person is the one whose credentials the
server runs with (the profile or token's user), so a header can stand in for another
user when you try things out.
"""

from __future__ import annotations

import functools
import getpass
from collections.abc import Mapping

from databricks.sdk import WorkspaceClient

FORWARDED_USER_HEADERS = ("x-forwarded-email", "x-forwarded-preferred-username", "x-forwarded-user")
MAX_LENGTH = 256
ASK_SECONDS = 10


def asking_user(headers: Mapping[str, str], workspace: WorkspaceClient) -> str:
    """The forwarded identity of the request, else the local user."""
    for name in FORWARDED_USER_HEADERS:
        value = (headers.get(name) or "").strip()
        if value:
            return value[:MAX_LENGTH]
    return local_user(workspace)


@functools.cache
def local_user(workspace: WorkspaceClient) -> str:
    """The workspace user of this server's credentials, asked once; the OS user if that fails."""
    config = workspace.config.copy()  # a bounded ask: no minutes of SDK retries for a name
    config.retry_timeout_seconds = config.http_timeout_seconds = ASK_SECONDS
    try:
        name = WorkspaceClient(config=config).current_user.me().user_name
    except Exception:  # noqa: BLE001 - an identity for feedback is no reason to fail a request
        name = None
    return name or f"local:{getpass.getuser()}"
