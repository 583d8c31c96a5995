"""The rich-text editor's server side: the image button's endpoint (the article's images, a new
image stored as an attachment), the clean paste's endpoint (sources/lines.py re-joins the lines),
figures kept by the sanitiser, and the change form wiring the editor to both."""

from __future__ import annotations

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.admin import ArticleAdmin
from articles.models import Article, Attachment
from articles.sanitize import clean_html
from sources.lines import join_broken_lines
from tests.seeds import SEED_ARTICLE, seed_text
from tests.sources.seedfiles import NEWSLETTER

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PARAGRAPHS_URL = reverse("admin:articles_article_editor_paragraphs")


def _article() -> Article:
    return Article.objects.get(issue__year=2024, issue__number=2, number=SEED_ARTICLE)


def _images_url(article: Article) -> str:
    return reverse("admin:articles_article_editor_images", args=[article.pk])


# --- figures ---

FIGURE = (
    '<figure class="figure"><img src="/articles/attachments/1/" alt="实训车间" data-file="1">'
    '<figcaption class="figure-caption">学生在实训车间<script>x()</script></figcaption></figure>'
)


def test_the_sanitiser_keeps_a_figure_with_its_caption():
    assert clean_html(FIGURE) == (
        '<figure><img src="/articles/attachments/1/" alt="实训车间">'
        "<figcaption>学生在实训车间</figcaption></figure>"
    )


def test_a_saved_body_keeps_its_figure():
    article = _article()
    article.body = f"<p>开头。</p>{FIGURE}"
    article.save()
    article.refresh_from_db()
    assert (
        "<figure><img" in article.body and "<figcaption>学生在实训车间</figcaption>" in article.body
    )


# --- the change form ---


def test_the_change_form_loads_our_editor_with_its_endpoints(editor_client):
    article = _article()
    page = editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    html = page.content.decode()
    assert "articles/editor/preset.js" in html and "articles/editor/zh.js" in html
    assert "data-django-prose-editor-zhijiao" in html
    assert f'data-images-url="{_images_url(article)}"' in html
    assert f'data-paste-url="{PARAGRAPHS_URL}"' in html


def test_the_add_form_has_no_image_endpoint_yet(editor_client):
    html = editor_client.get(reverse("admin:articles_article_add")).content.decode()
    assert f'data-paste-url="{PARAGRAPHS_URL}"' in html and "data-images-url" not in html


# --- images ---


def test_an_uploaded_image_becomes_an_attachment_with_its_caption(editor_client):
    article = _article()
    response = editor_client.post(
        _images_url(article),
        {"file": SimpleUploadedFile("车间.png", PNG), "caption": " 学生在实训车间 "},
    )
    assert response.status_code == 201, response.content.decode()
    item = article.attachments.get()
    assert item.title == "学生在实训车间" and item.content_type == "image/png"
    assert response.json() == {"id": item.pk, "url": item.get_absolute_url(), "title": item.title}
    assert editor_client.get(item.get_absolute_url()).status_code == 200


def test_the_image_list_has_the_articles_images_only(editor_client):
    article = _article()
    image = Attachment.objects.create(
        article=article, file=SimpleUploadedFile("a.png", PNG), title="图一"
    )
    Attachment.objects.create(article=article, file=SimpleUploadedFile("b.pdf", PDF), title="文件")
    other = Article.objects.exclude(pk=article.pk).first()
    Attachment.objects.create(article=other, file=SimpleUploadedFile("c.png", PNG), title="别篇")
    response = editor_client.get(_images_url(article))
    assert response.json() == {
        "images": [{"id": image.pk, "url": image.get_absolute_url(), "title": "图一"}]
    }


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("文件.pdf", PDF), "这不是图片"),
        (
            SimpleUploadedFile("假图.png", b"<html><script>alert(1)</script></html>"),
            "不支持的文件类型",
        ),
        (None, "请选择要上传的图片文件"),
    ],
)
def test_what_is_not_an_image_is_refused_in_chinese_and_stores_nothing(
    editor_client, upload, message
):
    article = _article()
    data = {"caption": "图注"} | ({"file": upload} if upload else {})
    response = editor_client.post(_images_url(article), data)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not article.attachments.exists()


def test_a_too_large_image_is_refused(editor_client, settings):
    settings.ZHIJIAO_UPLOAD_MAX_BYTES = 50
    response = editor_client.post(
        _images_url(_article()), {"file": SimpleUploadedFile("a.png", PNG)}
    )
    assert response.status_code == 400 and "文件太大" in response.json()["error"]
    assert not Attachment.objects.exists()


def test_a_storage_that_cannot_be_written_leaves_no_attachment(editor_client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", refuse)
    response = editor_client.post(
        _images_url(_article()), {"file": SimpleUploadedFile("a.png", PNG)}
    )
    assert response.status_code == 503 and "文件存储暂时不可写" in response.json()["error"]
    assert not Attachment.objects.exists()


def test_images_need_the_right_to_change_the_article(client, teacher, editor):
    article = _article()
    upload = {"file": SimpleUploadedFile("a.png", PNG)}
    assert client.post(_images_url(article), upload).status_code == 302  # to the login page
    client.force_login(teacher)
    assert client.post(_images_url(article), upload).status_code == 302
    editor.user_permissions.clear()
    editor.groups.clear()
    client.force_login(editor)
    response = client.post(_images_url(article), upload)
    assert response.status_code == 403 and "权限" in response.json()["error"]
    assert not Attachment.objects.exists()


def test_images_of_a_missing_article(editor_client):
    response = editor_client.get(reverse("admin:articles_article_editor_images", args=[999999]))
    assert response.status_code == 404 and "文章不存在" in response.json()["error"]


# --- clean paste ---


def _broken_excerpt() -> str:
    """The start of the other institution's newsletter as a PDF conversion left it: its lines cut
    at the column width (and a blank line between any two)."""
    return "\n".join(seed_text(NEWSLETTER).splitlines()[:40])


def test_pasted_broken_lines_come_back_as_paragraphs(editor_client):
    text = _broken_excerpt()
    assert "开展市域\n\n产教联合体" in text  # cut mid-sentence, as printed
    response = editor_client.post(PARAGRAPHS_URL, {"text": text})
    assert response.status_code == 200
    data = response.json()
    assert data["paragraphs"] == join_broken_lines(text)  # the 素材库's one implementation
    assert data["lines"] == 21 and len(data["paragraphs"]) == 5
    assert "决定启动市域产教联合体创建工作" in data["paragraphs"][0]
    assert data["paragraphs"][1:3] == [
        "要闻纵览",
        "教育部办公厅印发《关于开展市域产教联合体建设的通知》",
    ]


def test_a_paste_too_long_is_refused_in_chinese(editor_client):
    text = "字" * (ArticleAdmin.PASTE_MAX_CHARS + 1)
    response = editor_client.post(PARAGRAPHS_URL, {"text": text})
    assert response.status_code == 400 and "粘贴的文字太长" in response.json()["error"]


def test_the_paste_endpoint_is_for_posts(editor_client):
    assert editor_client.get(PARAGRAPHS_URL).status_code == 405


def test_the_paste_endpoint_is_for_editors(client, teacher):
    client.force_login(teacher)
    assert client.post(PARAGRAPHS_URL, {"text": "a\nb"}).status_code == 302
