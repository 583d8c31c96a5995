"""Who may read the site: everyone, or (``ZHIJIAO_REQUIRE_LOGIN``) only logged-in users and
visitors from the campus network (``ZHIJIAO_ALLOWED_NETWORKS``).

The newsletter is 内部资料. One middleware guards every page and the API, so a new view cannot
forget it. Left open: the health check (load balancers), static files (the login page needs its
stylesheet), the login page itself, and the admin, which has its own login and staff check.

The client's address is read in one place, ``client_address``, by the network check and by
django-axes' login lockout alike. Behind the reverse proxy (``ZHIJIAO_BEHIND_PROXY``) the
forwarded headers are believed only from a peer in ``ZHIJIAO_TRUSTED_PROXIES``: anyone who reaches
gunicorn directly can write ``X-Forwarded-For: 10.1.2.3``. ``ProxyHeadersMiddleware`` drops them
from every other peer before Django or anything else reads them (Django's
``SECURE_PROXY_SSL_HEADER`` would believe any ``X-Forwarded-Proto``).
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
from django.utils.cache import patch_cache_control

from core.cache_headers import site_is_closed

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def parse_networks(
    values: tuple[str, ...], setting: str = "ZHIJIAO_ALLOWED_NETWORKS"
) -> tuple[Network, ...]:
    """The CIDR list as networks; a value that is not one stops the site at start-up."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{setting}: {value!r} is not a network such as 10.0.0.0/8"
            ) from None
    return tuple(networks)


def _allowed_networks() -> tuple[Network, ...]:
    return parse_networks(tuple(settings.ZHIJIAO_ALLOWED_NETWORKS))


def _trusted_proxies() -> tuple[Network, ...]:
    return parse_networks(tuple(settings.ZHIJIAO_TRUSTED_PROXIES), "ZHIJIAO_TRUSTED_PROXIES")


def parse_address(text: str) -> Address | None:
    """One address as a proxy writes it (``203.0.113.9``, ``203.0.113.9:4711``, ``2001:db8::9``,
    ``[2001:db8::9]:443``), IPv4-mapped IPv6 as IPv4; None for anything else (a zone such as
    ``fe80::1%eth0`` too: it means nothing beyond one host, and PostgreSQL's inet refuses it)."""
    text, port = text.strip(), None
    if "%" in text:
        return None
    if text.startswith("["):  # [IPv6] or [IPv6]:port
        text, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        port = rest[1:] if rest else None
    elif text.count(":") == 1:  # IPv4:port
        text, _, port = text.partition(":")
    if port is not None and not (
        port.isascii() and port.isdigit() and len(port) <= 5 and int(port) < 65536
    ):
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _in(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the peer that sent this request is our reverse proxy. An empty REMOTE_ADDR is
    gunicorn on a Unix socket: only who may open the socket file reaches it."""
    if not settings.ZHIJIAO_BEHIND_PROXY:
        return False
    peer = request.META.get("REMOTE_ADDR", "")
    if peer == "":
        return True
    address = parse_address(peer.partition("%")[0])
    return address is not None and _in(address, _trusted_proxies())


# The client when no address is known (gunicorn on a Unix socket and no X-Forwarded-For; a
# REMOTE_ADDR that is no address): still an address, because django-axes ignores an empty one (its
# lookup becomes ``ip_address = NULL``) and would never count those failures.
UNKNOWN = "0.0.0.0"


def client_address(request: HttpRequest) -> str:
    """The visitor's address, for the network check and for django-axes (AXES_CLIENT_IP_CALLABLE).

    REMOTE_ADDR, unless that is a trusted proxy. Then each proxy has appended the address it was
    talking to, so X-Forwarded-For is read from the right: the first address that is not itself a
    trusted proxy is the client; everything to its left is the client's own word. An entry that
    is not an address ends the walk at the last hop that could be checked, never beyond it."""
    # The server writes REMOTE_ADDR: a link-local peer keeps its zone (fe80::1%eth0) there.
    client = parse_address(request.META.get("REMOTE_ADDR", "").partition("%")[0])
    if from_trusted_proxy(request):
        trusted = _trusted_proxies()
        for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            if not entry.strip():
                continue  # an empty list element (RFC 9110 §5.6.1) says nothing
            address = parse_address(entry)
            if address is None:
                break
            client = address
            if not _in(address, trusted):
                break
    return str(client) if client is not None else UNKNOWN


def from_allowed_network(request: HttpRequest) -> bool:
    networks = _allowed_networks()
    if not networks:
        return False
    address = parse_address(client_address(request))
    return address is not None and str(address) != UNKNOWN and _in(address, networks)


def _open_paths() -> Iterable[str]:
    return (
        reverse("healthz"),
        reverse("favicon"),
        "/" + settings.STATIC_URL.lstrip("/"),
        reverse("login"),
        reverse("admin:index"),
    )


# What a proxy tells about the request; believed only from a trusted proxy.
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
    "HTTP_X_REAL_IP",
)


class ProxyHeadersMiddleware:
    """First in MIDDLEWARE: the forwarded headers of a peer that is not a trusted proxy are
    removed, so that Django's SECURE_PROXY_SSL_HEADER (is_secure, the HTTPS redirect, CSRF) and
    any library that reads them see only what the proxy wrote."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        _trusted_proxies()  # a bad proxy list fails when the site starts, not on a request

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not from_trusted_proxy(request):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


# The JSON API answers a refusal in JSON; a browser gets the login page.
API_PREFIX = "/api/"


class AccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        _allowed_networks()  # a bad network list fails when the site starts, not on a request

    def __call__(self, request: HttpRequest) -> HttpResponse:
        closed = site_is_closed()
        if (
            closed
            and not request.user.is_authenticated
            and not request.path.startswith(tuple(_open_paths()))
            and not from_allowed_network(request)
        ):
            if request.path.startswith(API_PREFIX):
                return JsonResponse({"detail": "需要登录（内部资料）"}, status=403)
            return redirect_to_login(request.get_full_path(), reverse("login"))
        response = self.get_response(request)
        if closed:
            # No shared cache (a campus proxy, a CDN) may keep 内部资料 and hand it to the next
            # visitor without asking the site: every answer of a closed site is private.
            patch_cache_control(response, private=True)
        return response
