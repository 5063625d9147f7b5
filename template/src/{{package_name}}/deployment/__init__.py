"""Getting the agent onto Databricks: preflight checks, model registration and deployment."""
