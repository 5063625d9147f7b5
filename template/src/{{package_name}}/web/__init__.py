"""The agent's face: the HTTP app of `start-server`, its chat page and the page's routes."""
