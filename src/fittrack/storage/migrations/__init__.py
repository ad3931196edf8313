"""Alembic migrations of fittrack's schema (client and server share them)."""
