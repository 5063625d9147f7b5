"""A workspace client whose every call ends within a deadline.

The SDK retries 429 and 5xx replies for up to 5 minutes by default, which is no way to
learn that a host is wrong: a newcomer's command must answer in seconds.
"""

from __future__ import annotations

from databricks.sdk import WorkspaceClient
from databricks.sdk.config import Config


def workspace_client(timeout: float, profile: str | None = None) -> WorkspaceClient:
    """Unified auth (a profile, DATABRICKS_HOST/TOKEN, OAuth), with HTTP reads and retries
    given half of `timeout` each."""
    config = Config(
        profile=profile, retry_timeout_seconds=max(1, int(timeout / 2)), http_timeout_seconds=timeout / 2
    )
    return WorkspaceClient(config=config)
