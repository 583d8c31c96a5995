"""One build of a missing PDF at a time, across processes and machines.

A build first claims the file's name: it inserts a ``PdfBuild`` row with the name as its primary
key. A second request for the same file finds the name taken and waits for the file instead of
building it as well. Why a row: shared state lives in the database (each process has its own
cache, ``LocMemCache``); inserting a unique key is atomic on SQLite and PostgreSQL alike; and the
claim is committed at once, so no transaction (nor SQLite's one write lock) stays open during the
build. ``SELECT … FOR UPDATE`` would need that open transaction, and SQLite ignores it.

A process that dies mid-build leaves its row behind: a claim older than ``STALE_SECONDS`` is
taken over by the next request, and a reader waits ``WAIT_SECONDS`` at most before building the
file itself. Times are the database's, so machines whose clocks differ agree on them.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models.functions import Now

from printing.models import PdfBuild

log = logging.getLogger(__name__)

STALE_SECONDS = 120  # far longer than any build takes
WAIT_SECONDS = 30  # a reader waits no longer for another's build, then builds it itself
POLL_SECONDS = 0.2


def _stale():
    return Now() - timedelta(seconds=STALE_SECONDS)


def claim(name: str) -> str | None:
    """Claim the build of ``name``: the claim's token, or None while another build holds it.

    A database that cannot take the claim (SQLite busy for longer than its timeout) gives an
    empty token: build without the lock, as a reader does that has waited too long.
    """
    owner = uuid.uuid4().hex
    try:
        with transaction.atomic():  # a savepoint, where the caller is in a transaction
            PdfBuild.objects.create(name=name, owner=owner, claimed_at=Now())
        return owner
    except IntegrityError:
        pass  # taken: by a live build, or by one that died if the claim is this old
    except DatabaseError as exc:
        return _unclaimed(name, exc)
    stale = PdfBuild.objects.filter(name=name, claimed_at__lt=_stale())
    try:
        with transaction.atomic():  # one UPDATE: of two takers, one wins
            taken = stale.update(owner=owner, claimed_at=Now())
    except DatabaseError as exc:
        return _unclaimed(name, exc)
    return owner if taken else None


def _unclaimed(name: str, exc: Exception) -> str:
    log.warning("PDF %s built without a claim: %s", name, exc)
    return ""


def held(name: str) -> bool:
    """Whether a live build holds ``name`` (a cheap read, so waiting inserts nothing)."""
    return PdfBuild.objects.filter(name=name, claimed_at__gte=_stale()).exists()


def release(name: str, owner: str) -> None:
    if not owner:
        return
    try:
        with transaction.atomic():  # only our own claim: one taken over is its new owner's
            PdfBuild.objects.filter(name=name, owner=owner).delete()
    except DatabaseError as exc:  # the claim goes stale and is taken over
        log.warning("PDF build claim %s not released: %s", name, exc)


def pause() -> None:
    time.sleep(POLL_SECONDS)
