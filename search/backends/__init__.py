"""The search SQL, one backend per database (base.py says how they work); nothing outside
search knows which one is in use."""

from __future__ import annotations

from django.db import connection

from search.backends.base import TABLE, Backend, Filters, RawPage
from search.backends.postgres import GIN_INDEX, TITLE_GIN_INDEX, PostgresBackend, tsvector_literal
from search.backends.sqlite import FTS_TABLE, SqliteBackend

__all__ = [
    "FTS_TABLE",
    "GIN_INDEX",
    "TABLE",
    "TITLE_GIN_INDEX",
    "Backend",
    "Filters",
    "RawPage",
    "get_backend",
    "tsvector_literal",
]

_BACKENDS = {"sqlite": SqliteBackend, "postgresql": PostgresBackend}


def get_backend() -> Backend:
    """The backend for the default database."""
    try:
        return _BACKENDS[connection.vendor]()
    except KeyError:
        raise NotImplementedError(
            f"Search supports SQLite and PostgreSQL, not {connection.vendor}"
        ) from None
