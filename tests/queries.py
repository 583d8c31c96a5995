"""Counting the queries of a request: ``with counted_queries() as queries: client.get(…)``.

``django_assert_max_num_queries`` reads Django's query log, which ``request_started`` clears: around
a second ``client.get`` it slices the fresh log from the old length and counts nothing. A wrapper
around each execution sees every query, whatever clears the log.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """The SQL of every query run inside the block, in order."""
    seen: list[str] = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen
