"""A reader, for one day, without knowing who: HMAC(salt of the day, address + user agent).

The salt must be the same in every process on every server (a reader who reaches two servers
is one reader), so it comes from the database: one row holding the day and a random seed. The
first process that counts on a new day replaces the seed; the salt is HMAC(SECRET_KEY, seed).
So yesterday's salt cannot be recovered by anyone (its seed is overwritten), and today's cannot
be recomputed from a copy of the database alone (a backup holds the seed, not the key). With
the salt gone, a visitor hash says nothing about an address: not even an exhaustive search over
every IPv4 address finds it. Each process keeps the day's salt in memory only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from datetime import date

from django.conf import settings

from readership.models import DailySalt

_ROW = 1
_lock = threading.Lock()
_salt: tuple[date, bytes] | None = None


def _from_seed(seed: str) -> bytes:
    return hmac.new(
        settings.SECRET_KEY.encode(), b"readership-salt:" + seed.encode(), hashlib.sha256
    ).digest()


def salt_for(day: date) -> bytes:
    """The day's salt (one row read per process and day; one write per day for all)."""
    global _salt
    with _lock:
        if _salt is not None and _salt[0] == day:
            return _salt[1]
    row = DailySalt.objects.filter(pk=_ROW).values_list("day", "seed").first()
    if row is None or row[0] < day:
        seed = secrets.token_hex(32)
        # Only one process wins the day: the update asks for the old day.
        if row is None:
            DailySalt.objects.bulk_create(
                [DailySalt(pk=_ROW, day=day, seed=seed)], ignore_conflicts=True
            )
        else:
            DailySalt.objects.filter(pk=_ROW, day__lt=day).update(day=day, seed=seed)
        row = DailySalt.objects.filter(pk=_ROW).values_list("day", "seed").get()
    # A server whose clock is a little behind may find tomorrow's seed: it uses that one.
    salt = _from_seed(row[1])
    with _lock:
        _salt = (day, salt)
    return salt


def forget() -> None:
    """Drop this process's copy (tests; a new day does it by itself)."""
    global _salt
    with _lock:
        _salt = None


def visitor(*, day: date, address: str, user_agent: str) -> str:
    """16 hex digits (64 bits): unique enough for a school's readers of one day, too short to
    be a fingerprint anyone could look up."""
    message = f"{address}\n{user_agent}".encode()
    return hmac.new(salt_for(day), message, hashlib.sha256).hexdigest()[:16]
