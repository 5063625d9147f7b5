"""What the current credentials can use: `uv run --env-file .env discover`.

It lists the Genie spaces you can query, with the `copier update` command that adds
them to this agent, and the chat serving endpoints that can be the agent's model or
the evaluation's judge. Each listing is bounded (--max-items) and stands alone: one
the workspace refuses (a 403) is reported in one line and the other still lists.
Exit status: 0 both listed, 1 a listing (or sign-in) failed, 2 bad options.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.dashboards import GenieSpace
from databricks.sdk.service.serving import ServingEndpoint

from ..deployment.bundle import read_yaml
from ..deployment.preflight import bounded, workspace_client
from ..errors import describe_exception
from .space_answers import copier_command, printable, space_answers

CHAT_TASK = "llm/v1/chat"  # an endpoint serving the Chat Completions API: the agent's and judges' kind
ANSWERS_FILE = Path(".copier-answers.yml")
UPDATE = "uvx copier update --trust --defaults"


def genie_spaces(client: WorkspaceClient, limit: int, page_size: int) -> tuple[list[GenieSpace], bool]:
    """Up to `limit` spaces, page after page; True when there were more."""
    spaces: list[GenieSpace] = []
    token: str | None = None
    while True:
        page = client.genie.list_spaces(page_size=min(page_size, limit - len(spaces)), page_token=token)
        spaces.extend(page.spaces or [])
        token = page.next_page_token
        if not token or not page.spaces or len(spaces) >= limit:
            return spaces[:limit], bool(token) or len(spaces) > limit


def chat_endpoints(client: WorkspaceClient, limit: int) -> tuple[list[ServingEndpoint], bool]:
    """Up to `limit` endpoints that serve chat completions, by name; True when there were more."""
    found = [endpoint for endpoint in client.serving_endpoints.list() if endpoint.task == CHAT_TASK]
    found.sort(key=lambda endpoint: endpoint.name or "")
    return found[:limit], len(found) > limit


def show_spaces(client: WorkspaceClient, args: argparse.Namespace) -> None:
    spaces, more = genie_spaces(client, args.max_items, args.page_size)
    print(f"Genie spaces you can use ({len(spaces)}{' shown, there are more' if more else ''}):")
    for space in spaces:
        print(f"  {space.space_id}  {' '.join(printable(space.title or '').split())}")
    if more:
        print(f"  ... stopped at --max-items {args.max_items}: pass a larger one to see the rest")
    configured = (read_yaml(ANSWERS_FILE) if ANSWERS_FILE.exists() else {}).get("genie_spaces") or []
    answers, left_out = space_answers(configured, spaces)
    if len(answers) == len(configured):
        print("  (no space to add: the agent has each of these already)" if spaces else "")
        return
    print(
        f"\nTo give the agent these spaces, after its {len(configured)} current one(s) (edit the names and "
        "descriptions first: the model picks a space by them; drop those it should not have):"
    )
    print(f"  {copier_command(answers)}")
    if left_out:
        print(f"  ({left_out} more left out: an agent takes at most 10 spaces)")


def show_endpoints(client: WorkspaceClient, args: argparse.Namespace) -> None:
    endpoints, more = chat_endpoints(client, args.max_items)
    print(f"Chat endpoints, for the agent's model or the judge ({len(endpoints)}{' shown' if more else ''}):")
    for endpoint in endpoints:
        state = endpoint.state.ready.value if endpoint.state and endpoint.state.ready else "unknown"
        print(f"  {endpoint.name}  ({state})")
    if more:
        print(f"  ... stopped at --max-items {args.max_items}: pass a larger one to see the rest")
    if endpoints:
        print(f"To use one: {UPDATE} --data llm_endpoint=NAME --data judge_endpoint=NAME")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="discover",
        description="List the Genie spaces and chat endpoints your credentials can use.",
        epilog="Exit status: 0 both listed, 1 a listing or the sign-in failed, 2 bad options.",
    )
    parser.add_argument("--profile", help="profile in ~/.databrickscfg (default: the environment's)")
    parser.add_argument(
        "--max-items", type=_positive, default=100, help="most items per listing (default: %(default)s)"
    )
    parser.add_argument(
        "--page-size", type=_positive, default=50, help="spaces per request (default: %(default)s)"
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds per listing (default: %(default)s)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        client = bounded(lambda: _signed_in(args), args.timeout)
    except Exception as exc:  # noqa: BLE001 - no credentials, a wrong host, a refused token
        print(f"error: cannot sign in: {describe_exception(exc)}", file=sys.stderr)
        return 1
    failed = 0
    listings: list[tuple[str, Callable[[WorkspaceClient, argparse.Namespace], None]]] = [
        ("Genie spaces", show_spaces),
        ("serving endpoints", show_endpoints),
    ]
    for what, show in listings:
        try:
            bounded(lambda show=show: show(client, args), args.timeout)
        except Exception as exc:  # noqa: BLE001 - one listing's failure hides nothing else
            print(f"error: cannot list {what}: {describe_exception(exc)}", file=sys.stderr)
            failed += 1
        print()
    return 1 if failed else 0


def cli() -> None:
    """The `discover` console script: its exit status is the process's."""
    sys.exit(main())


def _signed_in(args: argparse.Namespace) -> WorkspaceClient:
    client = workspace_client(args.timeout, args.profile)
    print(f"As {client.current_user.me().user_name} on {client.config.host}:\n")
    return client


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


if __name__ == "__main__":
    cli()
