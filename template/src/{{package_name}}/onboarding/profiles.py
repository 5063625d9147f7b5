"""The Databricks CLI profiles in ~/.databrickscfg, and choosing the one to use.

The profiles are the ones `databricks auth login` writes; DATABRICKS_CONFIG_FILE moves
the file, as it does for the CLI and the SDK. Credentials are checked against the chosen
profile alone: DATABRICKS_HOST or DATABRICKS_TOKEN left in a shell would otherwise
override the profile's values and the check would test the wrong identity.
"""

from __future__ import annotations

import configparser
import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

CONFIG_FILE_VARIABLE = "DATABRICKS_CONFIG_FILE"
PROFILE_VARIABLE = "DATABRICKS_CONFIG_PROFILE"
LOGIN = "databricks auth login --host <workspace-url>"


class ProfileError(Exception):
    """No usable profile, or none chosen; the message says what to do."""


@dataclasses.dataclass(frozen=True)
class Profile:
    name: str
    host: str


def config_path() -> Path:
    """Where the SDK and the CLI read profiles from."""
    return Path(os.environ.get(CONFIG_FILE_VARIABLE) or "~/.databrickscfg").expanduser()


def read_profiles(path: Path) -> list[Profile]:
    """The profiles of `path` that name a host, in file order; none when the file is missing."""
    # A default_section nobody uses: [DEFAULT] is a profile like any other, and its keys
    # do not leak into the other profiles (the SDK reads the file the same way).
    parser = configparser.ConfigParser(default_section="\0", interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path} is not a valid profiles file: {str(exc).splitlines()[0]}") from None
    return [Profile(name, parser[name]["host"]) for name in parser.sections() if parser[name].get("host")]


def choose_profile(
    profiles: Sequence[Profile],
    wanted: str | None,
    interactive: bool,
    ask: Callable[[str], str] = input,
) -> Profile:
    """The profile named `wanted`, the only one, or the one the user picks when asked."""
    names = ", ".join(profile.name for profile in profiles)
    if wanted:
        for profile in profiles:
            if profile.name == wanted:
                return profile
        raise ProfileError(f"no profile {wanted!r} in {config_path()}; it has: {names}")
    if len(profiles) == 1:
        return profiles[0]
    if not interactive:
        raise ProfileError(f"{config_path()} has {len(profiles)} profiles ({names}): pass --profile NAME")
    for number, profile in enumerate(profiles, 1):
        print(f"  {number}. {profile.name}  ({profile.host})")
    for _ in range(3):
        try:
            answer = ask(f"Profile to use [1-{len(profiles)}]: ").strip()
        except EOFError:
            break
        if answer.isdigit() and 1 <= int(answer) <= len(profiles):
            return profiles[int(answer) - 1]
        print(f"  type a number from 1 to {len(profiles)}")
    raise ProfileError(f"no profile chosen: pass --profile NAME (one of {names})")


@contextlib.contextmanager
def only_profile(name: str) -> Iterator[None]:
    """Inside: DATABRICKS_CONFIG_PROFILE is `name` and no other DATABRICKS_* setting (but
    the config file's place) is in the environment, so clients use that profile alone."""
    saved = {key: value for key, value in os.environ.items() if key.startswith("DATABRICKS_")}
    for key in saved:
        if key != CONFIG_FILE_VARIABLE:
            del os.environ[key]
    os.environ[PROFILE_VARIABLE] = name
    try:
        yield
    finally:
        for key in [key for key in os.environ if key.startswith("DATABRICKS_")]:
            del os.environ[key]
        os.environ.update(saved)
