"""Whole published pages, kept for readers who are not logged in.

Why: a page costs 15–40 ms of template rendering and most readers read the same few pages, so
rendering each page once per change instead of once per request is what lets the site carry a
school's worth of readers on two cores (bench/load.py).

Never stale, by construction rather than by expiry:

* The key of a stored page holds the **content token**, one row in the database
  (``ContentGeneration``) that every change to content replaces with a new random value, inside the
  change's own transaction (``content_changed``: a signal receiver for every model of the content
  apps, and explicit calls from the code that writes in bulk). Readers on every process and machine
  read the token first, so a change made anywhere retires every stored page at its commit. The
  token is random rather than a counter so that a rolled-back change can never reuse it.
* Scheduled publication changes pages with no write at all, so a page is kept no longer than until
  the next scheduled ``published_at``, read before the page is rendered.
* Only anonymous GET/HEAD answers that are 200, not streamed and set no cookie are stored. Logged-in
  readers (editors previewing drafts, the header with a name and a logout form) always get a fresh
  page; so do closed-site outsiders, whom the access middleware turns away before any view runs.

The pages themselves live in the ``pages`` cache (each process's memory by default): losing it loses
nothing, so the app stays stateless.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from zhijiao.models import ContentGeneration

CACHE_ALIAS = "pages"
# Every model of these apps is content some public page shows (historical records included: the
# revert view writes through them). ``zhijiao`` is not one of them: the token lives there.
CONTENT_APPS = frozenset({"issues", "articles", "communities", "taggit"})
HEADER = "X-Page-Cache"
_TOKEN_ROW = 1


def current_token() -> str | None:
    """The content token, or None while there is none (a flushed test database)."""
    return ContentGeneration.objects.filter(pk=_TOKEN_ROW).values_list("token", flat=True).first()


def content_changed() -> None:
    """Retire every cached page: call inside the transaction that changes content."""
    token, now = secrets.token_hex(16), timezone.now()
    if not ContentGeneration.objects.filter(pk=_TOKEN_ROW).update(token=token, changed_at=now):
        ContentGeneration.objects.update_or_create(
            pk=_TOKEN_ROW, defaults={"token": token, "changed_at": now}
        )


def _model_changed(sender, **kwargs) -> None:
    if sender._meta.app_label in CONTENT_APPS:
        content_changed()


def _relation_changed(sender, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        _model_changed(sender)


def connect_signals() -> None:
    """Every save and delete of a content model retires the cached pages (from AppConfig.ready).

    What sends no signal calls ``content_changed`` itself: QuerySet.update(), bulk_create() and
    bulk_update() in the registry loader, the mentions and the search index.
    """
    post_save.connect(_model_changed, dispatch_uid="pagecache_saved")
    post_delete.connect(_model_changed, dispatch_uid="pagecache_deleted")
    m2m_changed.connect(_relation_changed, dispatch_uid="pagecache_relation")


def next_scheduled(now: datetime) -> datetime | None:
    """When the next scheduled issue or article becomes visible by itself, if any is waiting."""
    from articles.models import Article
    from issues.models import Issue, Status

    def scheduled(model):
        waiting = model.objects.filter(status=Status.PUBLISHED, published_at__gt=now)
        return waiting.order_by().values_list("published_at", flat=True)

    return scheduled(Issue).union(scheduled(Article)).order_by("published_at").first()


def _lifetime(now: datetime) -> float:
    """Seconds a page rendered now may be kept: the setting, cut at the next scheduled change."""
    lifetime = float(settings.ZHIJIAO_PAGE_CACHE_SECONDS)
    upcoming = next_scheduled(now)
    if upcoming is not None:
        lifetime = min(lifetime, (upcoming - now).total_seconds())
    return lifetime


def _key(token: str, request: HttpRequest) -> str:
    # Scheme and host too: feeds and sitemaps write absolute links.
    url = request.build_absolute_uri()
    return f"page:{token}:{hashlib.sha256(url.encode()).hexdigest()}"


def _may_use_cache(request: HttpRequest) -> bool:
    return (
        settings.ZHIJIAO_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
    )


def _may_store(request: HttpRequest, response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # The page used a CSRF token: it belongs to this visitor's cookie, not to everyone.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def _replay(stored: tuple[int, bytes, list[tuple[str, str]]]) -> HttpResponse:
    status, content, headers = stored
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    response[HEADER] = "hit"
    return response


def published_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's page from the cache to anonymous readers; see the module's docstring."""

    @wraps(view)
    def cached_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _may_use_cache(request):
            return view(request, *args, **kwargs)
        # The token first, the content after: a page never shows content older than its token.
        token = current_token()
        if token is None:
            return view(request, *args, **kwargs)
        cache = caches[CACHE_ALIAS]
        key = _key(token, request)
        stored = cache.get(key)
        if stored is not None:
            return _replay(stored)
        started = time.monotonic()
        lifetime = _lifetime(timezone.now())
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):  # a TemplateResponse (the sitemap) renders on its way out
            response.render()
        # What is left of the lifetime once rendered; a second or less is not worth storing.
        remaining = math.floor(lifetime - (time.monotonic() - started))
        if remaining >= 1 and _may_store(request, response):
            cache.set(
                key, (response.status_code, response.content, list(response.items())), remaining
            )
            response[HEADER] = "miss"
        return response

    return cached_view
