"""Editors import an issue from the admin: upload, see the dry run, confirm."""

from __future__ import annotations

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from core.publishing import Status
from issues.models import Issue
from tests.conftest import ISSUE_01, seeds_dir
from tests.importer.seeded import delete_issue

pytestmark = pytest.mark.django_db
URL = "admin:issues_issue_import"


def _upload(name: str = "2024-01.txt", data: bytes | None = None) -> SimpleUploadedFile:
    if data is None:
        data = (seeds_dir() / ISSUE_01).read_bytes()
    return SimpleUploadedFile(name, data, content_type="text/plain")


def test_upload_dry_run_then_confirm(chief_client):
    delete_issue(year=2024, number=1)
    response = chief_client.post(reverse(URL), {"file": _upload(), "publish": "on"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "34 篇文章" in html and "3.1" in html
    assert not Issue.objects.filter(year=2024, number=1).exists()  # nothing written yet
    token = response.context["token"]
    response = chief_client.post(reverse(URL), {"token": token, "publish": "1", "replace": "0"})
    assert response.status_code == 302
    issue = Issue.objects.get(year=2024, number=1)
    assert issue.status == Status.PUBLISHED and issue.articles.count() == 34
    # The stashed upload is used once.
    response = chief_client.post(reverse(URL), {"token": token, "publish": "1"})
    assert response.status_code == 302 and Issue.objects.filter(year=2024).count() == 2


def test_editor_imports_drafts_but_may_not_publish(editor_client):
    delete_issue(year=2024, number=1)
    response = editor_client.post(reverse(URL), {"file": _upload()})
    token = response.context["token"]
    assert editor_client.post(reverse(URL), {"token": token, "publish": "1"}).status_code == 403
    response = editor_client.post(reverse(URL), {"token": token, "publish": "0"})
    assert Issue.objects.get(year=2024, number=1).status == Status.DRAFT


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bad.txt", b"\xff\xfe\x00\x01" * 50, "UTF-8"),
        ("empty.txt", b"", ""),
        ("x.exe", b"MZ", "不支持"),
    ],
)
def test_bad_upload_shows_the_error_on_the_form(chief_client, name, data, message):
    response = chief_client.post(reverse(URL), {"file": _upload(name, data)})
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors and message in errors[0]


@override_settings(ZHIJIAO_IMPORT_MAX_BYTES=1000)
def test_huge_upload_is_refused(chief_client):
    response = chief_client.post(reverse(URL), {"file": _upload()})
    assert "文件太大" in response.context["form"].errors["file"][0]


def test_malformed_token_is_harmless(chief_client):
    for token in ("../../etc/passwd", "x" * 32, ""):
        response = chief_client.post(reverse(URL), {"token": token, "publish": "0"})
        assert response.status_code == 302


def test_teacher_cannot_reach_the_import_page(client, teacher):
    client.force_login(teacher)
    assert client.get(reverse(URL)).status_code == 302  # to the admin login


def test_an_upload_nobody_confirms_is_removed_by_a_later_one(chief_client, settings):
    delete_issue(year=2024, number=1)
    response = chief_client.post(reverse(URL), {"file": _upload()})
    forgotten = response.context["token"]
    path = settings.MEDIA_ROOT / "imports" / f"{forgotten}.txt"
    two_days_ago = time.time() - 2 * 86400
    os.utime(path, (two_days_ago, two_days_ago))
    response = chief_client.post(reverse(URL), {"file": _upload()})
    kept = response.context["token"]
    assert not path.exists()
    assert (settings.MEDIA_ROOT / "imports" / f"{kept}.txt").exists()
    # Confirming the forgotten one now says it has to be uploaded again; nothing is written.
    data = {"token": forgotten, "publish": "1", "replace": "0"}
    response = chief_client.post(reverse(URL), data, follow=True)
    assert "已过期或不存在" in response.content.decode()
    assert not Issue.objects.filter(year=2024, number=1).exists()
