"""Fake workspace resources that a deploy needs: serving endpoints, Unity Catalog
catalogs and schemas, MLflow experiments and workspace folders; and the listings
`discover` reads, and the host metadata every SDK client asks for first.

Only the read calls are served, the ones `preflight` and `discover` make:

    GET /api/2.0/serving-endpoints/{name}                  kind "endpoint"
    GET /api/2.1/unity-catalog/catalogs/{name}             kind "catalog"
    GET /api/2.1/unity-catalog/schemas/{catalog.schema}    kind "schema"
    GET /api/2.0/mlflow/experiments/get-by-name            kind "experiment" (?experiment_name=)
    GET /api/2.0/workspace/get-status                      kind "folder" (?path=)
    GET /api/2.0/genie/spaces                              kind "listing", name "genie_spaces"
    GET /api/2.0/serving-endpoints                         kind "listing", name "serving_endpoints"
    GET /.well-known/databricks-config                     the workspace's host metadata

Every resource exists unless a test says otherwise with
`FakeControlPlane.script(kind, name, behaviour)`, where behaviour is one of:
exists, missing (404 with the error code the real API uses), not_ready (an endpoint
whose state is NOT_READY, IN_PROGRESS), http_403, http_429 (Retry-After: 1),
http_500, or hang (no reply for 30 s, longer than any client deadline).

The listings serve `genie_spaces` and `serving_endpoints` (lists of API dicts a test may
replace); Genie spaces come a page at a time, `page_size` (default 20) per page, with a
`next_page_token` while more remain, as the real API does.
"""

from __future__ import annotations

import re
import time
from typing import Any

from .server import FakeServer, Reply, Request, error_reply

MISSING = {
    "endpoint": ("RESOURCE_DOES_NOT_EXIST", "Endpoint with name '{}' does not exist."),
    "catalog": ("CATALOG_DOES_NOT_EXIST", "Catalog '{}' does not exist."),
    "schema": ("SCHEMA_DOES_NOT_EXIST", "Schema '{}' does not exist."),
    "experiment": ("RESOURCE_DOES_NOT_EXIST", "Could not find experiment with name {}"),
    "folder": ("RESOURCE_DOES_NOT_EXIST", "Path ({}) doesn't exist."),
    "listing": ("ENDPOINT_NOT_FOUND", "No API found for listing {}."),
}
FAILURES = {
    "http_403": (403, "PERMISSION_DENIED", "User does not have permission on {} '{}'."),
    "http_429": (429, "REQUEST_LIMIT_EXCEEDED", "Too many requests for {} '{}'."),
    "http_500": (500, "INTERNAL_ERROR", "Internal error reading {} '{}'."),
}
WORKSPACE_ID = "1234567890123456"
GENIE_PAGE_SIZE = 20  # the API's default page


def default_genie_spaces() -> list[dict[str, Any]]:
    """Two spaces the caller can use, as `GET /api/2.0/genie/spaces` lists them."""
    return [
        {"space_id": "a" * 32, "title": "Sales orders", "description": "Orders and revenue by region."},
        {"space_id": "b" * 32, "title": "Support tickets", "description": "Tickets by product."},
    ]


def default_serving_endpoints() -> list[dict[str, Any]]:
    """Two chat endpoints (the agent's and the judge's kind), an embedding one, a custom model."""
    ready = {"ready": "READY", "config_update": "NOT_UPDATING"}
    return [
        {"name": "chat-llm", "task": "llm/v1/chat", "state": ready},
        {"name": "judge-llm", "task": "llm/v1/chat", "state": ready},
        {"name": "text-embeddings", "task": "llm/v1/embeddings", "state": ready},
        {"name": "churn-model", "state": ready},
    ]


