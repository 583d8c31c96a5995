from django.db import models


class ContentGeneration(models.Model):
    """One row whose token every change to content replaces (core/pagecache.py).

    The cached pages are keyed by it, so they can live in each process's memory and still never
    outlive a change made by another process or machine: the token is shared state, and shared
    state lives in the database.
    """

    token = models.CharField("版本标记", max_length=32)
    changed_at = models.DateTimeField("变更时间")

    class Meta:
        verbose_name = "内容版本"
        verbose_name_plural = "内容版本"
        db_table = "zhijiao_contentgeneration"  # moved from zhijiao with its table

    def __str__(self) -> str:
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
