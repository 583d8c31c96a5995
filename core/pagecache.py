"""Whole published pages, kept for readers who are not staff, and never stale.

A kept page's key holds the content token (``ContentGeneration``), which every unit of content
work replaces as its last write (core/changes.py); readers read the token before the content, so
a commit anywhere retires every kept page at once. Scheduled publication changes pages with no
write at all, so a page is kept no longer than until the next scheduled ``published_at``.
docs/architecture.md gives the whole argument. The pages live in the ``pages`` cache (each
process's memory by default): losing it loses nothing.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from core.models import ContentGeneration
from core.publishing import Publishable, scheduled_q

CACHE_ALIAS = "pages"
HEADER = "X-Page-Cache"
ACCOUNT = re.compile(rb"(<!--account-->).*?(<!--/account-->)", re.DOTALL)
_TOKEN_ROW = 1


def current_token() -> str | None:
    """The content token, or None while there is none (a flushed test database)."""
    return ContentGeneration.read(_TOKEN_ROW)


def retire_pages() -> None:
    """Retire every kept page: replace the content token, in the current transaction.

    Its row stays locked (PostgreSQL) until the commit, so this is a unit's last write
    (core/changes.py): writers never wait for each other's units here, only for a commit.
    """
    ContentGeneration.replace(_TOKEN_ROW)


def next_scheduled(now: datetime) -> datetime | None:
    """When the next scheduled item (an issue, an article) becomes visible by itself, if any."""
    waiting = [
        model.objects.filter(scheduled_q(now)).order_by().values_list("published_at", flat=True)
        for model in apps.get_models()
        if issubclass(model, Publishable)
    ]
    return waiting[0].union(*waiting[1:]).order_by("published_at").first() if waiting else None


def _next_scheduled_for(token: str, now: datetime) -> datetime | None:
    """``next_scheduled(now)``, worked out once per content token in each process: only a unit
    of content work (which replaces the token) can schedule or unschedule anything, so under one
    token the answer changes only when its time has come (and is then worked out again)."""
    cache = caches[CACHE_ALIAS]
    key = f"next-scheduled:{token}"
    kept = cache.get(key)  # a 1-tuple, so that "nothing scheduled" is kept too
    if kept is not None and (kept[0] is None or kept[0] > now):
        return kept[0]
    upcoming = next_scheduled(now)
    cache.set(key, (upcoming,), settings.ZHIJIAO_PAGE_CACHE_SECONDS)
    return upcoming


def _lifetime(token: str, now: datetime) -> float:
    """Seconds a page rendered now may be kept: the setting, cut at the next scheduled change."""
    lifetime = float(settings.ZHIJIAO_PAGE_CACHE_SECONDS)
    upcoming = _next_scheduled_for(token, now)
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
        and not request.user.is_staff
    )


def _may_store(request: HttpRequest, response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # The page used a CSRF token: it belongs to this visitor's cookie, not to everyone.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        # The page used this response's CSP nonce (django-csp makes it when first read), which a
        # stored copy would repeat under other responses' headers.
        and getattr(request, "_csp_nonce", None) is None
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


def _render_as_anonymous(view, request: HttpRequest, *args, **kwargs) -> HttpResponse:
    reader = request.user
    request.user = AnonymousUser()
    try:
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):  # a TemplateResponse (the sitemap) renders on its way out
            response.render()
        return response
    finally:
        request.user = reader


def _personalise(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    """Put the logged-in reader's own account area into the page everybody shares."""
    if request.user.is_authenticated:
        mine = render_to_string("_account.html", request=request).encode()
        response.content = ACCOUNT.sub(lambda m: m[1] + mine + m[2], response.content, count=1)
    return response


def published_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's page from the cache to readers who are not staff; see the module's
    docstring."""

    @wraps(view)
    def cached_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _may_use_cache(request):
            return view(request, *args, **kwargs)
        # The token first, the content after: a page never shows content older than its token.
        # (The kept parts' tokens in the same query, for the render below.)
        with ContentGeneration.as_read() as tokens:
            token = tokens.get(_TOKEN_ROW)
            if token is None:
                return view(request, *args, **kwargs)
            cache = caches[CACHE_ALIAS]
            key = _key(token, request)
            stored = cache.get(key)
            if stored is not None:
                return _personalise(_replay(stored), request)
            started = time.monotonic()
            lifetime = _lifetime(token, timezone.now())
            response = _render_as_anonymous(view, request, *args, **kwargs)
        # What is left of the lifetime once rendered; a second or less is not worth storing.
        remaining = math.floor(lifetime - (time.monotonic() - started))
        if remaining >= 1 and _may_store(request, response):
            cache.set(
                key, (response.status_code, response.content, list(response.items())), remaining
            )
            response[HEADER] = "miss"
        return _personalise(response, request)

    return cached_view
