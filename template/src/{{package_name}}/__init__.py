"""A Databricks AI agent: an MLflow ResponsesAgent over Genie spaces.

`agent.py` is the models-from-code entry point; `agent_config.yaml` holds its settings.
"""
