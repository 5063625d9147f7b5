"""The named variants: one list, used by the template tests and by every nox session.

Each variant is a set of answers on top of the defaults. Together they cover every
value of every choice question (see `test_every_choice_value_is_covered`).
"""

from __future__ import annotations

from typing import Any

SALES = {
    "name": "sales",
    "space_id": "0123456789abcdef0123456789abcdef",
    "description": "Sales orders, revenue and customers by region and month.",
}
SUPPORT = {
    "name": "support_tickets",
    "space_id": "fedcba9876543210fedcba9876543210",
    "description": "Support tickets: volume, resolution time and satisfaction by product.",
}

VARIANTS: dict[str, dict[str, Any]] = {
    # The README's render command: defaults plus a name.
    "default": {"project_name": "Sales Insights Agent"},
    "chat_only": {
        "project_name": "Chat Only Agent",
        "genie_spaces": [],
        "ci_provider": "none",
    },
    "multi_genie": {
        "project_name": "Multi Genie Agent",
        "genie_spaces": [SALES, SUPPORT],
        "ci_provider": "azure_devops",
        "python_version": "3.12",
    },
    "databricks_apps": {
        "project_name": "Apps Agent",
        "genie_spaces": [SALES, SUPPORT],
        "deployment_target": "databricks_apps",
        "warehouse_id": "abcdef0123456789",
        "judge_endpoint": "databricks-gpt-oss-120b",  # a judge other than the agent's model
    },
    # A Databricks App with the documented defaults: the example Genie space and an empty
    # warehouse_id ("pass it at deploy time"). Its own suite must pass as rendered.
    "apps_defaults": {
        "project_name": "Apps Defaults Agent",
        "deployment_target": "databricks_apps",
    },
    # Each framework with two Genie spaces: the "pointed at a workspace" render.
    "langgraph": {
        "project_name": "LangGraph Agent",
        "agent_framework": "langgraph",
        "genie_spaces": [SALES, SUPPORT],
    },
    "openai_agents": {
        "project_name": "Agents SDK Agent",
        "agent_framework": "openai_agents",
        "genie_spaces": [SALES, SUPPORT],
    },
    # Free text that breaks naive quoting: quotes, colons, '#', backslashes, unicode, newlines.
    "hostile_text": {
        "project_name": 'Ünïcode "Quoted" Agent: #1 \\ ok',
        "project_slug": "hostile-agent",
        # The longest package name allowed: rendered lines must still fit and format.
        "package_name": "hostile_agent_whose_package_name_is_fifty_chars_ok",
        "description": 'Answers "hard" questions: #tags, C:\\paths\\ and ünïcode 😀.\nSecond line: yes',
        "author_name": 'Zoë O\'Brien: "QA" #1',
        "author_email": "zoe.obrien@example.com",
        "genie_spaces": [
            {
                "name": "finance",
                "space_id": "00112233445566778899aabbccddeeff",
                "description": 'Revenue "net": #1 source \\ ünïcode 😀\nline two: tabs and colons',
            }
        ],
    },
}
