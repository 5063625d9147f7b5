"""Genie tool figures, measured inside a rendered repo that has Genie spaces.

Run by `nox -s bench` with the rendered repo's interpreter: `python genie_overhead.py
<project dir> <package>`. Against the repo's own fake workspace it prints:
- the Genie wrapper's overhead against the same three raw SDK calls;
- a turn's time when the model asks 1, 2 and 4 slow spaces at once (parallel speed-up);
- the time to the first streamed token, with and without a tool round.
"""

from __future__ import annotations

import contextlib
import importlib
import statistics
import time
from collections.abc import Callable

from fake_env import start_fake_workspace

REPEAT = 20


def median_ms(run: Callable[[], object], repeat: int = REPEAT) -> float:
    run()  # warm up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    server, package = start_fake_workspace("genie-bench-")

    import mlflow
    import yaml
    from databricks.sdk import WorkspaceClient
    from fake_workspace.genie import FakeGenie
    from fake_workspace.llm import FakeChatModel

    FakeChatModel(server)
    genie = FakeGenie(server)
    server.start()
    mlflow.tracing.disable()  # tool and stream figures, without trace export cost

    settings = importlib.import_module(f"{package}.settings")
    agent_module = importlib.import_module(f"{package}.responses_agent")
    genie_module = importlib.import_module(f"{package}.tools.genie")
    config = yaml.safe_load(settings.CONFIG_PATH.read_text(encoding="utf-8"))
    spaces = [
        {"name": f"space{i}", "space_id": f"{i:032x}", "description": f"Space {i}."} for i in range(1, 5)
    ]

    # 1. Wrapper overhead: a space that answers on the first poll, so nobody sleeps.
    for space in spaces:
        genie.script(space["space_id"], "rows", polls_to_complete=1)
    section = {**config["genie"], "spaces": spaces[:1], "max_parallel": 4}
    tool = genie_module.genie_tools(section, WorkspaceClient())[0]
    raw_client = WorkspaceClient()

    def raw() -> None:
        started = raw_client.genie.start_conversation(spaces[0]["space_id"], "Revenue?").response
        message = raw_client.genie.get_message(
            spaces[0]["space_id"], started.conversation_id, started.message_id
        )
        attachment = message.attachments[0].attachment_id
        raw_client.genie.get_message_attachment_query_result(
            spaces[0]["space_id"], message.conversation_id, message.message_id, attachment
        )

    raw_ms, tool_ms = median_ms(raw), median_ms(lambda: tool({"question": "Revenue?"}))
    print(f"Genie call, raw SDK (3 requests):  median {raw_ms:6.1f} ms")
    print(
        f"Genie call, GenieTool wrapper:     median {tool_ms:6.1f} ms   overhead {tool_ms - raw_ms:+.1f} ms"
    )

    # 2. Parallel speed-up: each space takes ~1 s (two polls of 0.5 s).
    for space in spaces:
        genie.script(space["space_id"], "slow", delay_seconds=0.5)
    timings = {}
    for count in (1, 2, 4):
        agent_config = {**config, "genie": {**config["genie"], "spaces": spaces, "max_parallel": 4}}
        agent = agent_module.ToolCallingAgent(settings.load_settings(agent_config))
        question = "Ask " + " and ".join(space["name"] for space in spaces[:count])
        timings[count] = (
            median_ms(
                lambda a=agent, q=question: list(
                    a.predict_stream({"input": [{"role": "user", "content": q}]})
                ),
                repeat=3,
            )
            / 1000
        )
    for count, seconds in timings.items():
        speedup = count * timings[1] / seconds
        print(f"turn asking {count} slow space(s) at once: {seconds:5.2f} s   speed-up x{speedup:.1f}")

    # 3. Time to the first streamed token.
    for space in spaces:
        genie.script(space["space_id"], "rows", polls_to_complete=1)

    def first_token(agent: object) -> Callable[[], None]:
        def run() -> None:
            # Close the stream explicitly: a generator left to the garbage collector can be
            # finalised inside the HTTP pool's lock during a later request, and deadlock.
            with contextlib.closing(
                agent.predict_stream({"input": [{"role": "user", "content": "Ask space1"}]})
            ) as events:
                next(e for e in events if e.type == "response.output_text.delta")

        return run

    with_tools = agent_module.ToolCallingAgent(
        settings.load_settings({**config, "genie": {**config["genie"], "spaces": spaces[:1]}})
    )
    without = agent_module.ToolCallingAgent(
        settings.load_settings({**config, "genie": {**config["genie"], "spaces": []}})
    )
    print(f"time to first token, no tools:       median {median_ms(first_token(without)):6.1f} ms")
    print(f"time to first token, one Genie call: median {median_ms(first_token(with_tools)):6.1f} ms")
    server.stop()


if __name__ == "__main__":
    main()
