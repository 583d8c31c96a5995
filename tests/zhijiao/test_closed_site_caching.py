"""On a closed site (内部资料) no download may sit in a shared cache: PDFs, the print view, the
registry's CSV and JSON, attachments all say ``private``. (The PDFs themselves, open and closed,
are tested in tests/printing/test_pdf.py.)"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import Article, Attachment
from zhijiao.access import site_is_closed

pytestmark = pytest.mark.django_db

CLOSED_SITES = [
    pytest.param({"ZHIJIAO_REQUIRE_LOGIN": True}, id="login-required"),
    pytest.param({"ZHIJIAO_ALLOWED_NETWORKS": ["127.0.0.0/8"]}, id="campus-network"),
]
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)


def _cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def _attachment_url() -> str:
    article = Article.objects.get(issue__number=2, number="1.1.1")
    item = Attachment(article=article, file=SimpleUploadedFile("a.png", PNG), title="a.png")
    item.full_clean()
    item.save()
    return item.get_absolute_url()


@pytest.mark.parametrize("closed", CLOSED_SITES)
def test_downloads_of_a_closed_site_are_private(client, teacher, settings, closed):
    for name, value in closed.items():
        setattr(settings, name, value)
    assert site_is_closed()
    client.force_login(teacher)
    for url in (
        reverse("communities:csv"),
        reverse("communities:json"),
        reverse("pdf:print", args=[2024, 2]),
        _attachment_url(),
        # Pages, the feed and the API too: every answer of a closed site.
        reverse("issues:home"),
        reverse("issues:detail", args=[2024, 2]),
        reverse("articles:feed"),
        "/api/issues/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "private" in _cache_control(response), (url, response.get("Cache-Control"))
        assert "public" not in _cache_control(response), url


def test_downloads_of_an_open_site_are_not_made_private(client):
    assert not site_is_closed()
    for url in (reverse("communities:csv"), reverse("communities:json")):
        assert "private" not in _cache_control(client.get(url)), url
