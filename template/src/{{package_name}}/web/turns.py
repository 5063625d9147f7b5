"""Run each turn in a worker thread, so the server's event loop never waits on one.

MLflow's AgentServer runs a sync `@invoke` or `@stream` function inside its event loop:
while one turn waits on Genie or the model, every other request waits too, `/health`
included. The functions `app.py` registers are async instead. Each turn runs in a
thread of its own (`max_turns` at once; more wait for a free thread), and its stream
events cross back to the event loop through a queue, as they are made.

A client that goes away (the page's Stop button, a closed tab) cancels its request. The
turn is then asked to stop (`stopping.STOP_TURN`), and the request waits, shielded
from the cancellation, until the turn has wound down: its trace ends complete, inside
the request's own span, instead of being left open.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, TypeVar

import anyio

from ..stopping import STOP_TURN

T = TypeVar("T")
_END = object()


class TurnRunner:
    """A bounded pool of turn threads, and the bridge from each turn to the event loop."""

    def __init__(self, max_turns: int) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(max_turns, thread_name_prefix="turn")

    async def call(self, function: Callable[[Any], T], request: Any) -> T:
        """`function(request)` in a turn thread; a cancelled caller stops the turn and waits for it."""
        stop = threading.Event()
        future = self._start(stop, function, request)
        try:
            return await asyncio.wrap_future(future)
        finally:
            await _wind_down(stop, future)

    async def stream(self, function: Callable[[Any], Iterable[T]], request: Any) -> AsyncIterator[T]:
        """The items of `function(request)`, made in a turn thread and yielded here as they come."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()

        def put(item: object) -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(queue.put_nowait, item)

        def produce() -> None:
            try:
                for item in function(request):  # after a stop, the turn ends itself at its next step
                    put(item)
            except BaseException as exc:  # noqa: BLE001 - raised again on the event loop's side
                put(_Failed(exc))
            finally:
                put(_END)

        stop = threading.Event()
        future = self._start(stop, produce)
        try:
            while (item := await queue.get()) is not _END:
                if isinstance(item, _Failed):
                    raise item.error
                yield item
        finally:
            await _wind_down(stop, future)

    def _start(
        self, stop: threading.Event, function: Callable[..., Any], *args: Any
    ) -> concurrent.futures.Future:
        """Submit `function` with the caller's context (its trace span) and this turn's stop event."""
        context = contextvars.copy_context()
        context.run(STOP_TURN.set, stop)
        return self._pool.submit(context.run, function, *args)


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


async def _wind_down(stop: threading.Event, future: concurrent.futures.Future) -> None:
    """Ask the turn to stop (a no-op once it has ended) and wait for it, even when cancelled."""
    stop.set()
    with anyio.CancelScope(shield=True):
        await asyncio.wait([asyncio.wrap_future(future)])
