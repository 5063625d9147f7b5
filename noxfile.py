"""Checks for the template itself. Plain `nox` runs lint, tests and every smoke session.

    nox -s lint                          # ruff on this repo's own Python
    nox -s tests                         # the template test suite (tests/)
    nox -s "render(variant='default')"   # render one variant into .nox/renders/<variant>
    nox -s smoke                         # render each variant, then run its own checks
    nox -s update                        # update an edited repo from older releases, run its tests
    nox -s bench                         # print render, install, test, agent, server and page figures
    nox -s screenshot                    # save the chat page's picture, template/docs/chat-page.png

The variants come from tests/variants.py, the same list the tests use.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tests"))
from releases import EVALUATION_SINCE, releases  # noqa: E402
from variants import VARIANTS  # noqa: E402

nox.needs_version = ">=2024.4.15"
nox.options.default_venv_backend = "uv"
# `update` from 0.1.0 runs on demand: the 0.3.0 scenario makes the same edits and more (eval rows),
# and tests/test_update.py checks the update from every release, 0.1.0 included, file by file.
nox.options.sessions = ["lint", "tests", "smoke", "update(oldest-with-evaluation)"]

RENDER_REQUIREMENTS = ["copier>=9.4,<10", "pyyaml>=6"]
TEST_REQUIREMENTS = [
    *RENDER_REQUIREMENTS,
    "pytest>=8",
    "hypothesis>=6.100",
    # CI file checks: a new zizmor minor adds audits, a new check-jsonschema new schemas.
    "check-jsonschema>=0.39,<0.40",
    "zizmor>=1.32,<1.33",
    # tests/test_pre_commit.py runs a render's local hooks for real, with these tools.
    "pre-commit>=4,<5",
    "pre-commit-hooks>=6,<7",
    "ruff>=0.14,<0.15",
]
RENDER_SCRIPT = str(ROOT / "tests" / "helpers.py")
# The rendered project manages its own .venv: hide this session's venv (nox sets these) from uv.
OUTSIDE_SESSION_VENV: dict[str, str | None] = dict.fromkeys(
    ["VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "UV_PYTHON"]
)

# Where the time goes: every session and its slow steps, printed as one table when nox exits.
BREAKDOWN: list[tuple[str, float]] = []


def _print_breakdown() -> None:
    if BREAKDOWN:
        width = max(len(label) for label, _ in BREAKDOWN)
        print("\nTime per session and step (s):", file=sys.stderr)
        for label, seconds in BREAKDOWN:
            print(f"  {label:<{width}}  {seconds:7.1f}", file=sys.stderr)


atexit.register(_print_breakdown)


@contextlib.contextmanager
def step(session: nox.Session, label: str) -> Iterator[None]:
    """Time one slow step of a session: logged now, and listed in the table printed at exit."""
    started = time.perf_counter()
    yield
    elapsed = time.perf_counter() - started
    session.log(f"{label}: {elapsed:.1f} s")
    BREAKDOWN.append((f"  {label}", elapsed))


def timed(func: Callable[..., None]) -> Callable[..., None]:
    """Record a session's wall time (installs included) for the table printed at exit."""

    @functools.wraps(func)
    def run(session: nox.Session, *args: object, **kwargs: object) -> None:
        started = time.perf_counter()
        index = len(BREAKDOWN)
        try:
            func(session, *args, **kwargs)
        finally:
            BREAKDOWN.insert(index, (session.name, time.perf_counter() - started))

    return run


@nox.session
@timed
def lint(session: nox.Session) -> None:
    """Ruff lint and format check of noxfile.py, tests/ and hooks/ (when it holds files)."""
    session.install("ruff>=0.14,<0.15")
    hooks = ROOT / "hooks"
    paths = ["noxfile.py", "tests", *(["hooks"] if hooks.is_dir() and any(hooks.iterdir()) else [])]
    config = ("--config", str(ROOT / "tests" / "ruff.toml"))
    session.run("ruff", "check", *config, *paths)
    session.run("ruff", "format", "--check", *config, *paths)


@nox.session
@timed
def tests(session: nox.Session) -> None:
    """The template test suite: variants, validators, hostile answers, determinism."""
    session.install(*TEST_REQUIREMENTS)
    session.run("pytest", "tests", *session.posargs)


@nox.session
@nox.parametrize("variant", list(VARIANTS))
@timed
def render(session: nox.Session, variant: str) -> None:
    """Render one variant into .nox/renders/<variant> (replacing an older render) to read it."""
    session.install(*RENDER_REQUIREMENTS)
    destination = ROOT / ".nox" / "renders" / variant
    shutil.rmtree(destination, ignore_errors=True)
    session.run("python", RENDER_SCRIPT, variant, str(destination), silent=True)
    session.log(f"rendered {variant} into {destination}")


