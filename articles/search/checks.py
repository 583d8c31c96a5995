"""System check: the search index exists on the database in use.

The index is made by migration articles.0002 in a way that depends on the database (an FTS5 table
and triggers on SQLite, a GIN index on PostgreSQL). A database migrated elsewhere, restored from a
partial dump, or a later SQLite migration that rebuilt the table (which drops its triggers) would
leave search silently empty or stale; this check says so at startup.
"""

from __future__ import annotations

from django.core.checks import Error, Warning, register
from django.db import DatabaseError, connection

from articles.search.backends import FTS_TABLE, GIN_INDEX, TABLE, TITLE_GIN_INDEX

_HINT = "Run `python manage.py migrate`, then `python manage.py rebuild_search_index`."


def _missing() -> list[str] | None:
    """What of the index is missing; None if the index table itself is not migrated yet."""
    with connection.cursor() as cursor:
        if TABLE not in connection.introspection.table_names(cursor):
            return None  # not migrated yet: Django's own migration warning covers it
        if connection.vendor == "sqlite":
            wanted = [FTS_TABLE, f"{FTS_TABLE}_ai", f"{FTS_TABLE}_ad", f"{FTS_TABLE}_au"]
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name IN "
                "(%s, %s, %s, %s)",
                wanted,
            )
            found = {row[0] for row in cursor.fetchall()}
            return [name for name in wanted if name not in found]
        if connection.vendor == "postgresql":
            wanted = [GIN_INDEX, TITLE_GIN_INDEX]
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname IN (%s, %s)", wanted)
            found = {row[0] for row in cursor.fetchall()}
            return [name for name in wanted if name not in found]
        return [f"search on {connection.vendor}"]


def _unindexed() -> bool:
    """Published articles exist but none is indexed (e.g. content loaded before migrating)."""
    from articles.models import Article
    from articles.search.models import SearchDocument

    return (
        Article.objects.published().exists()
        and not SearchDocument.objects.filter(kind="article").exists()
    )


@register()
def search_index_present(app_configs, **kwargs):
    try:
        missing = _missing()
        if missing is None:
            return []
        empty = not missing and _unindexed()
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
                "已有已发布的文章，但检索索引是空的。",
                hint="Run `python manage.py rebuild_search_index`.",
                id="articles.W001",
            )
        ]
    return []
