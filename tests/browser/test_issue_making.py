"""Making the next issue in a real browser (issue 13): an editor makes 2025年第01期 from
2024年第02期 with 以上一期为模板新建; a 主编 opens its 发布前检查 and publishes it from there.
Both new pages are checked with axe-core and photographed."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Page, expect

from articles.models import Article
from core.publishing import Status
from core.roles import CHIEF_EDITOR, EDITOR
from issues.models import Issue
from tests.browser.axe import assert_accessible
from tests.browser.conftest import log_in
from tests.conftest import role_group

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Markup this project does not write (see tests/browser/test_sources.py for the reasons).
NOT_OURS = {"link-in-text-block": r"^\.breadcrumbs > a\b"}


def _user(name: str, role: str) -> User:
    user = User.objects.create_user(name, password="pw", is_staff=True)
    user.groups.add(role_group(role))
    return user


def _login(page: Page, server, user: User) -> None:
    log_in(page.context, server, user)


def test_editor_makes_the_next_issue_and_chief_checks_it(
    seeded_server, page: Page, new_context, screenshot, axe
):
    editor = _user("editor", EDITOR)
    chief_user = _user("chief", CHIEF_EDITOR)
    url = seeded_server.url
    previous = Issue.objects.get(year=2024, number=2)

    _login(page, seeded_server, editor)
    page.goto(url + reverse("admin:issues_issue_changelist"))
    expect(page.locator("#user-tools")).to_contain_text("editor")
    page.get_by_role("link", name="以上一期为模板新建").click()
    expect(page.locator("h1")).to_have_text("以上一期为模板新建")
    expect(page.get_by_label("年份")).to_have_value("2025")
    expect(page.get_by_label("期号")).to_have_value("1")
    screenshot(page, "issue-from-previous")
    assert_accessible(axe(page), "以上一期为模板新建", not_ours=NOT_OURS)

    page.get_by_role("button", name="新建草稿").click()
    issue = Issue.objects.get(year=2025, number=1)
    expect(page).to_have_url(
        re.compile(re.escape(reverse("admin:issues_issue_change", args=[issue.pk])))
    )
    expect(page.locator(".messagelist")).to_contain_text("已以2024年第02期为模板新建2025年第01期")
    assert issue.status == Status.DRAFT
    assert issue.sections.count() == previous.sections.count()

    # Two articles with something to fix, as an editor might leave them.
    section = issue.sections.get(number="1.1")
    Article.objects.create(
        issue=issue,
        section=section,
        number="1.1.1",
        position=0,
        title="广东职业教育新闻",
        body='<p>正文。</p><p><img src="/static/missing.png" alt="实训"></p>',
    )
    Article.objects.create(
        issue=issue,
        section=section,
        number="1.1.3",
        position=1,
        title="尚未写好的文章",
        source_name="教育部",
    )

    chief = new_context().new_page()
    _login(chief, seeded_server, chief_user)
    chief.goto(url + reverse("admin:issues_issue_change", args=[issue.pk]))
    expect(chief.locator("#user-tools")).to_contain_text("chief")
    chief.get_by_role("link", name="发布前检查").click()
    expect(chief.locator("h1")).to_have_text("发布前检查：2025年第01期")
    content = chief.locator("#content")
    expect(content).to_contain_text("1.1.1《广东职业教育新闻》有 1 张图片没有图注")
    expect(content).to_contain_text("缺少编号 1.1.2")
    screenshot(chief, "issue-prepublish")
    assert_accessible(axe(chief), "发布前检查", not_ours=NOT_OURS)

    chief.get_by_role("button", name="发布2025年第01期").click()
    expect(chief.locator(".messagelist")).to_contain_text("1 项已发布")
    issue.refresh_from_db()
    assert issue.status == Status.PUBLISHED
