"""From a fresh clone to a working local set-up: `uv run quickstart`.

It picks a Databricks CLI profile (or says how to make one), checks that its
credentials work, writes `.env` (the profile, where traces go, the experiment) without
replacing a value already there, runs `preflight`, and prints the next three commands.
With --profile and --yes it asks nothing, for CI and scripts.
Exit status: 0 ready, 1 not ready (no profile, credentials refused, a preflight check
failed), 2 bad options or not run from the repo's root.
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

from ..deployment import preflight
from ..errors import describe_exception
from .env_file import add_missing, read_values
from .profiles import (
    LOGIN,
    PROFILE_VARIABLE,
    Profile,
    ProfileError,
    choose_profile,
    config_path,
    only_profile,
    read_profiles,
)

TRACKING_VARIABLE, EXPERIMENT_VARIABLE = "MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_NAME"
WORKSPACE_TRACKING = "databricks"
LOCAL_TRACKING = "sqlite:///mlflow.db"
EXIT_NOT_READY, EXIT_USAGE = 1, 2
TRACES = f"""\
where traces go:
  quickstart sets {TRACKING_VARIABLE}={WORKSPACE_TRACKING}: traces and evaluation runs go to your
  workspace's MLflow, in the experiment /Users/<you>/<project> (--experiment; MLflow creates
  it on first use), where your team can see them. To keep them on this machine instead, pass
  --tracking-uri {LOCAL_TRACKING} (view them with `uv run mlflow ui --backend-store-uri
  {LOCAL_TRACKING}`); that is also where MLflow puts them when {TRACKING_VARIABLE} is unset.
  `uv run start-server` says where its traces go when it starts."""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="quickstart",
        description="Set up this repo for your workspace: profile, credentials, .env, preflight.",
        epilog=TRACES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--profile", help="profile in ~/.databrickscfg (default: .env's, $DATABRICKS_CONFIG_PROFILE, or ask)"
    )
    parser.add_argument("--experiment", help="MLflow experiment for traces (default: /Users/<you>/<project>)")
    parser.add_argument(
        "--tracking-uri", default=WORKSPACE_TRACKING, help="MLflow tracking URI (default: %(default)s)"
    )
    parser.add_argument("--env-file", type=Path, default=Path(".env"), help="default: %(default)s")
    parser.add_argument(
        "--yes", "--non-interactive", dest="yes", action="store_true", help="never ask; fail instead"
    )
    parser.add_argument("--skip-preflight", action="store_true", help="do not run preflight")
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="bundle variable for preflight, as for `databricks bundle deploy` (repeatable)",
    )
    parser.add_argument(
        "--timeout", type=float, default=20.0, help="seconds per workspace check (default: %(default)s)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        project = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))["project"]["name"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        print("error: run quickstart from the repo's root, where pyproject.toml is", file=sys.stderr)
        return EXIT_USAGE
    existing = read_values(args.env_file)
    try:
        wanted = args.profile or existing.get(PROFILE_VARIABLE) or os.environ.get(PROFILE_VARIABLE)
        profile = pick_profile(wanted, interactive=not args.yes)
        print(f"Profile {profile.name} ({profile.host}): checking its credentials...", flush=True)
        user = check_credentials(profile, args.timeout)
    except ProfileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NOT_READY
    print(f"Signed in as {user}.")
    local = not args.tracking_uri.startswith(WORKSPACE_TRACKING)
    wanted = {
        PROFILE_VARIABLE: profile.name,
        TRACKING_VARIABLE: args.tracking_uri,
        EXPERIMENT_VARIABLE: args.experiment or (project if local else f"/Users/{user}/{project}"),
    }
    kept, added = add_missing(args.env_file, wanted)
    for key, value in added.items():
        print(f"  wrote {key}={value} to {args.env_file}")
    for key, value in kept.items():
        print(f"  kept  {key}={value}: already set in {args.env_file}" + _differs(value, wanted[key]))
    for key in sorted(existing.keys() & {"DATABRICKS_HOST", "DATABRICKS_TOKEN"}):
        print(
            f"  note: {args.env_file} also sets {key}, which overrides the profile's for commands run with it"
        )
    status = 0
    if args.skip_preflight:
        print("Preflight skipped (--skip-preflight).")
    else:
        print(flush=True)
        with only_profile(profile.name):
            status = preflight.main(["--timeout", f"{args.timeout:g}", *(f"--var={var}" for var in args.var)])
        status = EXIT_NOT_READY if status else 0
    print("\nNext:")
    for command, why in next_commands(args.env_file):
        print(f"  {command:<44} # {why}")
    return status


def next_commands(env_file: Path) -> list[tuple[str, str]]:
    """Chat, test, evaluate: each a console script of pyproject.toml (a test checks it)."""
    return [
        (f"uv run --env-file {env_file} start-server", "chat with the agent at http://127.0.0.1:8000/"),
        ("uv run pytest", "the offline tests: a fake workspace, no credentials"),
        (f"uv run --env-file {env_file} evaluate-agent", "score the agent on evaluation/, to the experiment"),
    ]


def pick_profile(wanted: str | None, interactive: bool) -> Profile:
    """The profile to use; ProfileError when there is none, or several and no way to ask."""
    path = config_path()
    profiles = read_profiles(path)
    if not profiles:
        raise ProfileError(
            f"no Databricks CLI profile in {path}: run `{LOGIN}` (it signs you in and saves "
            "a profile), then `uv run quickstart` again"
        )
    return choose_profile(profiles, wanted, interactive and sys.stdin.isatty())


def check_credentials(profile: Profile, timeout: float) -> str:
    """The user name the profile signs in as; ProfileError with the cause in one line."""

    def me() -> str:
        return preflight.workspace_client(timeout, profile.name).current_user.me().user_name or "?"

    with only_profile(profile.name):
        try:
            return preflight.bounded(me, timeout)
        except Exception as exc:  # noqa: BLE001 - any failure is one line and a fix
            raise ProfileError(
                f"profile {profile.name} cannot sign in to {profile.host}: {describe_exception(exc)}. "
                f"Sign in again with `databricks auth login --profile {profile.name}`"
            ) from None


def cli() -> None:
    """The `quickstart` console script: its exit status is the process's."""
    sys.exit(main())


def _differs(kept: str, chosen: str) -> str:
    return "" if kept == chosen else f" (quickstart would have set {chosen}; edit the file to change it)"


if __name__ == "__main__":
    cli()