class FakeControlPlane:
    """Serves the resources above; `scripts` maps (kind, name) to a behaviour."""

    def __init__(self, server: FakeServer) -> None:
        self.scripts: dict[tuple[str, str], str] = {}
        self.genie_spaces = default_genie_spaces()
        self.serving_endpoints = default_serving_endpoints()
        self.url = server.url
        server.route("GET", r"/\.well-known/databricks-config", self._host_metadata)
        server.route("GET", r"/api/2\.0/genie/spaces", self._list_genie_spaces)
        server.route("GET", r"/api/2\.0/serving-endpoints", self._list_serving_endpoints)
        server.route("GET", r"/api/2\.0/serving-endpoints/(?P<name>[^/]+)", self._endpoint)
        server.route("GET", r"/api/2\.1/unity-catalog/catalogs/(?P<name>[^/]+)", self._catalog)
        server.route("GET", r"/api/2\.1/unity-catalog/schemas/(?P<name>[^/]+)", self._schema)
        server.route("GET", r"/api/2\.0/mlflow/experiments/get-by-name", self._experiment)
        server.route("GET", r"/api/2\.0/workspace/get-status", self._folder)

    def script(self, kind: str, name: str, behaviour: str) -> None:
        if kind not in MISSING:
            raise ValueError(f"unknown kind {kind!r}: one of {', '.join(MISSING)}")
        self.scripts[(kind, name)] = behaviour

    def reset(self) -> None:
        self.scripts.clear()
        self.genie_spaces = default_genie_spaces()
        self.serving_endpoints = default_serving_endpoints()

    def _answer(self, kind: str, name: str, found: dict[str, Any]) -> Reply:
        behaviour = self.scripts.get((kind, name), "exists")
        if behaviour == "hang":
            time.sleep(30)
        if behaviour == "missing":
            code, message = MISSING[kind]
            return error_reply(404, code, message.format(name))
        if behaviour in FAILURES:
            status, code, message = FAILURES[behaviour]
            reply = error_reply(status, code, message.format(kind, name))
            if status == 429:
                reply.headers["Retry-After"] = "1"
            return reply
        if behaviour == "not_ready":
            found["state"] = {"ready": "NOT_READY", "config_update": "IN_PROGRESS"}
        return Reply(body=found)

    def _endpoint(self, request: Request, match: re.Match[str]) -> Reply:
        state = {"ready": "READY", "config_update": "NOT_UPDATING"}
        return self._answer("endpoint", match["name"], {"name": match["name"], "id": "ep1", "state": state})

    def _catalog(self, request: Request, match: re.Match[str]) -> Reply:
        return self._answer("catalog", match["name"], {"name": match["name"], "full_name": match["name"]})

    def _schema(self, request: Request, match: re.Match[str]) -> Reply:
        catalog, _, schema = match["name"].partition(".")
        found = {"name": schema, "catalog_name": catalog, "full_name": match["name"]}
        return self._answer("schema", match["name"], found)

    def _experiment(self, request: Request, _: re.Match[str]) -> Reply:
        name = request.query.get("experiment_name", "")
        experiment = {"experiment_id": "1234", "name": name, "lifecycle_stage": "active"}
        return self._answer("experiment", name, {"experiment": experiment})

    def _folder(self, request: Request, _: re.Match[str]) -> Reply:
        path = request.query.get("path", "")
        return self._answer("folder", path, {"path": path, "object_type": "DIRECTORY", "object_id": 1})

    def _host_metadata(self, request: Request, _: re.Match[str]) -> Reply:
        """What a workspace answers at /.well-known/databricks-config (the SDK's `HostMetadata`)."""
        return Reply(body={"oidc_endpoint": f"{self.url}/oidc", "workspace_id": WORKSPACE_ID})

    def _list_genie_spaces(self, request: Request, _: re.Match[str]) -> Reply:
        size = int(request.query.get("page_size") or GENIE_PAGE_SIZE)
        start = int(request.query.get("page_token") or 0)
        page: dict[str, Any] = {"spaces": self.genie_spaces[start : start + size]}
        if start + size < len(self.genie_spaces):
            page["next_page_token"] = str(start + size)
        return self._answer("listing", "genie_spaces", page)

    def _list_serving_endpoints(self, request: Request, _: re.Match[str]) -> Reply:
        return self._answer("listing", "serving_endpoints", {"endpoints": self.serving_endpoints})
