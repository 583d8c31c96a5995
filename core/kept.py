"""Derived data kept under the token of the few models it is derived from, not under the page
token that every unit of content work replaces.

The page token (core/pagecache.py) retires everything at every edit of an article, so a page is
rendered again right after each change. Some of what a page shows depends on much less: the
registry's facet counts, figures and list rows change only with the registry (an appendix,
imported once and rarely edited). Each such *part* has its own token, a row of
``ContentGeneration``, declared in ``settings.ZHIJIAO_KEPT_PARTS`` with the models it is derived
from; a unit that wrote one of them replaces that token (core/changes.py, right before the page
token), and nothing else does. The values live in the ``kept`` cache (each process's memory);
the token is in the database, so a change made by one process retires them in all.

A reader reads the token before the content, as the page cache does: a value is never older
than the token it is kept under (docs/architecture.md, "Why kept pages are never stale").
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches

from core.models import ContentGeneration

CACHE_ALIAS = "kept"
T = TypeVar("T")


def _row(part: str) -> int:
    return settings.ZHIJIAO_KEPT_PARTS[part][0]


def token(part: str) -> str | None:
    """The part's token, or None while there is none (a flushed test database)."""
    return ContentGeneration.read(_row(part))


def models(part: str) -> list[str]:
    """The labels of the models the part is derived from."""
    return settings.ZHIJIAO_KEPT_PARTS[part][1]


def take_turn(part: str) -> None:
    """Wait for any other unit that is deriving the part, then hold it until this transaction
    ends (its token's row, locked on PostgreSQL; SQLite has one writer at a time anyway): for
    derived data written from everything at once, where two units working from two snapshots
    would each leave the other's change out. The part's token is replaced later in the same
    unit (``retire_changed``), as the parts' order there locks the rows in one order."""
    ContentGeneration.objects.select_for_update().filter(pk=_row(part)).values_list("pk").first()


def kept(part: str, key: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept for the part's current token under ``key`` (which says everything
    else the value depends on, e.g. the chosen filters)."""
    current = token(part)
    if current is None:
        return compute()
    cache = caches[CACHE_ALIAS]
    # Hashed: the key may hold what a reader typed (spaces, any length).
    full_key = f"{part}:{current}:{hashlib.sha256(key.encode()).hexdigest()}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value)
    return value


def retire(part: str) -> None:
    """Replace the part's token, in the current transaction."""
    ContentGeneration.replace(_row(part))


def retire_changed(labels: Iterable[str]) -> None:
    """Replace the token of every part derived from one of the models ``labels`` names (model
    labels such as "communities.Community": what a unit saved or deleted). In the current
    transaction; parts in the setting's order, so that two units lock the rows in one order."""
    written = set(labels)
    for part, (_, models) in settings.ZHIJIAO_KEPT_PARTS.items():
        if written.intersection(models):
            retire(part)


def retire_all() -> None:
    """Replace every part's token (a restored database may hold tokens still in use)."""
    for part in settings.ZHIJIAO_KEPT_PARTS:
        retire(part)
