"""The chat page in headless Chromium, measured inside a rendered repo: `<project dir> <package>`.

Starts the repo's fake workspace in this process and the repo's own `start-server` against
it, then prints one line per figure: what the page loads (every response's uncompressed
bytes; requests to any other origin), first paint and first contentful paint (median of
cold loads, each in a new browser context), and how long a model token takes from the
fake writing it to its text appearing in the page: median and p95 over a reply of distinct
tokens, each timed by the fake as it writes it and by a MutationObserver in the page (its
clock set against this process's). The agent streams text live once a data tool has
answered, or when no tools are offered; before that it holds the reply until it is
complete (responses_agent.py). So where there are Genie spaces, the live figure is the
answer after a Genie call, and small talk shows what holding costs.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import browser
import httpx
import yaml
from playwright.sync_api import sync_playwright

from fake_env import isolate

COLD_LOADS = 5
CHUNK_SECONDS = 0.1
# Distinct words with no digits (digits would be checked as figures) and none inside another.
TOKENS = [
    *("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett"),
    *("kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"),
]
REPLY = (" ".join(TOKENS), [])
SMALL_TALK = "Hello, what can you help me with?"
WAIT_MS = 30_000
writes: dict[str, float] = {}  # token -> time.time() just before the fake model writes its chunk
# When each token first shows in an answer, on the page's clock (ms since the epoch).
OBSERVER = """tokens => {
  window.seenTokens = {};
  new MutationObserver(() => {
    const text = [...document.querySelectorAll(".answer-body")].map((n) => n.textContent).join(" ");
    for (const token of tokens)
      if (!(token in window.seenTokens) && text.includes(token))
        window.seenTokens[token] = performance.timeOrigin + performance.now();
  }).observe(document, { subtree: true, childList: true, characterData: true });
}"""
PAINTS = """() => {
  const paints = Object.fromEntries(performance.getEntriesByType("paint").map((p) => [p.name, p.startTime]));
  return "first-contentful-paint" in paints && paints;
}"""


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def page_load(chromium: Any, url: str) -> None:
    context = chromium.new_context()
    page = context.new_page()
    responses: list[Any] = []
    elsewhere: list[str] = []
    page.on("response", lambda response: responses.append(response))

    def on_request(request: Any) -> None:
        if request.url.startswith(("http:", "https:")) and not request.url.startswith(url):
            elsewhere.append(request.url)

    page.on("request", on_request)
    page.goto(url, wait_until="networkidle")
    size = sum(len(response.body()) for response in responses)
    context.close()
    print(f"page load: {len(responses)} responses, {size / 1024:.1f} KB uncompressed (goal <= 100 KB)")
    print(f"  requests to other origins: {len(elsewhere)} (goal 0) {' '.join(elsewhere)}".rstrip())
    paints: dict[str, list[float]] = {}
    for _ in range(COLD_LOADS):
        context = chromium.new_context()
        page = context.new_page()
        page.goto(url)
        for name, ms in page.wait_for_function(PAINTS, timeout=WAIT_MS).json_value().items():
            paints.setdefault(name, []).append(ms)
        context.close()
    print(
        f"  first paint {statistics.median(paints.get('first-paint', [0])):.0f} ms, first contentful paint "
        f"{statistics.median(paints['first-contentful-paint']):.0f} ms (median of {COLD_LOADS} cold loads)"
    )


def token_latency(chromium: Any, url: str, workspace: Any, turn: list[Any], label: str) -> None:
    """Ask turn[0]; the fake model replies with turn[1:] (the last reply is TOKENS)."""
    writes.clear()
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(url, wait_until="networkidle")
    page.evaluate(OBSERVER, TOKENS)
    offsets = []  # the page's clock minus time.time(), from the call with the shortest round trip
    for _ in range(10):
        before = time.time()
        now = page.evaluate("performance.timeOrigin + performance.now()") / 1000
        after = time.time()
        offsets.append((after - before, now - (before + after) / 2))
    offset = min(offsets)[1]
    workspace.llm.script = turn[1:]
    page.fill("#question", turn[0])
    page.press("#question", "Enter")
    page.wait_for_selector(".answer:not(.streaming)")
    seen = page.evaluate("window.seenTokens")
    context.close()
    delays = [(seen[t] / 1000 - offset - writes[t]) * 1000 for t in TOKENS if t in seen and t in writes]
    missing = len(TOKENS) - len(delays)
    print(
        f"{label}: median {statistics.median(delays):.1f} ms, p95 {pct(delays, 95):.1f} ms "
        f"over {len(delays)} tokens{f' ({missing} never seen)' if missing else ''}"
    )


def main() -> None:
    package = isolate("agent-page-")
    from fake_workspace.workspace import FakeWorkspace

    workspace = FakeWorkspace()
    workspace.llm.chunk_delay_seconds = CHUNK_SECONDS
    sse = workspace.llm._sse

    def timed_sse(*args: Any) -> Any:
        for event in sse(*args):
            if '"content"' in event:
                writes.setdefault(json.loads(event)["choices"][0]["delta"]["content"].strip(), time.time())
            yield event

    workspace.llm._sse = timed_sse
    workspace.server.start()
    config = yaml.safe_load((Path(sys.argv[1]) / "src" / package / "agent_config.yaml").read_text())
    spaces = [space["name"] for space in (config.get("genie") or {}).get("spaces", [])]
    with start_server(workspace.url) as url, sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        page_load(chromium, url)
        label = "model chunk written -> text in the page"
        if spaces:  # text streams once a data tool has answered; before that it is held
            question = f"What is the {spaces[0]} revenue by region?"
            call = {"id": "call_bench", "name": spaces[0], "arguments": json.dumps({"question": question})}
            turn = [question, ("", [call]), REPLY]
            token_latency(chromium, url, workspace, turn, f"{label}, answer after Genie (goal <= 50 ms)")
            label = "  small talk, held until the reply is complete (tools offered)"
        else:
            label += " (goal <= 50 ms)"
        token_latency(chromium, url, workspace, [SMALL_TALK, REPLY], label)
        chromium.close()
    workspace.server.stop()


@contextlib.contextmanager
def start_server(workspace_url: str) -> Iterator[str]:
    """The repo's `start-server` against the fake, once it has answered a turn; yields its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"DATABRICKS_HOST": workspace_url, "DATABRICKS_TOKEN": "bench", "MLFLOW_MODEL_CATALOG_URI": ""}
    log = Path("start-server.log")  # in isolate()'s temp directory
    with log.open("w") as output:
        process = subprocess.Popen(
            [Path(sys.executable).with_name("start-server"), "--port", str(port)],
            env={**os.environ, **env},
            stdout=output,
            stderr=output,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"start-server did not answer /health:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        warm_up = {"input": [{"role": "user", "content": SMALL_TALK}]}  # opens the server's tracking store
        httpx.post(f"{url}invocations", json=warm_up, timeout=120).raise_for_status()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
