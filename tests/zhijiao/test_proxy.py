"""The reverse proxy's trust boundary: X-Forwarded-For and X-Forwarded-Proto count only when the
peer (REMOTE_ADDR) is one of ZHIJIAO_TRUSTED_PROXIES, and then the client is the right-most
forwarded address that is not itself a trusted proxy.

An outsider who talks to gunicorn directly and writes ``X-Forwarded-For: 10.1.2.3`` must neither
pass the campus-network check nor escape django-axes' lockout by changing the header each time
(issue 10, defect 8).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse

from tests.zhijiao.test_outsider import OPEN, OPEN_REDIRECTS, _assert_refused, walk
from zhijiao import access
from zhijiao.access import client_address

pytestmark = pytest.mark.django_db

OUTSIDER = "203.0.113.9"  # TEST-NET-3: never on campus, never a proxy
CAMPUS = "10.1.2.3"
PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def behind_proxy(trusted: list[str] | None = None, **more) -> override_settings:
    """The production settings with ZHIJIAO_BEHIND_PROXY=1 (the tests run without it)."""
    return override_settings(
        ZHIJIAO_BEHIND_PROXY=True,
        SECURE_PROXY_SSL_HEADER=PROXY_SSL_HEADER,
        ZHIJIAO_TRUSTED_PROXIES=trusted if trusted is not None else ["127.0.0.0/8", "::1"],
        **more,
    )


campus_behind_proxy = behind_proxy(
    ZHIJIAO_REQUIRE_LOGIN=False, ZHIJIAO_ALLOWED_NETWORKS=["10.0.0.0/8"]
)


def _address(remote: str, forwarded: str | None = None) -> str:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


# --- the settings ---------------------------------------------------------------------------------


def test_only_loopback_is_trusted_by_default():
    if "ZHIJIAO_TRUSTED_PROXIES" not in os.environ:
        assert settings.ZHIJIAO_TRUSTED_PROXIES == ["127.0.0.0/8", "::1/128"]


def test_the_proxy_middleware_runs_before_anything_reads_the_headers():
    assert settings.MIDDLEWARE[0] == "zhijiao.access.ProxyHeadersMiddleware"
    assert settings.AXES_CLIENT_IP_CALLABLE == "zhijiao.access.client_address"


def _settings_in_a_new_process(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.ZHIJIAO_TRUSTED_PROXIES, s.SECURE_PROXY_SSL_HEADER)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_bad_proxy_address_stops_the_site_at_start():
    result = _settings_in_a_new_process(ZHIJIAO_TRUSTED_PROXIES="127.0.0.1,proxy.example")
    assert result.returncode != 0
    assert "ZHIJIAO_TRUSTED_PROXIES" in result.stderr and "proxy.example" in result.stderr


def test_the_proxy_list_is_read_from_the_environment():
    result = _settings_in_a_new_process(
        ZHIJIAO_BEHIND_PROXY="1", ZHIJIAO_TRUSTED_PROXIES="172.18.0.0/16, fd00::5"
    )
    assert result.returncode == 0, result.stderr
    assert "['172.18.0.0/16', 'fd00::5/128']" in result.stdout
    assert "('HTTP_X_FORWARDED_PROTO', 'https')" in result.stdout


# --- client_address -------------------------------------------------------------------------------


def test_without_the_proxy_setting_the_header_is_never_read():
    with override_settings(ZHIJIAO_BEHIND_PROXY=False):
        assert _address("127.0.0.1", CAMPUS) == "127.0.0.1"
        assert _address(OUTSIDER, CAMPUS) == OUTSIDER


@behind_proxy()
def test_a_header_from_an_untrusted_peer_is_ignored():
    assert _address(OUTSIDER, CAMPUS) == OUTSIDER
    assert _address(OUTSIDER, f"{CAMPUS}, 127.0.0.1") == OUTSIDER
    assert _address("2001:db8::bad", "fd00::1") == "2001:db8::bad"


@behind_proxy()
def test_from_the_proxy_the_client_is_the_address_it_appended():
    assert _address("127.0.0.1", OUTSIDER) == OUTSIDER
    # Whatever the client wrote itself is to the left of what the proxy appended.
    assert _address("127.0.0.1", f"{CAMPUS}, {OUTSIDER}") == OUTSIDER
    assert _address("127.0.0.1", f"{CAMPUS},{OUTSIDER}") == OUTSIDER
    assert _address("127.0.0.1") == "127.0.0.1"  # the proxy's own request (no header)


@behind_proxy(["127.0.0.1/32", "10.0.0.0/24", "fd00:1::/64"])
def test_a_chain_of_proxies_is_walked_from_the_right():
    # client → edge proxy 10.0.0.5 → local proxy 127.0.0.1 → gunicorn
    assert _address("127.0.0.1", f"{CAMPUS}, 198.51.100.7, 10.0.0.5") == "198.51.100.7"
    assert _address("127.0.0.1", "198.51.100.7, 10.0.0.5, 10.0.0.6") == "198.51.100.7"
    assert _address("127.0.0.1", "2001:db8::7, fd00:1::2") == "2001:db8::7"
    # Every hop a trusted proxy: the left-most is the one that started the request.
    assert _address("127.0.0.1", "10.0.0.6, 10.0.0.5") == "10.0.0.6"
    # A peer outside the list is the client, however many proxies it claims.
    assert _address("10.0.1.5", f"{CAMPUS}, 10.0.0.5") == "10.0.1.5"


@behind_proxy()
@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("", "127.0.0.1"),
        (" ", "127.0.0.1"),
        (",,,", "127.0.0.1"),
        ("unknown", "127.0.0.1"),
        ("garbage", "127.0.0.1"),
        # An unreadable entry ends the walk: nothing to its left is believed.
        (f"{CAMPUS}, garbage", "127.0.0.1"),
        (f"{CAMPUS}, unknown", "127.0.0.1"),
        (f"{CAMPUS} {OUTSIDER}", "127.0.0.1"),
        (f"{CAMPUS};{OUTSIDER}", "127.0.0.1"),
        ("999.1.2.3", "127.0.0.1"),
        ("10.1.2.3/8", "127.0.0.1"),
        ("010.1.2.3", "127.0.0.1"),
        ("0x0a.1.2.3", "127.0.0.1"),
        ("１０.1.2.3", "127.0.0.1"),  # full-width digits
        ("10.1.2.3\x00", "127.0.0.1"),
        ("[10.1.2.3", "127.0.0.1"),
        ("[fd00::1", "127.0.0.1"),
        ("fd00::1]:80", "127.0.0.1"),
        ("10.1.2.3:port", "127.0.0.1"),
        ("10.1.2.3:99999", "127.0.0.1"),
        pytest.param("10.1.2.3:" + "9" * 5000, "127.0.0.1", id="5000-digit-port"),
        ("fe80::1%eth0", "127.0.0.1"),
        ("[fe80::1%eth0]:80", "127.0.0.1"),
        pytest.param("x" * 10_000, "127.0.0.1", id="10000-characters"),
        # Forms proxies really send.
        (f" {OUTSIDER} ", OUTSIDER),
        (f"{OUTSIDER},", OUTSIDER),
        (f"{CAMPUS}, , {OUTSIDER}", OUTSIDER),
        (f"{OUTSIDER}:4711", OUTSIDER),
        ("[2001:db8::9]:443", "2001:db8::9"),
        ("[2001:db8::9]", "2001:db8::9"),
        ("2001:DB8::9", "2001:db8::9"),
        ("::ffff:203.0.113.9", OUTSIDER),
        pytest.param(", ".join(["127.0.0.1"] * 500 + [OUTSIDER]), OUTSIDER, id="500-hops"),
    ],
)
def test_malformed_values_never_make_up_a_client(forwarded, expected):
    assert _address("127.0.0.1", forwarded) == expected


@behind_proxy()
def test_ipv6_and_mapped_loopback_peers_are_the_proxy():
    assert _address("::1", "2001:db8::7") == "2001:db8::7"
    assert _address("::ffff:127.0.0.1", OUTSIDER) == OUTSIDER  # a dual-stack socket
    assert _address("::2", "2001:db8::7") == "::2"


@behind_proxy()
def test_a_unix_socket_peer_is_the_proxy():
    # gunicorn bound to unix:/run/… sets an empty REMOTE_ADDR: only who may open the socket file
    # reaches it, which is the proxy (gunicorn's own forwarded_allow_ips treats it so too).
    assert _address("", OUTSIDER) == OUTSIDER
    assert _address("", f"{CAMPUS}, {OUTSIDER}") == OUTSIDER


@pytest.mark.parametrize("proxy", [True, False])
def test_an_unknown_client_is_still_an_address(proxy):
    """django-axes ignores an empty address (its lookup becomes ``ip_address = NULL``): with one,
    failures would never add up. 0.0.0.0 stands for "not known"."""
    with behind_proxy(), override_settings(ZHIJIAO_BEHIND_PROXY=proxy):
        assert _address("") == "0.0.0.0"
        assert _address("", "garbage") == "0.0.0.0"
        assert _address("not-an-address", CAMPUS) == "0.0.0.0"
        assert _address("fe80::1%eth0") == "fe80::1"  # a link-local peer, as the server names it


@pytest.mark.parametrize("proxy", [True, False])
def test_the_lockout_holds_for_a_client_whose_address_is_unknown(client, teacher, proxy):
    with behind_proxy(), override_settings(ZHIJIAO_BEHIND_PROXY=proxy):
        codes = [_login(client, "wrong", "", "").status_code for _ in range(8)]
        _assert_locked_after_the_limit(codes)


@behind_proxy()
def test_a_proxy_that_is_not_trusted_cannot_vouch_for_anyone():
    with override_settings(ZHIJIAO_TRUSTED_PROXIES=[]):
        assert _address("127.0.0.1", CAMPUS) == "127.0.0.1"


# --- the headers themselves -----------------------------------------------------------------------


def _through_middleware(remote: str, **headers: str) -> dict:
    seen = {}

    def view(request):
        seen.update(request.META)
        seen["is_secure"] = request.is_secure()
        return HttpResponse()

    access.ProxyHeadersMiddleware(view)(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))
    return seen


FORWARDED_HEADERS = {
    "HTTP_X_FORWARDED_FOR": CAMPUS,
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_X_FORWARDED_HOST": "evil.example",
    "HTTP_FORWARDED": f"for={CAMPUS};proto=https",
}


@behind_proxy()
def test_forwarded_headers_from_an_untrusted_peer_are_dropped():
    meta = _through_middleware(OUTSIDER, **FORWARDED_HEADERS)
    assert not set(FORWARDED_HEADERS) & set(meta)
    assert meta["is_secure"] is False


@behind_proxy()
def test_forwarded_headers_from_the_proxy_are_kept():
    meta = _through_middleware("127.0.0.1", **FORWARDED_HEADERS)
    assert meta["HTTP_X_FORWARDED_FOR"] == CAMPUS
    assert meta["is_secure"] is True


def test_without_the_proxy_setting_forwarded_headers_are_dropped():
    with override_settings(ZHIJIAO_BEHIND_PROXY=False):
        meta = _through_middleware("127.0.0.1", **FORWARDED_HEADERS)
    assert not set(FORWARDED_HEADERS) & set(meta)


@behind_proxy(SECURE_SSL_REDIRECT=True)
def test_an_outsider_cannot_claim_https(client):
    home = reverse("issues:home")
    direct = client.get(home, REMOTE_ADDR=OUTSIDER, HTTP_X_FORWARDED_PROTO="https")
    assert direct.status_code == 301 and direct["Location"].startswith("https://")
    proxied = client.get(home, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200


# --- the campus network ---------------------------------------------------------------------------


@campus_behind_proxy
def test_a_spoofed_campus_address_opens_no_url(client):
    """The attack: straight to gunicorn with ``X-Forwarded-For: 10.1.2.3``."""
    leaves = walk()
    for leaf in leaves:
        response = client.get(leaf.path, REMOTE_ADDR=OUTSIDER, HTTP_X_FORWARDED_FOR=CAMPUS)
        if leaf.name in OPEN:
            assert response.status_code == 200, leaf.route
            continue
        if leaf.name in OPEN_REDIRECTS:
            assert response["Location"].startswith(settings.STATIC_URL), leaf.route
            continue
        _assert_refused(leaf, response)
        body = response.content.decode(errors="replace")
        assert "2024" not in body and "共同体" not in body, leaf.route


@campus_behind_proxy
def test_through_the_proxy_only_the_appended_address_counts(client):
    home = reverse("issues:home")
    assert client.get(home, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=CAMPUS).status_code == 200
    spoofed = client.get(
        home, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{CAMPUS}, {OUTSIDER}"
    )
    assert spoofed.status_code == 302
    garbled = client.get(home, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{CAMPUS}, bogus")
    assert garbled.status_code == 302


@behind_proxy(
    ["127.0.0.1", "10.0.0.5"], ZHIJIAO_REQUIRE_LOGIN=True, ZHIJIAO_ALLOWED_NETWORKS=["10.0.0.0/8"]
)
def test_a_proxy_on_campus_does_not_let_its_clients_in(client):
    home = reverse("issues:home")
    outside = client.get(home, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=OUTSIDER)
    assert outside.status_code == 302
    inside = client.get(home, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=f"{OUTSIDER}, {CAMPUS}")
    assert inside.status_code == 200


# --- the login lockout (django-axes) --------------------------------------------------------------


def _login(client, password: str, remote: str, forwarded: str):
    return client.post(
        reverse("login"),
        {"username": "teacher", "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def _assert_locked_after_the_limit(codes: list[int]) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    assert codes[: limit - 1] == [200] * (limit - 1), codes  # the form again, with its error
    assert set(codes[limit - 1 :]) == {429}, codes


@campus_behind_proxy
def test_rotating_the_header_straight_to_the_app_does_not_escape_the_lockout(client, teacher):
    codes = [_login(client, "wrong", OUTSIDER, f"10.1.2.{n}").status_code for n in range(1, 13)]
    _assert_locked_after_the_limit(codes)
    right = _login(client, "pw", OUTSIDER, "10.9.9.9")
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


@campus_behind_proxy
def test_rotating_the_own_part_of_the_header_behind_the_proxy_does_not_either(client, teacher):
    codes = [
        _login(client, "wrong", "127.0.0.1", f"10.1.2.{n}, {OUTSIDER}").status_code
        for n in range(1, 13)
    ]
    _assert_locked_after_the_limit(codes)
    assert _login(client, "pw", "127.0.0.1", f"10.9.9.9, {OUTSIDER}").status_code == 429
    assert "_auth_user_id" not in client.session
    # The lockout is the outsider's, not the proxy's: another client through it logs in.
    assert _login(client, "pw", "127.0.0.1", "198.51.100.20").status_code == 302


@behind_proxy()
def test_the_lockout_holds_over_ipv6_too(client, teacher):
    codes = [
        _login(client, "wrong", "::1", f"2001:db8::{n:x}, 2001:db8:1::9").status_code
        for n in range(1, 13)
    ]
    _assert_locked_after_the_limit(codes)
    assert _login(client, "pw", "::1", "[2001:db8:1::9]:5000").status_code == 429
    assert _login(client, "pw", "::1", "2001:db8:1::10").status_code == 302


@behind_proxy()
def test_garbage_in_the_header_does_not_escape_the_lockout(client, teacher):
    codes = [
        _login(client, "wrong", "127.0.0.1", f"bogus-{n}, 203.0.113.{n}x").status_code
        for n in range(1, 13)
    ]
    _assert_locked_after_the_limit(codes)
