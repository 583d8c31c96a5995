"""The search SQL, one backend per database (base.py says how they work); nothing outside
articles/search knows which one is in use."""

from __future__ import annotations

from django.db import connection

from articles.search.backends.base import (
    FTS_TABLE,
    GIN_INDEX,
    TABLE,
    TITLE_GIN_INDEX,
    Backend,
    Filters,
    RawPage,
)
from articles.search.backends.postgres import PostgresBackend, tsvector_literal
from articles.search.backends.sqlite import SqliteBackend

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
