"""Whole published pages, kept for readers: anonymous visitors and logged-in teachers.

Why: a page costs 11–33 ms to render and most readers read the same few pages, so
rendering each page once per change instead of once per request is what lets the site carry a
school's worth of readers on two cores (bench/load.py).

Never stale, by construction rather than by expiry:

* The key of a stored page holds the **content token**, one row in the database
  (``ContentGeneration``) that every change to content (drafts included: simpler than knowing what
  each draft touches) replaces with a new random value, inside the change's own transaction
  (``content_changed``: signal receivers for the content models, and explicit calls from the code
  that writes in bulk). Readers on every process and machine read the token first, so a change
  made anywhere retires every stored page at its commit. The token is random rather than a counter
  so that a rolled-back change can never reuse it.
* Scheduled publication changes pages with no write at all, so a page is kept no longer than until
  the next scheduled ``published_at``, read before the page is rendered.
* Only GET/HEAD answers that are 200, not streamed and set no cookie are stored, and always as an
  anonymous visitor sees them. Staff (editors preview drafts on these pages) always get a fresh
  page; closed-site outsiders get none, the access middleware turns them away before any view.
* A teacher who is logged in (no staff rights, so no drafts: the same content as anyone) gets the
  stored page with its one personal part, the account area between ``<!--account-->`` markers in
  base.html (name, logout form and its CSRF token), rendered for them. With ZHIJIAO_REQUIRE_LOGIN
  every reader is such a teacher.

The pages themselves live in the ``pages`` cache (each process's memory by default): losing it loses
nothing, so the app stays stateless.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import time
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.db.models.signals import m2m_changed, pre_delete, pre_save
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from zhijiao.models import ContentGeneration

CACHE_ALIAS = "pages"
# The models whose rows the public pages show. Derived tables are not here: their writers call
# ``content_changed`` themselves (the search index, the mentions), and history records are written
# by the saves that signal here (a revert or a restore saves the model itself).
CONTENT_MODELS = (
    "issues.Issue",
    "issues.Section",
    "articles.Article",
    "articles.Attachment",
    "communities.Registry",
    "communities.Organization",
    "communities.Community",
    "communities.LeadUnit",
    "taggit.Tag",
    "taggit.TaggedItem",
)
HEADER = "X-Page-Cache"
ACCOUNT = re.compile(rb"(<!--account-->).*?(<!--/account-->)", re.DOTALL)
_TOKEN_ROW = 1


def current_token() -> str | None:
    """The content token, or None while there is none (a flushed test database)."""
    return ContentGeneration.objects.filter(pk=_TOKEN_ROW).values_list("token", flat=True).first()


def content_changed() -> None:
    """Retire every cached page. Call inside the transaction that changes content, before its
    first write or row lock.

    The token's row stays locked (PostgreSQL) until the transaction ends, so content writers take
    turns from here on. Taking it first, before any content row, keeps that order the same in every
    transaction, so two of them never wait for each other (a deadlock); SQLite's IMMEDIATE
    transactions take turns anyway.
    """
    token, now = secrets.token_hex(16), timezone.now()
    if not ContentGeneration.objects.filter(pk=_TOKEN_ROW).update(token=token, changed_at=now):
        # Only a database flushed since its migration (tests) lacks the row.
        ContentGeneration.objects.bulk_create(
            [ContentGeneration(pk=_TOKEN_ROW, token=token, changed_at=now)],
            ignore_conflicts=True,
        )
        ContentGeneration.objects.filter(pk=_TOKEN_ROW).update(token=token, changed_at=now)


def _model_changing(sender, **kwargs) -> None:
    content_changed()


def _relation_changing(sender, action: str, **kwargs) -> None:
    if action.startswith("pre_"):
        content_changed()


def connect_signals() -> None:
    """Every save and delete of a content model retires the cached pages (from AppConfig.ready).

    On pre_save and pre_delete, not post_: the token is then taken before the row (see
    ``content_changed``). What sends no signal calls ``content_changed`` itself: the search index's
    and the mentions' bulk writes, and whatever locks rows before it saves them (the importer, the
    registry loader, the edit-conflict check).
    """
    for label in CONTENT_MODELS:
        model = apps.get_model(label)
        pre_save.connect(_model_changing, sender=model, dispatch_uid=f"pagecache_save_{label}")
        pre_delete.connect(_model_changing, sender=model, dispatch_uid=f"pagecache_del_{label}")
    tagged = apps.get_model("taggit.TaggedItem")
    m2m_changed.connect(_relation_changing, sender=tagged, dispatch_uid="pagecache_tags")


def next_scheduled(now: datetime) -> datetime | None:
    """When the next scheduled issue or article becomes visible by itself, if any is waiting."""
    from articles.models import Article
    from issues.models import Issue, scheduled_q

    def scheduled(model):
        waiting = model.objects.filter(scheduled_q(now))
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
        token = current_token()
        if token is None:
            return view(request, *args, **kwargs)
        cache = caches[CACHE_ALIAS]
        key = _key(token, request)
        stored = cache.get(key)
        if stored is not None:
            return _personalise(_replay(stored), request)
        started = time.monotonic()
        lifetime = _lifetime(timezone.now())
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
