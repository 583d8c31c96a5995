"""The article body's rich-text editor loads in the admin, under the Content-Security-Policy."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Page, expect

from articles.models import Article
from tests.browser.editing import click_in, cursor_to

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_rich_text_editor_edits_and_saves_the_body(seeded_server, page: Page, screenshot):
    User.objects.create_superuser("root", password="pw")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(seeded_server.url + reverse("admin:login"))
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    article = Article.objects.get(issue__number=2, issue__year=2024, number="1.1.1")
    page.goto(seeded_server.url + reverse("admin:articles_article_change", args=[article.pk]))
    editor = page.locator(".ProseMirror >> visible=true").first
    expect(editor).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors
    click_in(page, editor)
    cursor_to(page, "Control+Home")
    page.keyboard.type("编辑器写的开头。")
    page.click("input[name=_continue]")
    errors_shown = page.locator(".errornote, .errorlist").all_inner_texts()
    assert not errors_shown, errors_shown
    expect(page.locator(".messagelist")).to_be_visible()
    article.refresh_from_db()
    assert "编辑器写的开头。" in article.body
    screenshot(page, "admin-article-editor")
