"""A fake Databricks workspace: a real HTTP server on 127.0.0.1.

It speaks the serving-endpoint Chat Completions API (JSON and SSE) and, where the
agent has Genie tools, the Genie Conversation API, so the real `openai` and
`databricks-sdk` clients run end to end. Tests tell it how to misbehave.
"""
