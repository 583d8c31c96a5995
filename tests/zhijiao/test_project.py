"""Project-wide safety nets: settings, migrations, health check, roles."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command

from issues.roles import CHIEF_EDITOR, EDITOR


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
    assert _run_settings({"DEBUG": "0", "SECRET_KEY": "k" * 50}).returncode == 0


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
