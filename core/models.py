import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, models
from django.utils import timezone

# The tokens as a reader's request read them first (``ContentGeneration.as_read``), so that the
# page cache, the kept parts and the related-articles archive of one page ask the database once.
_as_read: ContextVar[dict[int, str] | None] = ContextVar("content_tokens", default=None)


class ContentGeneration(models.Model):
    """One row whose token every change to content replaces (core/pagecache.py).

    The cached pages are keyed by it, so they can live in each process's memory and still never
    outlive a change made by another process or machine: the token is shared state, and shared
    state lives in the database.

    Row 1 is that token; the other rows are the tokens of the kept parts (core/kept.py,
    ``settings.ZHIJIAO_KEPT_PARTS``), replaced only by units that write what they derive from.
    """

    token = models.CharField("版本标记", max_length=32)
    changed_at = models.DateTimeField("变更时间")

    class Meta:
        verbose_name = "内容版本"
        verbose_name_plural = "内容版本"
        db_table = "zhijiao_contentgeneration"  # moved from zhijiao with its table

    def __str__(self) -> str:
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

    @classmethod
    def read(cls, row: int) -> str | None:
        """The row's token, or None while there is none (a test database flushed since its
        migration); inside ``as_read``, the token as it was read there."""
        known = _as_read.get()
        if known is not None and row in known:
            return known[row]
        return cls.objects.filter(pk=row).values_list("token", flat=True).first()

    @classmethod
    @contextmanager
    def as_read(cls) -> Iterator[dict[int, str]]:
        """Every token, read in one query, and ``read`` answering from them until the block
        ends: for rendering one page, whose parts each read a token before their content. Read
        first, so still before any content (the argument of docs/architecture.md holds)."""
        # Every page asks this first: a plain cursor, a third of what building the query costs.
        with connection.cursor() as cursor:
            meta = cls._meta
            cursor.execute(
                f"SELECT {meta.pk.column}, {meta.get_field('token').column} FROM {meta.db_table}"
            )
            known = dict(cursor.fetchall())
        reset = _as_read.set(known)
        try:
            yield known
        finally:
            _as_read.reset(reset)

    @classmethod
    def replace(cls, row: int) -> None:
        """A new token for the row, in the current transaction (which holds the row's lock on
        PostgreSQL until it commits)."""
        token, now = secrets.token_hex(16), timezone.now()
        known = _as_read.get()
        if known is not None:  # a write inside ``as_read``: later reads see the new token
            known.pop(row, None)
        if not cls.objects.filter(pk=row).update(token=token, changed_at=now):
            # Only a database flushed since its migration (tests) lacks the row.
            cls.objects.bulk_create(
                [cls(pk=row, token=token, changed_at=now)], ignore_conflicts=True
            )
            cls.objects.filter(pk=row).update(token=token, changed_at=now)
