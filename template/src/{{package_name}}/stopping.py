"""A turn's stop signal, set by whoever runs the turn in a thread of its own (the web server).

When the person asking goes away (the page's Stop button, a closed tab), the server sets
the event. The agent then ends the turn at its next step (`responses_agent.py`) and a
Genie call stops waiting (`tools/genie.py`), so the turn's thread is free at once, not
when its slowest call times out, and the trace is finished rather than left open.
"""

from __future__ import annotations

import contextvars
import threading

STOP_TURN: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar("stop_turn", default=None)


def stop_requested() -> bool:
    """Whether the current turn has been asked to stop."""
    stop = STOP_TURN.get()
    return stop is not None and stop.is_set()