@nox.session
@nox.parametrize("variant", list(VARIANTS))
@timed
def smoke(session: nox.Session, variant: str) -> None:
    """Render one variant into a temp dir, then run its own checks: uv sync, pytest (the
    browser tests and `start-server` over HTTP included), ruff; for the first variant of
    each framework with Genie spaces, its evaluation command as the bundle job runs it, in
    a process of its own (honest model passes, inventing fails). Every variant's own tests
    run the same command in-process, both ways."""
    session.install(*RENDER_REQUIREMENTS)
    with scratch_dir(session, f"agent-smoke-{variant}-") as workdir:
        project = workdir / "project"
        session.run("python", RENDER_SCRIPT, variant, str(project), silent=True)
        run_own_checks(session, project, variant)
        if variant not in _first_variant_per_framework(with_genie=True):
            return
        with session.chdir(project):
            for behaviour, exit_code in (("honest", 0), ("fabricating", 1)):
                with step(session, f"{variant}: evaluation, {behaviour} model"):
                    run_evaluation(session, project, behaviour, exit_code)


@nox.session
@nox.parametrize(
    "from_version", [releases()[-1].version, EVALUATION_SINCE], ids=["oldest", "oldest-with-evaluation"]
)
@timed
def update(session: nox.Session, from_version: str) -> None:
    """`copier update` of a user's repo from an older release to this one (tests/update_scenario.py).

    In a temporary clone with the release tags rebuilt from CHANGELOG.md: render the old
    release, commit, make the edits users make (README section, new module and its test,
    eval rows where the release has a dataset, config value, custom tool and its test,
    system prompt), update with `--trust --defaults`, and check that the result is a fresh
    render with those edits on it (no conflict, no .rej, answers moved on). Then the updated
    repo's own checks: uv sync, pytest (the user's tests included), ruff.
    """
    session.install(*RENDER_REQUIREMENTS)
    with scratch_dir(session, f"agent-update-{from_version}-") as workdir:
        with step(session, f"update from {from_version}"):
            session.run("python", str(ROOT / "tests" / "update_scenario.py"), from_version, str(workdir))
        run_own_checks(session, workdir / "repo", f"updated from {from_version}")


@contextlib.contextmanager
def scratch_dir(session: nox.Session, prefix: str) -> Iterator[Path]:
    """A temporary directory, removed when the block succeeds and kept for inspection when not."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield workdir
    except BaseException:  # nox stops a failed session with an exception of its own
        session.log(f"left {workdir} for inspection")
        raise
    shutil.rmtree(workdir, ignore_errors=True)


def run_own_checks(session: nox.Session, project: Path, label: str) -> None:
    """A rendered repo's own checks, as its README gives them: uv sync, pytest, ruff."""
    version = (project / ".python-version").read_text(encoding="utf-8").strip()
    python = find_python(version, project)
    if python is None:
        session.error(
            f"No Python {version} for the rendered project: `uv python find {version}` failed, "
            f"no pyenv {version}.x was found and `uv python install {version}` failed. Install one."
        )
    session.log(f"{label}: Python {version} at {python}; uv at {UV}")

    def uv(*args: str) -> None:
        session.run(UV, *args, external=True, env=OUTSIDE_SESSION_VENV)

    with session.chdir(project):
        with step(session, f"{label}: uv sync"):
            uv("sync", "--python", python)
        with step(session, f"{label}: rendered tests"):
            uv("run", "pytest", "-q", "--durations=5")
        uv("run", "ruff", "check", ".")
        uv("run", "ruff", "format", "--check", ".")


