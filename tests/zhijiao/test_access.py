"""ZHIJIAO_REQUIRE_LOGIN and ZHIJIAO_ALLOWED_NETWORKS: who may read the 内部资料."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse

from zhijiao.access import AccessMiddleware, parse_networks

pytestmark = pytest.mark.django_db

PAGES = [
    reverse("issues:home"),
    reverse("issues:detail", args=[2024, 2]),
    reverse("communities:list"),
    reverse("communities:csv"),
    reverse("articles:feed"),
    reverse("sitemap"),
]
API = [reverse("api:issues"), reverse("api:communities"), reverse("api:schema")]
login_required = override_settings(ZHIJIAO_REQUIRE_LOGIN=True, ZHIJIAO_ALLOWED_NETWORKS=[])


def test_open_by_default(client):
    for url in PAGES + API:
        assert client.get(url).status_code == 200, url


@login_required
def test_pages_redirect_to_the_chinese_login_page(client):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next=")
    page = client.get(reverse("login"))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="zh-CN">' in html and "<h1>登录</h1>" in html and "用户名" in html


@login_required
def test_api_answers_403_in_json(client):
    for url in API:
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json()["detail"]


@login_required
def test_logged_in_teacher_reads_everything(client, teacher):
    client.force_login(teacher)
    for url in PAGES + API:
        assert client.get(url).status_code == 200, url


@login_required
def test_login_form_logs_in_and_returns_to_the_page(client, teacher):
    target = reverse("issues:detail", args=[2024, 2])
    response = client.post(
        reverse("login"), {"username": "teacher", "password": "pw", "next": target}
    )
    assert response.status_code == 302 and response["Location"] == target
    assert client.get(target).status_code == 200


@login_required
def test_wrong_password_shows_a_chinese_error(client, teacher):
    response = client.post(reverse("login"), {"username": "teacher", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


@login_required
def test_health_check_static_files_and_admin_login_stay_open(client):
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get("/static/css/site.css").status_code in (200, 404)  # served, never redirected
    assert client.get(reverse("admin:login")).status_code == 200


@override_settings(ZHIJIAO_REQUIRE_LOGIN=True, ZHIJIAO_ALLOWED_NETWORKS=["10.0.0.0/8", "fd00::/8"])
def test_campus_network_reads_without_login(client):
    for address in ("10.1.2.3", "fd00::1"):
        for url in PAGES + API:
            assert client.get(url, REMOTE_ADDR=address).status_code == 200, (address, url)
    assert client.get(PAGES[0], REMOTE_ADDR="192.168.1.5").status_code == 302
    assert client.get(API[0], REMOTE_ADDR="192.168.1.5").status_code == 403


@override_settings(
    ZHIJIAO_REQUIRE_LOGIN=True,
    ZHIJIAO_ALLOWED_NETWORKS=["10.0.0.0/8"],
    ZHIJIAO_BEHIND_PROXY=True,
    ZHIJIAO_TRUSTED_PROXIES=["10.0.0.1"],
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_behind_the_proxy_the_forwarded_address_counts(client):
    home = PAGES[0]
    # The proxy is on campus, the visitor is not: the proxy's own address must not let them in.
    outside = client.get(home, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert outside.status_code == 302
    inside = client.get(home, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.2.3.4")
    assert inside.status_code == 200
    # Only the listed proxy is believed (tests/zhijiao/test_proxy.py: the whole trust boundary).
    direct = client.get(home, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.2.3.4")
    assert direct.status_code == 302


def test_a_bad_network_fails_loudly():
    with pytest.raises(ImproperlyConfigured, match="ZHIJIAO_ALLOWED_NETWORKS"):
        parse_networks(("10.0.0.0/8", "campus"))
    with (
        override_settings(ZHIJIAO_ALLOWED_NETWORKS=["not-a-network"]),
        pytest.raises(ImproperlyConfigured),
    ):
        AccessMiddleware(lambda request: None)


@override_settings(ZHIJIAO_REQUIRE_LOGIN=False, ZHIJIAO_ALLOWED_NETWORKS=["10.0.0.0/8"])
@pytest.mark.django_db
def test_a_network_list_alone_closes_the_site_to_other_networks(client):
    assert client.get("/", REMOTE_ADDR="10.1.2.3").status_code == 200
    response = client.get("/", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
