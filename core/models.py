import secrets

from django.db import models
from django.utils import timezone


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
        migration)."""
        return cls.objects.filter(pk=row).values_list("token", flat=True).first()

    @classmethod
    def replace(cls, row: int) -> None:
        """A new token for the row, in the current transaction (which holds the row's lock on
        PostgreSQL until it commits)."""
        token, now = secrets.token_hex(16), timezone.now()
        if not cls.objects.filter(pk=row).update(token=token, changed_at=now):
            # Only a database flushed since its migration (tests) lacks the row.
            cls.objects.bulk_create(
                [cls(pk=row, token=token, changed_at=now)], ignore_conflicts=True
            )
            cls.objects.filter(pk=row).update(token=token, changed_at=now)
