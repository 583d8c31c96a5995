"""Counting a request: after its response has gone out, cheaply, and never at a reader's cost.

The middleware hands each finished request to ``count_request``. What is counted becomes an
``Hit`` in this process's memory; the events are written in one batch (``flush``) once there
are ZHIJIAO_READERSHIP_FLUSH_EVENTS of them or the oldest is ZHIJIAO_READERSHIP_FLUSH_SECONDS
old, by the request that finds the batch due (after its own response), and when the process
exits. So a cached page costs a regex look-up (cached per user agent), an HMAC and a list append;
the database sees one transaction per batch. What is lost if a process is killed outright (not
stopped): its unwritten batch, at most a few seconds of its requests. A batch that cannot be
written is logged and dropped: counting never turns a page into an error.

No totals are kept in memory: each process only writes events, and every figure shown is read
from the database, so two app servers (or ten workers) add up by themselves.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from functools import lru_cache
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string

from core.pagecache import current_token
from core.tokens import normalize
from readership import items, rollup
from readership.models import Event, Kind
from readership.robots import is_robot
from readership.visitors import visitor
from search import params
from search.models import Kind as SearchKind
from search.service import search

logger = logging.getLogger(__name__)

MAX_QUERY = 200


class Hit(NamedTuple):
    """A counted request waiting in memory (a plain tuple: cheaper than a model instance)."""

    at: datetime
    day: date
    kind: str
    key: str
    visitor: str
    query: str


_lock = threading.Lock()
_pending: list[Hit] = []
_oldest: float | None = None
_today: tuple[datetime, datetime, date] | None = None


def local_day(now: datetime) -> date:
    """``timezone.localdate(now)``, with the day's bounds kept: a time-zone conversion per
    request cost more than the rest of the counting."""
    global _today
    known = _today
    if known is not None and known[0] <= now < known[1]:
        return known[2]
    day = timezone.localdate(now)
    start = timezone.make_aware(datetime.combine(day, clock.min))
    _today = (start, timezone.make_aware(datetime.combine(day + timedelta(days=1), clock.min)), day)
    return day


@lru_cache(maxsize=1)
def _client_address(path: str):
    return import_string(path)


def client_address(request: HttpRequest) -> str:
    """The reader's address as the access middleware sees it (behind the trusted proxy, the
    forwarded one): only ever hashed, never kept."""
    path = settings.ZHIJIAO_READERSHIP_CLIENT_ADDRESS
    if path:
        return _client_address(path)(request)
    return request.META.get("REMOTE_ADDR", "")


def normalised_query(raw: str | None) -> str:
    """The query as the search reads it (NFKC, lower case, simplified), spaces collapsed."""
    return " ".join(normalize(params.query(raw)).split())[:MAX_QUERY]


def _is_staff(request: HttpRequest) -> bool:
    # Without a session cookie nobody is logged in: the session is not even opened. This runs
    # after the response has left the middleware, so reading the session adds no Vary header.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_staff)


def event_for(request: HttpRequest) -> Hit | None:
    """The event this finished request counts as, or None: not an item, a robot, an editor
    (staff are never counted, previews or not), a page after the first of a search."""
    item = items.item_of(request)
    if item is None or "preview" in request.GET:
        return None
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    if is_robot(user_agent) or _is_staff(request):
        return None
    kind, key = item
    query = ""
    if kind == Kind.SEARCH:
        query = normalised_query(request.GET.get("q"))
        if not query or params.positive_int(request.GET.get("page"), 1) > 1:
            return None
        key = params.clean(request.GET.get("type"))
        if key not in SearchKind.values:
            key = SearchKind.ARTICLE  # as the search page does
    now = timezone.now()
    day = local_day(now)
    who = visitor(day=day, address=client_address(request), user_agent=user_agent)
    return Hit(now, day, kind, key[:100], who, query)


def count_request(request: HttpRequest) -> None:
    """Count this request if it is an item; never raises."""
    try:
        event = event_for(request)
        if event is not None:
            record(event)
    except Exception:
        logger.exception("readership: a request was not counted")


def record(event: Hit) -> None:
    global _oldest
    with _lock:
        _pending.append(event)
        if _oldest is None:
            _oldest = time.monotonic()
        due = (
            len(_pending) >= settings.ZHIJIAO_READERSHIP_FLUSH_EVENTS
            or time.monotonic() - _oldest >= settings.ZHIJIAO_READERSHIP_FLUSH_SECONDS
        )
    if due:
        flush()


def pending() -> int:
    with _lock:
        return len(_pending)


def flush() -> int:
    """Write this process's waiting events in one batch; the number written (0 on failure)."""
    global _oldest
    with _lock:
        batch = _pending[:]
        _pending.clear()
        _oldest = None
    if not batch:
        return 0
    try:
        write(batch)
    except Exception:
        logger.exception("readership: %d events dropped", len(batch))
        return 0
    try:
        rollup.rollup_if_due()
    except Exception:
        logger.exception("readership: the rollup failed")
    return len(batch)


_results_cache: dict[tuple[str, str, str], int] = {}


def _results(token: str | None, kind: str, query: str) -> int | None:
    """How many results the query has on its tab (facets aside), asked once per content token:
    the count a reader saw, whether the page came from the cache or not."""
    key = (token or "", kind, query)
    if key not in _results_cache:
        if len(_results_cache) > 2000:
            _results_cache.clear()
        _results_cache[key] = search(query=query, kinds=[kind], per_page=1).count
    return _results_cache[key]


COLUMNS = ("at", "day", "kind", "object_id", "key", "visitor", "query", "results")


def write(batch: list[Hit]) -> None:
    """Primary keys and search counts for the batch (a few queries), then one executemany; in a
    savepoint, so that a failure inside a caller's transaction leaves it usable.

    Plain SQL rather than ``bulk_create``: preparing a model instance per row cost ~60 µs, as
    much as the rest of counting a request (measured), and these rows need none of it."""
    found = items.resolve((h.kind, h.key) for h in batch if h.kind != Kind.SEARCH)
    token = current_token() if any(h.kind == Kind.SEARCH for h in batch) else None
    ops = connection.ops
    rows = []
    for h in batch:
        object_id = results = None
        if h.kind == Kind.SEARCH:
            try:
                results = _results(token, h.key, h.query)
            except Exception:
                logger.exception("readership: no result count for a search")
        else:
            object_id = found.get((h.kind, h.key))
        at, day = ops.adapt_datetimefield_value(h.at), ops.adapt_datefield_value(h.day)
        rows.append((at, day, h.kind, object_id, h.key, h.visitor, h.query, results))
    table = ops.quote_name(Event._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in COLUMNS)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


atexit.register(flush)
