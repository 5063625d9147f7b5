"""Your own tools. This file is yours: template updates never touch it.

`copier update` merges template changes into the template's files, where they can
conflict with your edits; this file it writes once and then leaves alone, so tools you
add here survive every update. The agent offers the model the template's tools
(`build_tools` in `__init__.py`), then the ones `custom_tools` returns; two tools with
the same name stop the agent with an error naming both.

A tool is any object with (see `Tool` in `base.py`):

* `name`: the function name the model calls;
* `spec`: its OpenAI function spec, `{"type": "function", "function": {...}}`;
* `__call__(arguments, history=()) -> ToolResult`: `arguments` is the JSON object the
  model sent, `history` the outputs of earlier tool calls in the conversation. A call
  must bound its own time (nothing else will; calls run in threads) and should return
  `error_result(...)` rather than raise: its `cause` in your own words (users see it),
  any text from outside (an API's error message) as its `detail` (the model and trace only).

Set `is_data_source=False` on its results unless its output is data that the
no-fallback rule (`no_fallback.py`) should guard: a data source that failed makes the
agent refuse rather than let the model answer from nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from databricks.sdk import WorkspaceClient

from .base import Tool


def custom_tools(config: Mapping[str, Any], workspace: WorkspaceClient) -> list[Tool]:
    """Your tools, offered after the template's; `config` is the whole agent config."""
    return []


# An example: a tool that tells the time. To use it, uncomment it, add `import datetime`
# to the standard-library imports and `Status, ToolResult` to the `.base` import, and
# return `[Clock()]` above.
#
# class Clock:
#     name = "current_time"
#
#     @property
#     def spec(self) -> dict[str, Any]:
#         return {
#             "type": "function",
#             "function": {
#                 "name": self.name,
#                 "description": "The current date and time in UTC, for questions about today.",
#                 "parameters": {"type": "object", "properties": {}},
#             },
#         }
#
#     def __call__(self, arguments, history=()) -> ToolResult:  # instant: no time to bound
#         now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
#         return ToolResult(self.name, "the clock", Status.OK, {"utc_time": now}, is_data_source=False)
