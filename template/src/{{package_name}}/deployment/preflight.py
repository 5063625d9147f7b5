"""Check that the target workspace has everything the bundle points at: `uv run preflight`.

A deploy that fails halfway (a mistyped endpoint, a Genie space nobody shared, a schema
nobody created) costs minutes and explains little. This makes one read-only call per
resource, with the values the Databricks CLI would resolve for the target, against the
workspace of your Databricks configuration (DATABRICKS_HOST/TOKEN,
DATABRICKS_CONFIG_PROFILE or OAuth), and prints a checklist with a fix for each failure.
Exit status: 0 all passed, 1 a check failed, 2 bad options or an unreadable databricks.yml.

A Databricks App's `warehouse_id` may be left empty when the repo is rendered, to be
passed at deploy time (--var warehouse_id=..., or BUNDLE_VAR_warehouse_id as CI does).
Without it every check still runs, and each Genie space's check fails with the warehouse
id to pass: the space's own.

Every check is bounded by --timeout: the SDK's HTTP reads and its retries on 429 and
5xx (which last minutes by default) get half of it each, and a call still running at
the end (a hung socket, a long Retry-After) is left behind in a daemon thread.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from databricks.sdk import WorkspaceClient
from databricks.sdk.config import Config
from databricks.sdk.errors import BadRequest, NotFound, PermissionDenied

from ..errors import describe_exception
from .bundle import LOOKUP, Bundle, BundleError, dig, load_bundle, read_yaml

AGENT_CONFIG = Path(__file__).parents[1] / "agent_config.yaml"  # settings.CONFIG_PATH, without mlflow
EXIT_FAILED, EXIT_USAGE = 1, 2
OK, FAIL, NOT_RUN = "ok", "FAIL", "not run"
AUTH_FIX = (
    "set DATABRICKS_HOST and DATABRICKS_TOKEN, or DATABRICKS_CONFIG_PROFILE to a profile in "
    "~/.databrickscfg, or run `databricks auth login --host <workspace URL>`"
)
RETRY_FIX = (
    "the workspace was slow, throttling (429) or failing (5xx), and SDK retries stop at half of "
    "--timeout: run preflight again in a minute, or with a longer --timeout"
)


class Unusable(Exception):
    """The resource answered, but the agent cannot use it as it is; `fix` says what to do."""

    def __init__(self, detail: str, fix: str) -> None:
        super().__init__(detail)
        self.fix = fix


@dataclasses.dataclass(frozen=True)
class Check:
    """One line of the checklist: `status` is OK, FAIL or NOT_RUN."""

    label: str
    status: str
    detail: str
    fix: str = ""


@dataclasses.dataclass(frozen=True)
class Probe:
    """One resource: `call` returns what it found, or raises; the fixes for 404 and 403."""

    label: str
    call: Callable[[WorkspaceClient], str]
    missing: str
    forbidden: str


def plan(bundle: Bundle, experiment: str | None) -> list[Probe]:
    """Every check after auth, in checklist order; BundleError when a value is missing."""

    def value(name: str) -> str:
        found = bundle.variables.get(name)
        if found is LOOKUP:
            raise BundleError(
                f"bundle variable `{name}` is a lookup, which preflight cannot resolve: "
                f"pass --var {name}=VALUE"
            )
        if not isinstance(found, str | int | float) or "${" in str(found):
            raise BundleError(
                f"bundle variable `{name}` has no value preflight can use for target {bundle.target} "
                f"({found!r}): set it in databricks.yml, or pass --var {name}=VALUE"
            )
        return str(found)

    if not (experiment or bundle.experiment):
        raise BundleError("the bundle defines no experiment `agent` under resources: pass --experiment NAME")
    spaces = dig(read_yaml(AGENT_CONFIG), "genie", "spaces") or []  # none in a chat-only agent
    # A Databricks App is granted this warehouse (resources/app.yml): it must be the spaces' own.
    # "" is a warehouse left for deploy time (see load): each Genie check names the one to pass.
    warehouse = value("warehouse_id") if spaces and "warehouse_id" in bundle.variables else None
    probes = [
        endpoint_probe("LLM", value("llm_endpoint"), "llm_endpoint"),
        endpoint_probe("judge", value("judge_endpoint"), "judge_endpoint"),
        *(genie_probe(space["name"], value(f"genie_space_{space['name']}"), warehouse) for space in spaces),
        experiment_probe(bundle, experiment),
    ]
    if "catalog" not in bundle.variables:  # no model to register in Unity Catalog (a Databricks App)
        return probes
    catalog, schema = value("catalog"), f"{value('catalog')}.{value('schema')}"
    return [
        *probes,
        Probe(
            f"catalog {catalog}",
            lambda client: _exists(client.catalogs.get(catalog)),
            _set("catalog", "an existing catalog") + ", or ask a metastore admin to create it",
            f"ask the catalog's owner for USE CATALOG on {catalog}",
        ),
        Probe(
            f"schema {schema}",
            lambda client: _exists(client.schemas.get(schema)),
            f"run `CREATE SCHEMA {schema}` (needs USE CATALOG and CREATE SCHEMA on {catalog}), or "
            + _set("schema", "an existing schema"),
            f"ask the schema's owner for USE SCHEMA on {schema} (and USE CATALOG on {catalog})",
        ),
    ]


def endpoint_probe(role: str, name: str, variable: str) -> Probe:
    def call(client: WorkspaceClient) -> str:
        state = client.serving_endpoints.get(name).state
        ready, update = (state.ready, state.config_update) if state else (None, None)
        if not ready or ready.value != "READY":
            raise Unusable(
                f"not ready (state {ready and ready.value}, config update {update and update.value})",
                "wait until it is READY (the endpoint's Events tab on the Serving page says why "
                f"it is not), or set `{variable}` to another endpoint",
            )
        return "READY"

    return Probe(
        f"{role} endpoint {name}",
        call,
        _set(variable, "a serving endpoint in this workspace"),
        f"ask the endpoint's owner for CAN_QUERY on {name}",
    )


def genie_probe(space: str, space_id: str, warehouse: str | None = None) -> Probe:
    def call(client: WorkspaceClient) -> str:
        found = client.genie.get_space(space_id)
        if not found.warehouse_id:
            raise Unusable(
                "the space reports no SQL warehouse", "attach a SQL warehouse to the space in Genie"
            )
        if warehouse == "":
            raise Unusable(
                f"runs on SQL warehouse {found.warehouse_id}, but bundle variable warehouse_id "
                "(the warehouse the app is granted) has no value",
                f"pass --var warehouse_id={found.warehouse_id} (or BUNDLE_VAR_warehouse_id), "
                "or set its default in databricks.yml",
            )
        if warehouse is not None and found.warehouse_id != warehouse:
            raise Unusable(
                f"runs on SQL warehouse {found.warehouse_id}, but the app is granted {warehouse}",
                _set("warehouse_id", found.warehouse_id),
            )
        return f"{found.title!r} on SQL warehouse {found.warehouse_id}"

    return Probe(
        f"Genie space {space} ({space_id})",
        call,
        _set(f"genie_space_{space}", "the id in its URL"),
        "ask the space's owner to share it with you with CAN RUN",
    )


def experiment_probe(bundle: Bundle, override: str | None) -> Probe:
    """The experiment: there already, or at least its folder, where `bundle deploy` creates it."""

    def call(client: WorkspaceClient) -> str:
        user = client.current_user.me().user_name or ""
        name = bundle.fill(override or bundle.experiment or "", {"workspace.current_user.userName": user})
        if "${" in name:
            raise Unusable(f"cannot resolve the experiment name {name}", "pass --experiment NAME")
        folder, _, last = name.rpartition("/")
        if bundle.development and not override:  # the name the CLI gives it depends on the deployer
            _folder_exists(client, folder, name)
            return (
                f"development mode deploys it as {folder}/[dev <your short name>] {last}; its folder exists"
            )
        try:
            client.experiments.get_by_name(name)
            return f"{name} exists"
        except NotFound:
            _folder_exists(client, folder, name)
            return f"{name} does not exist yet; its folder does: created by `databricks bundle deploy`"

    return Probe(
        "MLflow experiment",
        call,
        "check the experiment's name in resources/, or pass --experiment",
        "ask the experiment's owner for CAN_EDIT on it, or the folder's for CAN_MANAGE",
    )


def load(path: Path, target: str | None, overrides: dict[str, str]) -> Bundle:
    """The bundle as the CLI resolves it. An app's `warehouse_id` with no value, and only that,
    loads as "" so the checks can run and name the warehouse to pass (see the module's doc)."""
    try:
        return load_bundle(path, target, overrides, os.environ)
    except BundleError as first:
        if "warehouse_id" in overrides:
            raise
        try:  # the same bundle, with warehouse_id given: loads only if it was the one missing
            return load_bundle(path, target, {**overrides, "warehouse_id": ""}, os.environ)
        except BundleError:
            raise first from None


def run(probe: Probe, client: WorkspaceClient, timeout: float) -> Check:
    try:
        return Check(probe.label, OK, bounded(lambda: probe.call(client), timeout))
    except Unusable as exc:
        return Check(probe.label, FAIL, str(exc), exc.fix)
    except (NotFound, BadRequest) as exc:
        return Check(probe.label, FAIL, describe_exception(exc), probe.missing)
    except PermissionDenied as exc:
        return Check(probe.label, FAIL, describe_exception(exc), probe.forbidden)
    except Exception as exc:  # noqa: BLE001 - 429 and 5xx after retries, timeouts: one line each
        return Check(probe.label, FAIL, _cause(exc), RETRY_FIX)


def bounded(function: Callable[[], Any], timeout: float) -> Any:
    """`function()`, given up on after `timeout`. It runs in a daemon thread, so a call that
    hangs, or sleeps through a long Retry-After inside the SDK, never holds the process."""
    outcome: list[tuple[bool, Any]] = []

    def target() -> None:
        try:
            outcome.append((True, function()))
        except Exception as exc:  # noqa: BLE001 - raised again in the caller's thread
            outcome.append((False, exc))

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        raise TimeoutError(f"no answer within {timeout:g} s (--timeout)")
    if not outcome[0][0]:
        raise outcome[0][1]
    return outcome[0][1]


def workspace_client(timeout: float, profile: str | None = None) -> WorkspaceClient:
    """Unified auth (a profile, DATABRICKS_HOST/TOKEN, OAuth), with HTTP reads and retries (on
    429 and 5xx: minutes by default) given half of `timeout` each, so that a wrong host or a
    refused token is learnt in seconds. Quickstart and discover use it too."""
    config = Config(
        profile=profile, retry_timeout_seconds=max(1, int(timeout / 2)), http_timeout_seconds=timeout / 2
    )
    return WorkspaceClient(config=config)


def connect(timeout: float) -> tuple[WorkspaceClient, str]:
    """A client bounded by `timeout`, and who it signs in as, on which workspace."""
    client = workspace_client(timeout)
    return client, f"{client.current_user.me().user_name} on {client.config.host}"


def render(check: Check) -> str:
    line = f"  {check.status:<7}  {check.label}: {check.detail}"
    return line + (f"\n           fix: {check.fix}" if check.fix else "")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="preflight",
        description="Check that the workspace has the endpoints, Genie spaces, experiment, catalog "
        "and schema the bundle points at.",
        epilog="Exit status: 0 all checks passed, 1 a check failed, 2 bad options or databricks.yml.",
    )
    parser.add_argument("--target", "-t", help="bundle target (default: the one marked default)")
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        type=_name_value,
        metavar="NAME=VALUE",
        help="bundle variable value, as for `databricks bundle deploy` (repeatable)",
    )
    parser.add_argument("--experiment", help="MLflow experiment name (default: the bundle's)")
    parser.add_argument("--bundle", type=Path, default=Path("databricks.yml"), help="default: %(default)s")
    parser.add_argument(
        "--timeout", type=float, default=20.0, help="seconds per check (default: %(default)s)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    path = args.bundle / "databricks.yml" if args.bundle.is_dir() else args.bundle
    try:
        bundle = load(path, args.target, dict(args.var))
        probes = plan(bundle, args.experiment)
    except BundleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(
        f"Preflight of bundle {bundle.name}, target {bundle.target} ({args.timeout:g} s per check at most):"
    )
    try:
        client, identity = bounded(lambda: connect(args.timeout), args.timeout)
    except Exception as exc:  # noqa: BLE001 - no credentials, a wrong host, a refused token: one fix
        client, checks = None, [Check("auth", FAIL, _cause(exc), AUTH_FIX)]
    else:
        checks = [Check("auth", OK, identity)]
    print(render(checks[0]), flush=True)
    for probe in probes:
        checks.append(
            run(probe, client, args.timeout)
            if client is not None
            else Check(probe.label, NOT_RUN, "needs auth")
        )
        print(render(checks[-1]), flush=True)
    failed = sum(check.status != OK for check in checks)
    print(f"\n{len(checks) - failed} of {len(checks)} checks passed." + (" Fix the rest." if failed else ""))
    return EXIT_FAILED if failed else 0


def cli() -> None:
    """The `preflight` console script: its exit status is the process's."""
    sys.exit(main())


def _set(variable: str, value: str) -> str:
    return f"set the bundle variable `{variable}` to {value} (in databricks.yml, or --var {variable}=...)"


def _folder_exists(client: WorkspaceClient, folder: str, name: str) -> None:
    try:
        client.workspace.get_status(folder)
    except NotFound as exc:
        raise Unusable(
            f"neither {name} nor its folder exists",
            f"create the folder {folder}, or name another experiment in resources/",
        ) from exc


def _exists(_: object) -> str:
    return "exists"


def _cause(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):  # the SDK's retries ran out, or `bounded` gave up
        return f"retries gave up: {describe_exception(exc.__cause__)}" if exc.__cause__ else str(exc)
    return describe_exception(exc)


def _name_value(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not (sep and name):
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value
