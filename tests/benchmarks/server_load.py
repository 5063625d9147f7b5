"""`start-server` under load, measured inside a rendered repo: `<project dir> <package> [conversations]`.

Starts the repo's fake workspace with realistic latency (each Genie call about 1 s, a
model reply that streams over about a second), then the repo's own `start-server`
against it. Times one streamed conversation, then N at once (50 by default) while a
prober asks /health every 50 ms. Prints time to first token and total time (p50/p95),
the wall time against one conversation's, /health latency under load, errors, answers
that were incomplete or carried another conversation's question, and the server's peak
memory (VmHWM).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from fake_env import isolate

CONVERSATIONS = int(sys.argv[3]) if len(sys.argv) > 3 else 50
GENIE_POLL_SECONDS = 0.5  # two polls: about 1 s a Genie call
MODEL_CHUNK_SECONDS = 0.06  # the honest answer's ~20 chunks: about a second


async def converse(client: httpx.AsyncClient, url: str, question: str) -> dict[str, object]:
    started = time.perf_counter()
    first_token = None
    events = []
    body = {"input": [{"role": "user", "content": question}], "stream": True}
    async with client.stream("POST", f"{url}responses", json=body) as reply:
        async for line in reply.aiter_lines():
            if not line.startswith("data: {"):
                continue
            event = json.loads(line[6:])
            events.append(event)
            if first_token is None and event.get("type") == "response.output_text.delta":
                first_token = time.perf_counter() - started
    done = [e["item"] for e in events if e.get("type") == "response.output_item.done"]
    answer = done[-1]["content"][0]["text"] if done and done[-1]["type"] == "message" else ""
    calls = [item["arguments"] for item in done if item["type"] == "function_call"]
    return {
        "total": time.perf_counter() - started,
        "first_token": first_token,
        "error": any("error" in e for e in events) or not answer,
        "answer": answer,
        "own_question": all(question[question.index("[") :] in arguments for arguments in calls),
    }


async def probe_health(client: httpx.AsyncClient, url: str, stop: asyncio.Event) -> list[float]:
    latencies = []
    while not stop.is_set():
        started = time.perf_counter()
        await client.get(f"{url}health")
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(0.05)
    return latencies


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


async def load(url: str, question: str, expected: str) -> None:
    limits = httpx.Limits(max_connections=CONVERSATIONS + 10)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        singles = [await converse(client, url, f"{question} [single {n}]") for n in range(3)]
        single = statistics.median(s["total"] for s in singles)
        first = singles[-1]["first_token"]
        print(f"one conversation: total {single * 1000:.0f} ms, first token {first * 1000:.0f} ms")
        stop = asyncio.Event()
        prober = asyncio.create_task(probe_health(client, url, stop))
        started = time.perf_counter()
        turns = await asyncio.gather(
            *(converse(client, url, f"{question} [conversation {n}]") for n in range(CONVERSATIONS))
        )
        wall = time.perf_counter() - started
        stop.set()
        health = await prober
    totals = [t["total"] for t in turns]
    firsts = [t["first_token"] for t in turns if t["first_token"] is not None]
    errors = sum(bool(t["error"]) for t in turns)
    incomplete = sum(expected not in t["answer"] for t in turns)
    crossed = sum(not t["own_question"] for t in turns)
    print(f"{CONVERSATIONS} at once: wall {wall:.2f} s = {wall / single:.2f}x one conversation")
    print(f"  total p50 {pct(totals, 50):.2f} s, p95 {pct(totals, 95):.2f} s")
    print(f"  first token p50 {pct(firsts, 50) * 1000:.0f} ms, p95 {pct(firsts, 95) * 1000:.0f} ms")
    print(
        f"  /health under load: p50 {pct(health, 50) * 1000:.1f} ms, p95 {pct(health, 95) * 1000:.1f} ms, "
        f"max {max(health) * 1000:.1f} ms ({len(health)} probes)"
    )
    print(f"  errors {errors}, incomplete answers {incomplete}, cross-talk {crossed}")


def main() -> None:
    package = isolate("agent-load-")
    from fake_workspace.workspace import FakeWorkspace

    workspace = FakeWorkspace()
    workspace.llm.chunk_delay_seconds = MODEL_CHUNK_SECONDS
    workspace.server.start()
    config_path = Path(sys.argv[1]) / "src" / package / "agent_config.yaml"
    import yaml

    spaces = (yaml.safe_load(config_path.read_text(encoding="utf-8")).get("genie") or {}).get("spaces", [])
    for space in spaces:
        workspace.genie.script(space["space_id"], "slow", delay_seconds=GENIE_POLL_SECONDS)
    if spaces:
        question, expected = f"What is the {spaces[0]['name']} revenue by region?", "1734562.18"
    else:  # a chat-only agent: the model's reply is the whole turn
        workspace.llm.chunk_delay_seconds = 0.1
        question, expected = "Hello there", "Hello"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "DATABRICKS_HOST": workspace.url,
        "DATABRICKS_TOKEN": "bench",
        "MLFLOW_ENABLE_ASYNC_TRACE_LOGGING": "true",
        "MLFLOW_MODEL_CATALOG_URI": "",  # no model price list from the internet
    }
    script = Path(sys.executable).with_name("start-server")
    process = subprocess.Popen(
        [script, "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        asyncio.run(load(url, question, expected))
        ticks = os.sysconf("SC_CLK_TCK")
        server_cpu = sum(map(int, Path(f"/proc/{process.pid}/stat").read_text().split()[13:15])) / ticks
        own_cpu = sum(os.times()[:2])
        print(f"  CPU: server {server_cpu:.1f} s, fake workspace and clients {own_cpu:.1f} s")
        status = Path(f"/proc/{process.pid}/status")
        if status.exists():
            peak = next(line for line in status.read_text().splitlines() if line.startswith("VmHWM"))
            print(f"  server peak memory: {int(peak.split()[1]) / 1024:.0f} MB")
    finally:
        process.terminate()
        process.wait(timeout=30)
        workspace.server.stop()


if __name__ == "__main__":
    main()
