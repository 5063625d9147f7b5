"""The agent's evaluation suite: the same scorers before shipping and in production.

* `dataset.py` reads and checks the rows (`evaluation/template_rows.yaml`, the template's,
  merged with `evaluation/dataset.yaml`, yours), and syncs them to Unity Catalog;
* `scorers.py` holds the code-based scorers, `judges.py` the built-in LLM judges;
* `run.py` runs `mlflow.genai.evaluate` on the agent; `gate.py` turns the result into
  a per-scorer report and a pass or fail against the thresholds in `evaluation/config.yaml`;
* `__main__.py` is the command line (`python -m <package>.evaluation --help`);
* `monitoring.py` registers the scorers to run on the deployed agent's traces.
"""
