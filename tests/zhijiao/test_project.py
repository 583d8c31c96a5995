"""Project-wide safety nets: settings, migrations, health check, roles."""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.checks.security.base import check_secret_key
from django.core.management import call_command
from django.test import override_settings

from core.roles import CHIEF_EDITOR, EDITOR


def _run_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    for env in ({"DEBUG": "0"}, {"DEBUG": "0", "SECRET_KEY": "short"}):
        result = _run_settings(env)
        assert result.returncode != 0 and "SECRET_KEY" in result.stderr
    assert _run_settings({"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50)}).returncode == 0


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(secrets.token_urlsafe(30), id="40-random-characters"),
        pytest.param("k" * 50, id="one-character-50-times"),
        pytest.param("abcd" * 13, id="four-different-characters"),
        pytest.param("django-insecure-" + secrets.token_urlsafe(50), id="django-insecure-prefix"),
    ],
)
def test_production_asks_what_check_deploy_asks_of_the_key(key):
    """Django's security.W009: 50+ characters, 5+ different ones, not django-insecure-…"""
    result = _run_settings({"DEBUG": "0", "SECRET_KEY": key})
    assert result.returncode != 0, result.stdout
    assert "SECRET_KEY" in result.stderr and "50" in result.stderr, result.stderr[-500:]


def test_the_shortest_key_production_accepts_is_one_check_deploy_accepts():
    assert _run_settings({"DEBUG": "0", "SECRET_KEY": "abcde" * 10}).returncode == 0
    with override_settings(SECRET_KEY="abcde" * 10):
        assert check_secret_key(None) == []


def test_the_test_key_is_one_production_would_accept():
    assert check_secret_key(None) == []  # tests/env.py's key, or the one the run was given


def test_development_needs_no_key():
    assert _run_settings({"DEBUG": "1"}).returncode == 0


def test_bad_boolean_in_the_environment_fails_loudly():
    result = _run_settings({"DEBUG": "maybe"})
    assert result.returncode != 0 and "DEBUG must be a boolean" in result.stderr


def test_locale_and_time():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ


@pytest.mark.django_db
def test_no_pending_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_roles_exist_with_their_permissions():
    editor = set(Group.objects.get(name=EDITOR).permissions.values_list("codename", flat=True))
    chief = set(Group.objects.get(name=CHIEF_EDITOR).permissions.values_list("codename", flat=True))
    assert {"change_article", "add_article", "change_community"} <= editor
    assert "publish_issue" not in editor and "publish_issue" in chief
    assert editor < chief


# --- the container image (Dockerfile): no daemon needed to test what it runs ----------------------

DOCKERFILE = (Path(settings.BASE_DIR) / "Dockerfile").read_text()


def _instruction(keyword: str) -> str:
    """A Dockerfile instruction with its continuation lines joined, without the keyword."""
    lines = DOCKERFILE.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(keyword + " "))
    parts = [lines[start][len(keyword) + 1 :]]
    while parts[-1].endswith("\\"):
        parts[-1] = parts[-1][:-1]
        start += 1
        parts.append(lines[start])
    return " ".join(parts)


def test_the_image_is_built_with_a_key_the_settings_accept():
    key = re.search(r"SECRET_KEY=(\S+)", DOCKERFILE).group(1)
    result = _run_settings({"DEBUG": "0", "SECRET_KEY": key})
    assert result.returncode == 0, result.stderr[-500:]


def test_the_image_listens_on_loopback_unless_told():
    assert re.search(r"^ENV ZHIJIAO_BIND=127\.0\.0\.1:8000$", DOCKERFILE, re.M)
    command = json.loads(_instruction("CMD"))
    assert '--bind "$ZHIJIAO_BIND"' in command[-1] and "0.0.0.0" not in command[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    """The image's HEALTHCHECK (exec form), with the image's paths mapped to this checkout's."""
    command = json.loads(_instruction("HEALTHCHECK").split(" CMD ", 1)[1])
    image_paths = {"/venv/bin/python": sys.executable, "/app/": f"{settings.BASE_DIR}/"}
    for image_path, here in image_paths.items():
        command = [part.replace(image_path, here) for part in command]
    return subprocess.run(command, env=env, capture_output=True, timeout=30)


@pytest.mark.parametrize("bind", ["127.0.0.1:{port}", "0.0.0.0:{port}", "unix:{tmp}/gunicorn.sock"])
def test_the_image_command_and_its_health_check_agree(tmp_path, bind):
    """The image's CMD started as Docker would, then its HEALTHCHECK, for each kind of bind."""
    bind = bind.format(port=_free_port(), tmp=tmp_path)
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}},
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ZHIJIAO_BIND": bind,
    }
    assert _health_check(env).returncode != 0  # nothing listens yet: the check can fail
    command = json.loads(_instruction("CMD"))
    command[-1] = command[-1].replace("--workers 3", "--workers 1")
    with (tmp_path / "gunicorn.log").open("wb") as log:
        server = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while (result := _health_check(env)).returncode != 0 and time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()[-2000:]
            time.sleep(0.5)
        assert result.returncode == 0, (tmp_path / "gunicorn.log").read_text()[-2000:]
        assert json.loads(result.stdout.decode().split(": ", 2)[-1]) == {"status": "ok"}
    finally:
        server.terminate()
        server.wait(timeout=30)
