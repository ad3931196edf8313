"""The optional sync server (extra "server"): FastAPI over the same schema as the CLI."""
