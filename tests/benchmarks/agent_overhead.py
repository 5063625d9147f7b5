"""Agent overhead against raw client calls, measured inside a rendered repo.

Run by `nox -s bench` with the rendered repo's own interpreter and working directory:
it starts the repo's fake workspace, then times the same streamed chat completion
made by the plain `openai` client and by the agent (tracing off, then on).
Prints one line per measurement: median and p90 over the repetitions, in ms.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from fake_env import start_fake_workspace

REPEAT = 30
PROMPT = [{"role": "user", "content": "Hello there, what can you do?"}]


def timed(label: str, run: Callable[[], object]) -> float:
    run()  # warm up: imports, connections, first-call caches
    samples = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    median = statistics.median(samples)
    p90 = statistics.quantiles(samples, n=10)[-1]
    print(f"{label:<48} median {median:7.1f} ms   p90 {p90:7.1f} ms")
    return median


def main() -> None:
    server, package = start_fake_workspace("agent-bench-")

    import importlib

    import mlflow
    import openai
    import yaml
    from databricks.sdk import WorkspaceClient
    from fake_workspace.llm import FakeChatModel

    FakeChatModel(server)
    server.start()

    settings = importlib.import_module(f"{package}.settings")
    agent_module = importlib.import_module(f"{package}.responses_agent")
    tracing = importlib.import_module(f"{package}.tracing")

    config = yaml.safe_load(settings.CONFIG_PATH.read_text(encoding="utf-8"))
    if "genie" in config:  # a chat turn: the same single model call as the raw client
        config["genie"]["spaces"] = []
    # The baseline is the same call with the plain client, whatever the repo's framework.
    workspace = WorkspaceClient()
    client = openai.OpenAI(
        base_url=f"{workspace.config.host}/serving-endpoints",
        api_key="unused",
        default_headers=workspace.config.authenticate(),
        max_retries=0,
    )
    agent = agent_module.ToolCallingAgent(settings.load_settings(config))

    def raw() -> None:
        stream = client.chat.completions.create(model=config["llm_endpoint"], messages=PROMPT, stream=True)
        "".join(c.choices[0].delta.content or "" for c in stream if c.choices)

    def turn() -> None:
        list(agent.predict_stream({"input": PROMPT}))

    mlflow.tracing.disable()
    base = timed("raw openai client, streamed", raw)
    off = timed("agent.predict_stream, tracing off", turn)
    mlflow.tracing.enable()
    tracing.setup_tracing()
    on = timed("agent.predict_stream, tracing on (async, sqlite)", turn)
    print(f"agent overhead: {off - base:+.1f} ms without tracing, {on - base:+.1f} ms with tracing")
    server.stop()


if __name__ == "__main__":
    main()
