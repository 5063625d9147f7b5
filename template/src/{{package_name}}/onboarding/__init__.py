"""Getting a newcomer to a working set-up: `uv run quickstart` and `uv run discover`."""
