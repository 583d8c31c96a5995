"""Two editors in two browsers save the same article: the second resolves the conflict field by
field, and nothing either of them wrote is lost; the history then shows both changes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from articles.models import Article
from core.roles import CHIEF_EDITOR, EDITOR
from tests.browser.axe import assert_accessible
from tests.browser.conftest import log_in
from tests.browser.editing import click_in, cursor_to
from tests.conftest import role_group

NOT_OURS = {
    # Django 5.2's admin CSS: breadcrumb links white on light blue, not underlined (every admin
    # page; see tests/browser/test_sources.py).
    "link-in-text-block": r"^\.breadcrumbs > a\b",
    # The admin's autocomplete (select2, the 标签 field): its search box has no label and its
    # <ul> holds a bare <span>; markup of Django's vendored select2, not ours.
    "label": r"^\.select2-search__field\b",
    "list": r"^\.select2-selection--multiple > ",
}
BODY = "<p>第一段：原文。</p><p>第二段：原文。</p><p>第三段：原文。</p>"

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _staff(username: str, role: str, last: str, first: str) -> User:
    user = User.objects.create_user(
        username, password="pw", is_staff=True, first_name=first, last_name=last
    )
    user.groups.add(role_group(role))
    return user


def _open(browser: Browser, server, user: User, url: str) -> Page:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    log_in(context, server, user)
    page = context.new_page()
    page.goto(server.url + url)
    expect(page.locator("#user-tools")).to_contain_text(user.get_short_name())
    expect(page.locator(".ProseMirror >> visible=true").first).to_be_visible()
    return page


def _type_in_body(page: Page, where: str, text: str) -> None:
    click_in(page, page.locator(".ProseMirror >> visible=true").first)
    cursor_to(page, where)
    page.keyboard.type(text)


def test_the_conflict_is_resolved_field_by_field(seeded_server, browser: Browser, screenshot, axe):
    jia = _staff("jia", CHIEF_EDITOR, "张", "甲")
    yi = _staff("yi", EDITOR, "李", "乙")
    article = Article.objects.get(issue__number=2, issue__year=2024, number="1.1.1")
    article.body = BODY
    article.save()
    url = reverse("admin:articles_article_change", args=[article.pk])
    first = _open(browser, seeded_server, jia, url)
    second = _open(browser, seeded_server, yi, url)

    # 甲: the subtitle and the first paragraph.
    first.fill("#id_subtitle", "甲改的副标题")
    _type_in_body(first, "Control+Home", "甲加的开头。")
    first.click("input[name=_continue]")
    expect(first.locator(".messagelist")).to_be_visible()

    # 乙, from the version both opened: the title and the last paragraph.
    second.fill("#id_title", "乙改的标题")
    _type_in_body(second, "Control+End", "乙加的结尾。")
    second.click("input[name=_continue]")
    panel = second.locator("section.conflict")
    expect(panel).to_be_visible()
    expect(second.locator(".errorlist.nonfield").first).to_contain_text("保存被拒绝")
    expect(panel.locator(".conflict-theirs ins, .conflict-theirs del").first).to_be_attached()
    expect(panel.locator(".conflict-theirs")).to_contain_text("甲加的开头")
    expect(panel.locator(".conflict-mine")).to_contain_text("乙加的结尾")
    # Only the body was changed by both; the form already shows 甲's subtitle.
    assert panel.locator(".conflict-field").count() == 1
    expect(second.locator("#id_subtitle")).to_have_value("甲改的副标题")
    screenshot(second, "admin-article-conflict")
    assert_accessible(axe(second), "the conflict form", not_ours=NOT_OURS)

    # Saving without a choice is refused again, and changes nothing.
    second.click("input[name=_continue]")
    expect(second.locator(".errorlist.nonfield").first).to_contain_text(
        "还没有选择保留哪一方的版本：正文"
    )
    article.refresh_from_db()
    assert article.title != "乙改的标题"

    second.get_by_label("合并双方的修改").check()
    second.click("input[name=_continue]")
    expect(second.locator(".messagelist")).to_be_visible()
    expect(second.locator("section.conflict")).to_have_count(0)
    article.refresh_from_db()
    assert article.title == "乙改的标题"
    assert article.subtitle == "甲改的副标题"
    assert "甲加的开头。" in article.body and "乙加的结尾。" in article.body
    assert "第二段：原文。" in article.body

    second.goto(seeded_server.url + reverse("admin:articles_article_history", args=[article.pk]))
    history = second.locator("#change-history")
    expect(history).to_contain_text("修改内容")
    expect(history).to_contain_text("张甲")
    expect(history.locator("ins", has_text="甲加的开头")).to_be_visible()
    screenshot(second, "admin-article-history")
    assert_accessible(axe(second), "the history page", not_ours=NOT_OURS)
