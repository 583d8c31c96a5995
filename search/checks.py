"""System check: the search index exists on the database in use.

The index is made by migration articles.0002 in a way that depends on the database (an FTS5 table
and triggers on SQLite, a GIN index on PostgreSQL). A database migrated elsewhere, restored from a
partial dump, or a later SQLite migration that rebuilt the table (which drops its triggers) would
leave search silently empty or stale; this check says so at startup.
"""

from __future__ import annotations

from django.core.checks import Error, Warning, register
from django.db import DatabaseError, connection

from search.backends import TABLE, get_backend

_HINT = "Run `python manage.py migrate`, then `python manage.py rebuild_search_index`."


def _missing() -> list[str] | None:
    """What of the index is missing; None if the index table itself is not migrated yet."""
    with connection.cursor() as cursor:
        if TABLE not in connection.introspection.table_names(cursor):
            return None  # not migrated yet: Django's own migration warning covers it
    try:
        backend = get_backend()
    except NotImplementedError:
        return [f"search on {connection.vendor}"]
    return backend.missing()


def _unindexed() -> list[str]:
    from search.indexing import unindexed
    from search.models import Kind

    return [Kind(kind).label for kind in unindexed()]


@register()
def search_index_present(app_configs, **kwargs):
    try:
        missing = _missing()
        if missing is None:
            return []
        empty = [] if missing else _unindexed()
    except DatabaseError:
        return []  # no database to look at (yet): nothing to say about the index
    if missing:
        return [
            Error(
                f"全文检索索引不存在或不完整：缺少 {', '.join(missing)}。",
                hint=_HINT,
                id="articles.E001",
            )
        ]
    if empty:
        return [
            Warning(
                f"已有可检索的{'、'.join(empty)}，但检索索引中一条也没有。",
                hint="Run `python manage.py rebuild_search_index`.",
                id="articles.W001",
            )
        ]
    return []
