"""The HTTP API: its dependencies (``deps``) and one router per resource (``routes``)."""
