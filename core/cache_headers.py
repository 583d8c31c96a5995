"""Cache-Control for what readers download (PDFs, the registry's CSV and JSON): a shared cache (a
proxy on the campus network, a CDN) may keep a copy only when the site is open to everyone.

A closed site (``site_is_closed``) serves 内部资料: its middleware makes every
answer ``private``; here, downloads say ``public`` only when the site is open.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_cache_control


def site_is_closed() -> bool:
    """内部资料: only logged-in users, and the campus network, read the site. A network list alone
    closes it too: it says who may read without logging in."""
    return bool(settings.ZHIJIAO_REQUIRE_LOGIN or settings.ZHIJIAO_ALLOWED_NETWORKS)


def patch_reader_cache_control(response: HttpResponse, **kwargs) -> HttpResponse:
    """``public`` on an open site, ``private`` on a closed one, plus ``kwargs`` (max_age …)."""
    visibility = {"private": True} if site_is_closed() else {"public": True}
    patch_cache_control(response, **visibility, **kwargs)
    return response
