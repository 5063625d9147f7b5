"""Chat Completions client for a Databricks Model Serving endpoint.

Serving endpoints speak the OpenAI Chat Completions API under
`<workspace host>/serving-endpoints`, so the plain `openai` client is all we need.
Credentials come from `databricks-sdk` unified auth on every request: a PAT in
`DATABRICKS_TOKEN`, a CLI profile, OAuth, or what Model Serving and Databricks Apps
inject. Asking the SDK per request lets short-lived OAuth tokens refresh themselves.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx
import openai
from databricks.sdk import WorkspaceClient


class _WorkspaceAuth(httpx.Auth):
    """Adds the workspace's current auth headers to each request."""

    def __init__(self, workspace: WorkspaceClient) -> None:
        self._config = workspace.config

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(self._config.authenticate())
        yield request


def serving_endpoints_client(workspace: WorkspaceClient, timeout_seconds: float) -> openai.OpenAI:
    """An OpenAI client whose base URL is the workspace's serving endpoints."""
    host = workspace.config.host.rstrip("/")
    return openai.OpenAI(
        base_url=f"{host}/serving-endpoints",
        api_key="unused",  # replaced per request by _WorkspaceAuth
        http_client=httpx.Client(auth=_WorkspaceAuth(workspace), timeout=timeout_seconds),
        # No hidden retries: each would get the whole timeout again, and the reply's
        # deadline (llm_timeout_seconds) must hold. A failed call is reported instead.
        max_retries=0,
    )
