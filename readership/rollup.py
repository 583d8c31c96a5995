"""Raw events into daily rows, and the old away: ``rollup()``.

Run by ``manage.py readership_rollup`` (cron, on any server: safe to run on several at once) and
by the app itself every ZHIJIAO_READERSHIP_ROLLUP_SECONDS when nobody set up cron
(``rollup_if_due``, after a batch of events is written).

Every day that still has raw events is counted again from them and its daily rows replaced, so
a run is idempotent, and events that arrive late (a process that wrote its batch after midnight)
are in the next run's figures. Then raw events older than ZHIJIAO_READERSHIP_RAW_DAYS days and
daily rows older than ZHIJIAO_READERSHIP_DAILY_DAYS days are deleted. The whole run is one
transaction holding the RollupState row (PostgreSQL: ``SELECT … FOR UPDATE``; SQLite: its one
writer): a second run waits for the first and then finds nothing new to do wrongly.

The COUNTER rules applied here, with the same code on SQLite and PostgreSQL: a request for the
same item by the same reader (visitor hash) within 30 seconds of their previous one is a repeat
and counts once (a run of clicks each less than 30 seconds apart is one view); readers are the
distinct visitor hashes of a day.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from articles.models import Article
from readership.models import DailyCount, DailySearch, Event, Kind, RollupState

REPEAT_SECONDS = 30  # COUNTER: a double click
_ROW = 1
_next_check = 0.0

ISSUE_ITEMS = (Kind.ISSUE, Kind.ISSUE_PDF)
ARTICLE_ITEMS = (Kind.ARTICLE, Kind.ARTICLE_PDF)


@dataclass
class Summary:
    days: list[date]
    events: int
    raw_deleted: int
    daily_deleted: int


def _day_rows(day: date) -> tuple[list[DailyCount], list[DailySearch], int]:
    views: dict[tuple, int] = defaultdict(int)
    readers: dict[tuple, set[str]] = defaultdict(set)
    results: dict[tuple, int | None] = {}
    last: dict[tuple, object] = {}
    events = 0
    rows = (
        Event.objects.filter(day=day)
        .order_by("at", "pk")
        .values_list("kind", "object_id", "key", "query", "visitor", "at", "results")
    )
    for kind, object_id, key, query, who, at, found in rows.iterator(chunk_size=2000):
        events += 1
        # One item: its row when it has one, else its URL's words (and a search's words).
        item = (kind, object_id, key if object_id is None else "", query)
        previous = last.get((item, who))
        last[item, who] = at
        readers[item].add(who)
        if kind == Kind.SEARCH:
            results[item] = found  # the latest of the day
        if previous is not None and (at - previous).total_seconds() < REPEAT_SECONDS:
            continue
        views[item] += 1
    counts, searches = [], []
    for item, n in views.items():
        kind, object_id, key, query = item
        if kind == Kind.SEARCH:
            searches.append(
                DailySearch(
                    day=day,
                    kind=key,
                    query=query,
                    searches=n,
                    readers=len(readers[item]),
                    results=results[item],
                )
            )
        else:
            counts.append(
                DailyCount(
                    day=day,
                    kind=kind,
                    object_id=object_id,
                    key=key,
                    views=n,
                    readers=len(readers[item]),
                )
            )
    counts += _issue_totals(day, views, readers)
    return counts, searches, events


def _issue_totals(day: date, views: dict, readers: dict) -> list[DailyCount]:
    """Per issue, everything of it that day: its readers counted once across its pages."""
    article_ids = {item[1] for item in views if item[0] in ARTICLE_ITEMS and item[1]}
    issue_of = dict(Article.objects.filter(pk__in=article_ids).values_list("pk", "issue_id"))
    total_views: dict[int, int] = defaultdict(int)
    total_readers: dict[int, set[str]] = defaultdict(set)
    for item, n in views.items():
        kind, object_id = item[0], item[1]
        issue = object_id if kind in ISSUE_ITEMS else issue_of.get(object_id)
        if kind in ISSUE_ITEMS + ARTICLE_ITEMS and issue is not None:
            total_views[issue] += n
            total_readers[issue] |= readers[item]
    return [
        DailyCount(
            day=day,
            kind=Kind.ISSUE_TOTAL,
            object_id=issue,
            views=n,
            readers=len(total_readers[issue]),
        )
        for issue, n in total_views.items()
    ]


def _lock_state() -> RollupState:
    RollupState.objects.bulk_create([RollupState(pk=_ROW)], ignore_conflicts=True)
    return RollupState.objects.select_for_update().get(pk=_ROW)


def rollup(*, today: date | None = None) -> Summary:
    """Count every day that has raw events again, then delete what is past its time."""
    today = today or timezone.localdate()
    with transaction.atomic():
        state = _lock_state()
        days = sorted(Event.objects.order_by().values_list("day", flat=True).distinct())
        events = 0
        for day in days:
            counts, searches, n = _day_rows(day)
            events += n
            DailyCount.objects.filter(day=day).delete()
            DailySearch.objects.filter(day=day).delete()
            DailyCount.objects.bulk_create(counts, batch_size=500)
            DailySearch.objects.bulk_create(searches, batch_size=500)
        # Raw events of the last RAW_DAYS days stay (today is the first of them).
        raw_days = max(1, settings.ZHIJIAO_READERSHIP_RAW_DAYS)
        raw_deleted, _ = Event.objects.filter(day__lte=today - timedelta(days=raw_days)).delete()
        oldest = today - timedelta(days=settings.ZHIJIAO_READERSHIP_DAILY_DAYS)
        daily_deleted = DailyCount.objects.filter(day__lt=oldest).delete()[0]
        daily_deleted += DailySearch.objects.filter(day__lt=oldest).delete()[0]
        state.ran_at = timezone.now()
        state.save(update_fields=["ran_at"])
    return Summary(days, events, raw_deleted, daily_deleted)


def last_run():
    return RollupState.objects.filter(pk=_ROW).values_list("ran_at", flat=True).first()


def rollup_if_due() -> bool:
    """The app's own rollup, when nobody set up cron: at most one run every
    ZHIJIAO_READERSHIP_ROLLUP_SECONDS among all processes and servers (the first to claim the
    row runs it); 0 leaves it to cron. Each process asks at most once a minute."""
    global _next_check
    interval = settings.ZHIJIAO_READERSHIP_ROLLUP_SECONDS
    if interval <= 0 or time.monotonic() < _next_check:
        return False
    _next_check = time.monotonic() + min(60, interval)
    now = timezone.now()
    due = Q(ran_at__isnull=True) | Q(ran_at__lt=now - timedelta(seconds=interval))
    claimed = RollupState.objects.filter(due, pk=_ROW).update(ran_at=now)
    if not claimed:
        if RollupState.objects.filter(pk=_ROW).exists():
            return False
        RollupState.objects.bulk_create([RollupState(pk=_ROW, ran_at=now)], ignore_conflicts=True)
    rollup()
    return True


def reset_schedule() -> None:
    """Let this process ask again at once (tests)."""
    global _next_check
    _next_check = 0.0
