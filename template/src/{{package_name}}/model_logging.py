"""Log the agent as an MLflow model from code, with its config and pinned requirements.

Models-from-code logs `agent.py` as source, not a pickle: what is reviewed is what
runs. The package goes along as `code_paths`, the ModelConfig as `model_config`, and
the requirements are pinned to the versions installed here, which are the versions
the tests ran against. Explicit requirements also skip MLflow's slow inference.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

import mlflow
from mlflow.models.model import ModelInfo

from .agent_loop import REQUIREMENTS
from .settings import CONFIG_PATH

PACKAGE_DIR = Path(__file__).parent
INPUT_EXAMPLE = {"input": [{"role": "user", "content": "What can you help me with?"}]}


def pip_requirements() -> list[str]:
    """The serving environment: full mlflow (at our mlflow-skinny's version) and the framework."""
    return [
        f"mlflow=={version('mlflow-skinny')}",
        f"databricks-sdk=={version('databricks-sdk')}",
        *(f"{name}=={version(name)}" for name in REQUIREMENTS),
    ]


def log_agent(
    name: str = "agent",
    model_config: str | Path | Mapping[str, Any] = CONFIG_PATH,
    **kwargs: Any,
) -> ModelInfo:
    """Log the agent to the active MLflow experiment; extra kwargs go to `log_model`.

    MLflow runs the input example through the agent while logging, so the LLM
    endpoint (and any tool it calls) must be reachable.
    """
    return mlflow.pyfunc.log_model(
        name=name,
        python_model=str(PACKAGE_DIR / "agent.py"),
        model_config=dict(model_config) if isinstance(model_config, Mapping) else str(model_config),
        code_paths=[str(PACKAGE_DIR)],
        pip_requirements=pip_requirements(),
        input_example=INPUT_EXAMPLE,
        **kwargs,
    )
