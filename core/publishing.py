"""Publishing status and the one definition of what the public may see.

Every reader-facing query goes through ``published()`` (or ``visible_q`` where a query needs the
condition on a related row): views, feeds, the sitemap, the API, the search index and the PDFs.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    REVIEW = "review", "待审"
    PUBLISHED = "published", "已发布"


def published_q(prefix: str = "") -> Q:
    """Marked published by a 主编 (visible once its time has come, see ``visible_q``)."""
    return Q(**{f"{prefix}status": Status.PUBLISHED})


def visible_q(prefix: str = "") -> Q:
    """The one definition of "the public may see it": published, and its time has come.

    A scheduled item (published with a future ``published_at``) becomes visible by itself when the
    time passes: visibility is a query, so no cron job or worker is needed.
    """
    now = timezone.now()
    return published_q(prefix) & (
        Q(**{f"{prefix}published_at__isnull": True}) | Q(**{f"{prefix}published_at__lte": now})
    )


def is_visible(item, now: datetime) -> bool:
    """``visible_q`` for a row already in hand (an article read with its issue in one query):
    the same rule, so that a page need not ask the database again what it has just read."""
    return item.status == Status.PUBLISHED and (
        item.published_at is None or item.published_at <= now
    )


def scheduled_q(now) -> Q:
    """Published, but visible only later: what turns visible by itself after ``now``."""
    return published_q() & Q(published_at__gt=now)


def visible_from(*items) -> datetime | None:
    """From when all of these published items are visible (the latest ``published_at``), or None
    for at once: the time part of ``visible_q``, for what is checked later (the search index)."""
    return latest_start(*(item.published_at for item in items))


def latest_start(*times: datetime | None) -> datetime | None:
    """``visible_from`` for the ``published_at`` values of items read as plain values."""
    known = [t for t in times if t is not None]
    return max(known) if known else None


def can_preview(user, model) -> bool:
    """Editors see unpublished items on the public pages exactly as teachers will (a preview)."""
    return bool(
        user.is_authenticated
        and user.is_staff
        and user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")
    )


class PublishableQuerySet(models.QuerySet):
    def published(self):
        return self.filter(visible_q())

    def viewable_by(self, user):
        """What one reader may open directly: published items, and for editors drafts too."""
        return self.all() if can_preview(user, self.model) else self.published()


class Publishable(models.Model):
    """What a 主编 publishes: a status and an optional time from which it is visible."""

    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "发布时间",
        null=True,
        blank=True,
        help_text="留空则发布后立即可见；填写将来的时间则定时发布。",
    )

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True
