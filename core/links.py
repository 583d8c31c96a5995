"""``reverse()`` once per address: the URL patterns do not change while the process runs, and a
list page links to hundreds of objects (each ``get_absolute_url``), which Django works out anew
every time."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse

__all__ = ["Linked", "reverse"]


@lru_cache(maxsize=16384)
def _reverse(urlconf: str, prefix: str, name: str, args: tuple, kwargs: tuple) -> str:
    return django_reverse(name, urlconf=urlconf, args=args, kwargs=dict(kwargs))


def reverse(name: str, args: tuple = (), kwargs: dict | None = None) -> str:
    """django.urls.reverse for a view name with hashable arguments, cached per URLconf and
    script prefix (both can differ per request or test)."""
    return _reverse(
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        name,
        tuple(args),
        tuple(sorted((kwargs or {}).items())),
    )


class Linked:
    """For plain values a template links to as it links to a model (``get_absolute_url()``):
    the value's own ``url``, worked out when the value was made."""

    url: str

    def get_absolute_url(self) -> str:
        return self.url
