"""Images and documents beside an article: checked by content, limited in size, served safely."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from articles.models import Article, Attachment
from core.publishing import Status
from tests.conftest import admin_form_data

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def _attach(article: Article, name: str, data: bytes) -> Attachment:
    item = Attachment(article=article, file=SimpleUploadedFile(name, data), title=name)
    item.full_clean()
    item.save()
    return item


def test_png_is_stored_under_a_random_name_and_served_inline(client):
    article = Article.objects.get(issue__number=2, number="1.1.1")
    item = _attach(article, "../../校园 照片.png", PNG)
    assert item.content_type == "image/png" and item.size == len(PNG)
    assert item.file.name.startswith("attachments/") and "照片" not in item.file.name
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PNG


def test_docx_is_downloaded_not_shown():
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    item = _attach(
        Article.objects.get(issue__number=2, number="1.1.2"), "通知.docx", buffer.getvalue()
    )
    assert item.file.name.endswith(".docx")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.png", b"<html><script>alert(1)</script></html>"),  # HTML dressed as an image
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("run.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
        ("empty.png", b""),
    ],
)
def test_files_of_other_types_are_refused(name, data):
    article = Article.objects.get(issue__number=2, number="1.1.1")
    with pytest.raises(ValidationError):
        _attach(article, name, data)
    assert not Attachment.objects.exists()


@override_settings(ZHIJIAO_UPLOAD_MAX_BYTES=10)
def test_large_files_are_refused():
    with pytest.raises(ValidationError, match="文件太大"):
        _attach(Article.objects.get(issue__number=2, number="1.1.1"), "big.png", PNG)


def test_attachment_of_a_draft_is_not_served_to_teachers(client, teacher, editor):
    article = Article.objects.get(issue__number=2, number="1.1.3")
    item = _attach(article, "a.png", PNG)
    article.status = Status.DRAFT
    article.save()
    client.force_login(teacher)
    assert client.get(item.get_absolute_url()).status_code == 404
    client.force_login(editor)
    assert client.get(item.get_absolute_url()).status_code == 200


def test_upload_through_the_admin(editor_client):
    article = Article.objects.get(issue__number=2, number="1.1.4")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(editor_client, url)
    data.update(
        {
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-title": "图",
            "attachments-0-file": SimpleUploadedFile("x.png", PNG),
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert article.attachments.get().content_type == "image/png"
    data["attachments-0-file"] = SimpleUploadedFile("x.png", b"<script>alert(1)</script>")
    data["base_version"] = Article.objects.get(pk=article.pk).version
    response = editor_client.post(url, data)
    assert response.status_code == 200 and article.attachments.count() == 1
