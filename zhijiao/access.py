"""Who may read the site: everyone, or (``ZHIJIAO_REQUIRE_LOGIN``) only logged-in users and
visitors from the campus network (``ZHIJIAO_ALLOWED_NETWORKS``).

The newsletter is 内部资料. One middleware guards every page and the API, so a new view cannot
forget it. Left open: the health check (load balancers), static files (the login page needs its
stylesheet), the login page itself, and the admin, which has its own login and staff check.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def parse_networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    """The CIDR list as networks; a value that is not one stops the site at start-up."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"ZHIJIAO_ALLOWED_NETWORKS: {value!r} is not a network such as 10.0.0.0/8"
            ) from None
    return tuple(networks)


def _allowed_networks() -> tuple[Network, ...]:
    return parse_networks(tuple(settings.ZHIJIAO_ALLOWED_NETWORKS))


def client_address(request: HttpRequest) -> str:
    """The visitor's address. Behind the reverse proxy (the settings then trust its
    X-Forwarded-Proto, see ZHIJIAO_BEHIND_PROXY) REMOTE_ADDR is the proxy's own, and the last
    X-Forwarded-For entry is the one the proxy appended; earlier entries are the client's word."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def from_allowed_network(request: HttpRequest) -> bool:
    networks = _allowed_networks()
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in network for network in networks)


def _open_paths() -> Iterable[str]:
    return (
        reverse("healthz"),
        "/" + settings.STATIC_URL.lstrip("/"),
        reverse("login"),
        reverse("admin:index"),
    )


# The JSON API answers a refusal in JSON; a browser gets the login page.
API_PREFIX = "/api/"


class AccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        _allowed_networks()  # a bad network list fails when the site starts, not on a request

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A network list alone closes the site too: it says who may read without logging in.
        closed = settings.ZHIJIAO_REQUIRE_LOGIN or bool(settings.ZHIJIAO_ALLOWED_NETWORKS)
        if (
            closed
            and not request.user.is_authenticated
            and not request.path.startswith(tuple(_open_paths()))
            and not from_allowed_network(request)
        ):
            if request.path.startswith(API_PREFIX):
                return JsonResponse({"detail": "需要登录（内部资料）"}, status=403)
            return redirect_to_login(request.get_full_path(), reverse("login"))
        return self.get_response(request)
