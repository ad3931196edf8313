"""The server's data access, one module per resource, on SQLAlchemy Core expressions built from
the SQLModel tables (one expression for PostgreSQL and SQLite). Every query names the owner: a row
of another user is, to these modules, a row that does not exist."""
