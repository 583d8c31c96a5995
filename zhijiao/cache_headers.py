"""Cache-Control for what readers download (PDFs, the registry's CSV and JSON): a shared cache (a
proxy on the campus network, a CDN) may keep a copy only when the site is open to everyone.

A closed site (``zhijiao.access.site_is_closed``) serves 内部资料: its middleware makes every
answer ``private``; here, downloads say ``public`` only when the site is open.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from zhijiao.access import site_is_closed


def patch_reader_cache_control(response: HttpResponse, **kwargs) -> HttpResponse:
    """``public`` on an open site, ``private`` on a closed one, plus ``kwargs`` (max_age …)."""
    visibility = {"private": True} if site_is_closed() else {"public": True}
    patch_cache_control(response, **visibility, **kwargs)
    return response
