"""Production hardening: check --deploy, security headers, the Content-Security-Policy (no inline
script without the nonce), login rate limiting (django-axes) and the configurable admin path."""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from articles.models import Article
from issues.models import Issue
from tests.seeds import SEED_COMMUNITY

# Only the tests that ask the site for pages or log in touch the database (and so run again on
# PostgreSQL, tests/conftest.py); check --deploy and the settings' own checks do not.
db = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)

# What the README's production section sets; check --deploy must be clean with exactly this.
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "zhijiao.example.edu.cn,localhost",
    "ZHIJIAO_HSTS": "1",
    "SECURE_SSL_REDIRECT": "1",
    "ZHIJIAO_BEHIND_PROXY": "1",
}
# Only what production has: not the test run's own variables (DJANGO_ALLOW_ASYNC_UNSAFE from the
# browser tests, fast hashing, plain static storage…).
_KEPT = ("PATH", "HOME", "LANG", "ZHIJIAO_VAR_DIR", "DATABASE_URL")


def _check_deploy(**extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k in _KEPT}
    env.update(PRODUCTION_ENV, **extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _check_deploy()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_check_deploy_is_clean_with_the_shortest_key_the_site_accepts():
    # 50 characters, 5 different ones: exactly what security.W009 asks, and what settings ask.
    result = _check_deploy(SECRET_KEY="abcde" * 10)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "security.W009" not in output


def test_a_key_check_deploy_would_warn_about_stops_the_site():
    """A random 40-character key passed the old 32-character rule and drew security.W009."""
    result = _check_deploy(SECRET_KEY=secrets.token_urlsafe(30))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "security.W009" not in output  # refused before any check runs, with our message
    assert "ImproperlyConfigured" in output and "SECRET_KEY" in output and "50" in output


def test_check_deploy_warns_without_hsts_and_redirect():
    """HSTS and the HTTPS redirect are off unless production turns them on (a site first reached
    over plain HTTP must not be pinned to HTTPS by accident); check --deploy says so."""
    result = _check_deploy(ZHIJIAO_HSTS="0", SECURE_SSL_REDIRECT="0")
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout
    assert "security.W008" in result.stderr + result.stdout


# --- headers --------------------------------------------------------------------------------------


@db
def test_security_headers_on_a_page(client):
    response = client.get(reverse("issues:home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_cookies_are_secure_in_production_settings():
    # The tests run with DEBUG off, as production does.
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY


# --- Content-Security-Policy ----------------------------------------------------------------------


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*\s(on[a-z]+)\s*=", re.S)
_DATA_TYPES = {"application/json", "application/ld+json", "importmap-data"}


def assert_no_inline_script_without_nonce(response, where: str) -> None:
    policy = _policy(response)
    scripts = policy.get("script-src", policy.get("default-src"))
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, where
    nonces = {s[len("'nonce-") : -1] for s in scripts if s.startswith("'nonce-")}
    html = response.content.decode()
    for attributes, body in _SCRIPT.findall(html):
        if re.search(r"\ssrc\s*=", attributes):
            continue
        kind = re.search(r'type\s*=\s*"([^"]*)"', attributes)
        if kind and kind.group(1) in _DATA_TYPES:
            continue  # data, never run
        nonce = re.search(r'nonce\s*=\s*"([^"]*)"', attributes)
        assert nonce and nonce.group(1) in nonces, (where, attributes, body[:80])
    assert not _EVENT_HANDLER.search(html), (where, _EVENT_HANDLER.search(html).group(0))
    assert "javascript:" not in html.lower(), where


@db
def test_the_policy_allows_no_inline_script(client):
    policy = _policy(client.get(reverse("issues:home")))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert all(s == "'self'" or s.startswith("'nonce-") for s in policy["script-src"])
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]


def _public_pages() -> list[str]:
    article = Article.objects.published().select_related("issue").first()
    return [
        reverse("issues:home"),
        reverse("issues:archive"),
        reverse("issues:detail", args=[2024, 2]),
        article.get_absolute_url(),
        reverse("articles:index"),
        reverse("communities:list"),
        reverse("communities:detail", args=[SEED_COMMUNITY]),
        reverse("search:results") + "?q=职业教育",
        reverse("pdf:print", kwargs={"year": 2024, "number": 2}),
        reverse("login"),
        reverse("admin:login"),
    ]


@db
def test_site_pages_render_under_the_policy(client):
    for url in _public_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Content-Security-Policy" in response, url
        assert_no_inline_script_without_nonce(response, url)


@db
def test_swagger_ui_runs_its_script_with_the_nonce(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    assert_no_inline_script_without_nonce(response, "api:docs")
    html = response.content.decode()
    nonce = re.search(r"<script nonce=\"([^\"]+)\">", html)
    assert nonce, "Swagger UI's start-up script lost its nonce"
    assert f"'nonce-{nonce.group(1)}'" in response["Content-Security-Policy"]
    # Its assets come from the sidecar package on this host, not a CDN.
    for src in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html):
        assert src.startswith("/"), src
    assert client.get(reverse("api:schema")).status_code == 200  # what the page then fetches


@db
def test_admin_pages_render_under_the_policy(client, superuser):
    client.force_login(superuser)
    issue = Issue.objects.get(year=2024, number=2)
    article = Article.objects.order_by("pk").first()
    urls = [
        reverse("admin:index"),
        reverse("admin:issues_issue_changelist"),
        reverse("admin:issues_issue_change", args=[issue.pk]),
        reverse("admin:issues_issue_import"),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:articles_article_add"),
        reverse("admin:communities_community_changelist"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:password_change"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_inline_script_without_nonce(response, url)


@db
def test_each_response_gets_a_new_nonce(client):
    first = _policy(client.get(reverse("api:docs")))["script-src"]
    second = _policy(client.get(reverse("api:docs")))["script-src"]
    assert first != second


# --- login rate limiting (django-axes) ------------------------------------------------------------


def _fail(client, url: str, username: str, address: str = "192.0.2.10"):
    return client.post(url, {"username": username, "password": "wrong"}, REMOTE_ADDR=address)


@db
@pytest.mark.parametrize("login", ["login", "admin:login"])
def test_login_is_locked_after_the_failure_limit(client, request, teacher, superuser, login):
    url = reverse(login)
    user = "root" if login == "admin:login" else "teacher"
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(1, limit):
        assert _fail(client, url, user).status_code == 200, attempt  # the form again, with an error
    assert _fail(client, url, user).status_code == 429  # the limit-th failure locks
    # Locked: even the right password is refused from that address for that user.
    right = client.post(url, {"username": user, "password": "pw"}, REMOTE_ADDR="192.0.2.10")
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    # Per user and address: the same user from another address, another user from this one, log in.
    other = client.post(url, {"username": user, "password": "pw"}, REMOTE_ADDR="192.0.2.99")
    assert other.status_code == 302
    client.logout()
    request.getfixturevalue("chief")  # staff, so the admin login takes them too
    same = client.post(url, {"username": "chief", "password": "pw"}, REMOTE_ADDR="192.0.2.10")
    assert same.status_code == 302
    client.logout()


def test_the_failure_limit_defaults_to_five():
    if "AXES_FAILURE_LIMIT" not in os.environ:
        assert settings.AXES_FAILURE_LIMIT == 5


@db
def test_a_success_resets_the_count(client, teacher):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _fail(client, url, "teacher")
    ok = client.post(url, {"username": "teacher", "password": "pw"}, REMOTE_ADDR="192.0.2.10")
    assert ok.status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _fail(client, url, "teacher").status_code == 200


@db
def test_force_login_is_not_counted(client, teacher):
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        client.force_login(teacher)
        assert client.get(reverse("password_change")).status_code == 200
        client.logout()


# --- the admin path -------------------------------------------------------------------------------


def _urlconf_with_admin_at(path: str) -> str:
    """zhijiao/urls.py loaded afresh, as a separate module, with ZHIJIAO_ADMIN_PATH = path."""
    name = "tests_zhijiao_urls_" + path.strip("/")
    if name not in sys.modules:
        spec = importlib.util.find_spec("zhijiao.urls")
        module = importlib.util.module_from_spec(spec)
        with override_settings(ZHIJIAO_ADMIN_PATH=path):
            spec.loader.exec_module(module)
        sys.modules[name] = module
    return name


def test_admin_path_defaults_to_admin():
    if "ZHIJIAO_ADMIN_PATH" not in os.environ:
        assert settings.ZHIJIAO_ADMIN_PATH == "admin/"
        assert reverse("admin:index") == "/admin/"


@db
def test_the_admin_moves_and_the_login_exemption_follows(client, editor):
    with override_settings(
        ROOT_URLCONF=_urlconf_with_admin_at("redaktion/"),
        ZHIJIAO_REQUIRE_LOGIN=True,
        ZHIJIAO_ALLOWED_NETWORKS=[],
    ):
        assert reverse("admin:index") == "/redaktion/"
        # The admin's own login stays open to an outsider; the old path serves nothing.
        assert client.get("/redaktion/login/").status_code == 200
        assert client.get("/redaktion/")["Location"].startswith("/redaktion/login/?next=")
        old = client.get("/admin/")
        assert old.status_code == 302 and old["Location"].startswith(reverse("login"))
        client.force_login(editor)
        assert client.get("/redaktion/").status_code == 200
        assert client.get("/admin/").status_code == 404


def test_an_empty_admin_path_is_refused():
    env = {**os.environ, "ZHIJIAO_ADMIN_PATH": "/"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ZHIJIAO_ADMIN_PATH" in result.stderr
