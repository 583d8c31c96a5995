"""Keep the stored mentions current when an article, a community or an organisation changes.

The work runs once the transaction commits, and once per transaction: an import saves 500
communities and 40 articles in one transaction, and the mentions are then computed one time, over
the final rows. Outside a transaction (the shell) it runs at once.

Organisations created with ``bulk_create`` by the registry loader send no signal, but a new
organisation only arrives with a community that is saved (``communities.load``), so the
community's signal covers it. Anything else that writes in bulk calls
``communities.mentions.refresh_mentions`` itself.
"""

from __future__ import annotations

import threading

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from articles.models import Article
from communities.mentions import refresh_mentions
from communities.models import Community, Organization


class _Pending(threading.local):
    def __init__(self) -> None:
        self.everything = False
        self.articles: set[int] = set()


_pending = _Pending()


def _flush() -> None:
    everything, articles = _pending.everything, set(_pending.articles)
    _pending.everything, _pending.articles = False, set()
    if everything:
        refresh_mentions()
    elif articles:
        refresh_mentions(articles=articles)


def schedule_refresh(*, article_id: int | None = None) -> None:
    """Recompute one article's mentions (or all, with no id) when the transaction commits.

    Every call registers the flush; the first one to run does the work and later ones find
    nothing pending. After a rollback the pending ids stay and are recomputed on the next
    commit, which is harmless: a refresh reads the rows as they are then.
    """
    if article_id is None:
        _pending.everything = True
    else:
        _pending.articles.add(article_id)
    transaction.on_commit(_flush)


@receiver(post_save, sender=Article, dispatch_uid="mentions_article_saved")
def article_saved(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    if not raw:
        schedule_refresh(article_id=instance.pk)


@receiver(post_save, sender=Community, dispatch_uid="mentions_community_saved")
def community_saved(sender, instance: Community, raw: bool = False, **kwargs) -> None:
    # A community is saved when its row changes; its name or its lead units' names may have.
    if not raw:
        schedule_refresh()


@receiver(pre_save, sender=Organization, dispatch_uid="mentions_organization_renaming")
def organization_renaming(sender, instance: Organization, raw: bool = False, **kwargs) -> None:
    if raw or instance.pk is None:
        instance._mentions_renamed = True
        return
    old = Organization.objects.filter(pk=instance.pk).values_list("name", flat=True).first()
    instance._mentions_renamed = old != instance.name


@receiver(post_save, sender=Organization, dispatch_uid="mentions_organization_saved")
def organization_saved(sender, instance: Organization, raw: bool = False, **kwargs) -> None:
    # Correcting an organisation's kind or province changes no mention; renaming it may.
    if not raw and getattr(instance, "_mentions_renamed", True):
        schedule_refresh()