@contextlib.contextmanager
def fake_workspace_env(
    session: nox.Session, project: Path, behaviour: str
) -> Iterator[dict[str, str | None]]:
    """Serve the render's fake workspace on its own; yield the environment that points at it.

    The fake plays the model (behaving as `behaviour`), Genie and the judges; MLflow logs
    to a sqlite store in the render. Everything stays on 127.0.0.1.
    """
    fake = subprocess.Popen(
        [UV, "run", "python", "-m", "fake_workspace", "--behaviour", behaviour],
        cwd=project / "tests",
        env={key: value for key, value in os.environ.items() if key not in OUTSIDE_SESSION_VENV},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = fake.stdout.readline().strip() if fake.stdout else ""
        if not url.startswith("http://"):
            session.error(f"the fake workspace did not start (it printed {url!r})")
        yield {
            **OUTSIDE_SESSION_VENV,
            "DATABRICKS_HOST": url,
            "DATABRICKS_TOKEN": "fake-token",
            "DATABRICKS_CONFIG_FILE": str(project / "no-databrickscfg"),
            "DATABRICKS_CONFIG_PROFILE": None,
            "MLFLOW_TRACKING_URI": f"sqlite:///{project / 'smoke-mlflow.db'}",
            "MLFLOW_DISABLE_TELEMETRY": "true",
        }
    finally:
        fake.terminate()
        fake.wait(timeout=30)


def run_evaluation(session: nox.Session, project: Path, behaviour: str, exit_code: int) -> None:
    """Run the render's evaluation command against its fake workspace; the model behaves as
    `behaviour` and the command must exit with `exit_code` (0: gate passed, 1: failed)."""
    with fake_workspace_env(session, project, behaviour) as env:
        package = _package_of(project)
        command = [UV, "run", "python", "-m", f"{package}.evaluation", "--experiment", f"smoke-{behaviour}"]
        session.run(*command, external=True, env=env, success_codes=[exit_code])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(session: nox.Session, url: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            session.error(f"start-server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    session.error(f"{url} did not answer within {seconds:.0f} s")


def _first_variant_per_framework(with_genie: bool = False) -> list[str]:
    """One variant per agent_framework answer, the first that picks it (and, `with_genie`,
    has Genie spaces), for `bench` and the smoke sessions' evaluation runs."""
    first: dict[str, str] = {}
    for name, answers in VARIANTS.items():
        if not with_genie or answers.get("genie_spaces", "default") != []:
            first.setdefault(answers.get("agent_framework", "openai"), name)
    return list(first.values())


@nox.session
@nox.parametrize("variant", _first_variant_per_framework())
@timed
def bench(session: nox.Session, variant: str) -> None:
    """Print the README's figures for one framework's variant: render, the figures check on
    its labelled corpus (invented figures caught, honest answers flagged), install (cold and
    warm uv cache), venv size, rendered tests, agent and Genie overheads, `start-server`
    under 50 concurrent conversations, and the chat page in headless Chromium (asset size,
    first paint, token latency from the fake model to the page).

    Figures, not assertions: timing is for benchmarks, not tests. The cold install
    downloads every package into an empty uv cache, as a first `uv sync` on a new machine.
    """
    session.install(*RENDER_REQUIREMENTS)
    benchmarks = ROOT / "tests" / "benchmarks"
    session.run("python", str(benchmarks / "render_time.py"), variant, "5")
    workdir = Path(tempfile.mkdtemp(prefix="agent-bench-"))
    project = workdir / "project"
    try:
        started = time.perf_counter()
        session.run(
            "copier",
            "copy",
            "--quiet",
            "--vcs-ref=HEAD",
            "--defaults",
            *_data_args(variant),
            str(ROOT),
            str(project),
            silent=True,
        )
        session.log(f"render {variant} with the copier CLI: {time.perf_counter() - started:.2f} s")
        corpus = ROOT / "tests" / "figures_corpus"
        for answers in (corpus, *sorted({path.parent for path in corpus.glob("holdout*/*.yaml")})):
            session.run("python", str(corpus / "measure.py"), str(project), str(answers))

        def uv(*args: str, silent: bool = False) -> str | bool:
            return session.run(UV, *args, external=True, env=OUTSIDE_SESSION_VENV, silent=silent)

        with session.chdir(project):
            cold = {**OUTSIDE_SESSION_VENV, "UV_CACHE_DIR": str(workdir / "uv-cache")}
            started = time.perf_counter()
            session.run(UV, "sync", "--no-dev", "--quiet", external=True, env=cold)
            session.log(
                f"uv sync --no-dev (runtime only), empty uv cache: {time.perf_counter() - started:.1f} s, "
                f"venv {_size_mb(project / '.venv'):.0f} MB"
            )
            shutil.rmtree(project / ".venv")
            started = time.perf_counter()
            uv("sync", "--no-dev", "--quiet")
            session.log(
                f"uv sync --no-dev (runtime only), warm uv cache: {time.perf_counter() - started:.1f} s"
            )
            started = time.perf_counter()
            uv("sync", "--quiet")
            session.log(
                f"uv sync (with dev): {time.perf_counter() - started:.1f} s, "
                f"venv {_size_mb(project / '.venv'):.0f} MB"
            )
            started = time.perf_counter()
            uv("run", "pytest", "-q", "-p", "no:cacheprovider", silent=True)
            session.log(f"rendered tests (uv run pytest): {time.perf_counter() - started:.1f} s")
            package = VARIANTS[variant].get("package_name") or _package_of(project)
            uv("run", "python", str(benchmarks / "agent_overhead.py"), str(project), package)
            uv("run", "python", str(benchmarks / "genie_overhead.py"), str(project), package)
            uv("run", "python", str(benchmarks / "server_load.py"), str(project), package, "50")
            uv("run", "python", str(benchmarks / "page_metrics.py"), str(project), package)
            started = time.perf_counter()
            run_evaluation(session, project, "honest", 0)
            elapsed = time.perf_counter() - started
            session.log(f"evaluation command ({variant}'s rows, judges on, the fake): {elapsed:.1f} s")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@nox.session
@timed
def screenshot(session: nox.Session) -> None:
    """Save the rendered README's picture of the chat page, template/docs/chat-page.png: the
    default variant's `start-server --demo` answering from Genie, in headless Chromium at 1280x800."""
    session.install(*RENDER_REQUIREMENTS)
    png = ROOT / "template" / "docs" / "chat-page.png"
    png.parent.mkdir(exist_ok=True)
    with scratch_dir(session, "agent-screenshot-") as workdir:
        project = workdir / "project"
        session.run("python", RENDER_SCRIPT, "default", str(project), silent=True)
        port = _free_port()
        with session.chdir(project), (workdir / "start-server.log").open("w") as log:
            session.run(UV, "sync", "--quiet", external=True, env=OUTSIDE_SESSION_VENV)
            server = subprocess.Popen(
                [UV, "run", "start-server", "--demo", "--port", str(port)],
                env={key: value for key, value in os.environ.items() if key not in OUTSIDE_SESSION_VENV},
                stdout=log,
                stderr=log,
            )
            try:
                _wait_for(session, f"http://127.0.0.1:{port}/health", server)
                question = "What is the sales revenue by region?"
                script = ROOT / "tests" / "benchmarks" / "screenshot.py"
                command = ["python", str(script), f"http://127.0.0.1:{port}/", question, str(png)]
                session.run(UV, "run", *command, external=True, env=OUTSIDE_SESSION_VENV)
            finally:
                server.terminate()
                server.wait(timeout=30)
    session.log(f"saved {png.relative_to(ROOT)}: {png.stat().st_size / 1024:.0f} KB")


def _data_args(variant: str) -> list[str]:
    """The variant's answers as copier CLI `--data` flags (YAML values for lists)."""
    args = []
    for key, value in VARIANTS[variant].items():
        args += ["--data", f"{key}={value if isinstance(value, str) else json.dumps(value)}"]
    return args


def _package_of(project: Path) -> str:
    return next(path.name for path in (project / "src").iterdir() if path.is_dir())


def _size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6


def find_python(version: str, project: Path) -> str | None:
    """An interpreter for `version`: what uv finds, else a pyenv install, else one uv installs.

    Returns None when all three fail (e.g. no network to uv's Python downloads).
    """
    env = {key: value for key, value in os.environ.items() if key not in OUTSIDE_SESSION_VENV}

    def uv_python(*args: str) -> str | None:
        done = subprocess.run([UV, "python", *args], cwd=project, env=env, capture_output=True, text=True)
        return (done.stdout.strip() or None) if done.returncode == 0 else None

    if found := uv_python("find", version):
        return found
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = sorted(
        pyenv_root.glob(f"versions/{version}.*/bin/python{version}"),
        key=lambda path: [int(part) for part in re.findall(r"\d+", path.parts[-3])],
    )
    if candidates:
        return str(candidates[-1])
    uv_python("install", version)  # a fresh CI machine may have only one Python
    return uv_python("find", version)


def find_uv() -> str:
    """The uv executable itself, resolved once from this repo's root.

    `uvx nox` exports it as $UV. Otherwise take it from PATH, but see through a pyenv shim:
    in a rendered project the shim would follow that project's .python-version to an
    interpreter that may have no uv.
    """
    if os.environ.get("UV"):
        return os.environ["UV"]
    found = shutil.which("uv") or "uv"
    if "shims" in Path(found).parts and shutil.which("pyenv"):
        resolved = subprocess.run(
            ["pyenv", "which", "uv"], cwd=ROOT, capture_output=True, text=True, check=False
        )
        if resolved.returncode == 0 and resolved.stdout.strip():
            return resolved.stdout.strip()
    return found


UV = find_uv()
