"""One unit of content work: ``with content_change() as change:``.

Whatever writes content (the admin's views, the importer, publishing, renumbering, restoring a
revision, 摘编到期刊) opens a unit; the saves and deletes inside it are recorded by the receivers
below, which do nothing else. When the unit ends, the derived data follows, in the order written in
``settings.ZHIJIAO_CONTENT_STEPS``, in the unit's transaction; then the page token is replaced, the
unit's last write; after the commit, ``settings.ZHIJIAO_AFTER_COMMIT_STEPS`` run (PDF warm-up).
docs/architecture.md draws the path of one save.

A write outside any unit (a shell, a third-party admin action) is its own unit of one write, so
nothing is missed. Bulk writes send no signals: their callers say what they wrote with
``change.add``.

A derived step that fails is logged and skipped, never undoing or failing the edit that caused it
(its rows are rebuilt by the next change to the same objects, or by the step's own command).
"""

from __future__ import annotations

import copy
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.module_loading import import_string

from core import kept, pagecache

log = logging.getLogger(__name__)

#: ``update_fields`` of a save that named none: every field may have changed.
ALL_FIELDS = None


@dataclass
class Change:
    """What one unit wrote, by model label ("articles.Article"): the derived steps read it."""

    saved: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    deleted: dict[str, list[models.Model]] = field(default_factory=lambda: defaultdict(list))
    # Per saved object, the fields its saves named (None: a full save).
    fields: dict[tuple[str, int], set[str] | None] = field(default_factory=dict)
    # Issues published in this unit: their PDFs are built after the commit.
    published_issues: set[int] = field(default_factory=set)

    def add(self, model: type[models.Model], ids: Iterable[int], *, update_fields=ALL_FIELDS):
        """Record writes that sent no signal (bulk_create, QuerySet.update)."""
        label = model._meta.label
        for pk in ids:
            self.saved[label].add(pk)
            key = (label, pk)
            if update_fields is ALL_FIELDS or self.fields.get(key, set()) is None:
                self.fields[key] = None
            else:
                self.fields[key] = self.fields.get(key, set()) | set(update_fields)

    def remove(self, instance: models.Model) -> None:
        # A copy: Django clears the deleted instance's pk once its delete is done, before the
        # unit's steps ask which rows went.
        self.deleted[instance._meta.label].append(copy.copy(instance))

    def ids(self, label: str) -> set[int]:
        return self.saved.get(label, set())

    def removed(self, label: str) -> list[models.Model]:
        return self.deleted.get(label, [])

    def changed_fields(self, label: str, pk: int) -> set[str] | None:
        return self.fields.get((label, pk), set())

    def __bool__(self) -> bool:
        return bool(self.saved or self.deleted or self.published_issues)


_current: ContextVar[Change | None] = ContextVar("content_change", default=None)


def _steps(setting: str) -> list[Callable[[Change], None]]:
    return [import_string(path) for path in getattr(settings, setting)]


def _run(step: Callable[[Change], None], change: Change) -> None:
    """One derived step, in a savepoint: its failure is logged and leaves the edit in place."""
    try:
        with transaction.atomic():
            step(change)
    except Exception:
        log.exception("内容变更的后续步骤 %s 失败，已跳过", step.__qualname__)


def _after_commit(change: Change) -> None:
    for step in _steps("ZHIJIAO_AFTER_COMMIT_STEPS"):
        try:
            step(change)
        except Exception:
            log.exception("提交后的步骤 %s 失败，已跳过", step.__qualname__)


def finish(change: Change) -> None:
    """Bring derived data up to date for ``change``, inside the current transaction."""
    if not change:
        return
    for step in _steps("ZHIJIAO_CONTENT_STEPS"):
        _run(step, change)
    # The tokens of what is kept per part (the registry's summaries, core/kept.py) whose models
    # the unit wrote: never skipped, like the page token, and just before it for the same reason.
    kept.retire_changed(change.saved.keys() | change.deleted.keys())
    # Last: the token's row stays locked (PostgreSQL) until the commit, so it is taken when
    # nothing else remains to be locked, and no writer waits on another's unit while it runs.
    pagecache.retire_pages()
    transaction.on_commit(lambda: _after_commit(change), robust=True)


@contextmanager
def content_change() -> Iterator[Change]:
    """Open a unit of content work (a transaction); a unit opened inside another joins it, in a
    savepoint of its own, so that one that fails and is caught leaves no write behind."""
    outer = _current.get()
    if outer is not None:
        with transaction.atomic():
            yield outer
        return
    change = Change()
    token = _current.set(change)
    try:
        with transaction.atomic():
            yield change
            # Still current: what the steps write (topic tags) is recorded for the later steps.
            finish(change)
    finally:
        _current.reset(token)


def current() -> Change | None:
    return _current.get()


def _record(apply: Callable[[Change], None]) -> None:
    change = _current.get()
    if change is not None:
        apply(change)
        return
    with content_change() as change:  # a write outside any unit is its own unit
        apply(change)


# --- the receivers: they only record ----------------------------------------------------------


def _saved(sender, instance, raw: bool = False, update_fields=None, **kwargs) -> None:
    if raw:  # loaddata: related rows may not exist yet; restore rebuilds what derives
        return
    _record(lambda change: change.add(sender, [instance.pk], update_fields=update_fields))


def _deleted(sender, instance, **kwargs) -> None:
    _record(lambda change: change.remove(instance))


def _relation_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if reverse:  # tag.articles.add(...): the other side's objects changed
        model = kwargs["model"]
        ids = pk_set or ()
        _record(lambda change: change.add(model, ids, update_fields=["tags"]))
    else:
        model = type(instance)
        _record(lambda change: change.add(model, [instance.pk], update_fields=["tags"]))


def connect() -> None:
    """Record saves and deletes of ``ZHIJIAO_CONTENT_MODELS`` (from CoreConfig.ready)."""
    for label in settings.ZHIJIAO_CONTENT_MODELS:
        model = apps.get_model(label)
        post_save.connect(_saved, sender=model, dispatch_uid=f"change_save_{label}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"change_delete_{label}")
    tagged = apps.get_model("taggit.TaggedItem")
    m2m_changed.connect(_relation_changed, sender=tagged, dispatch_uid="change_tags")
