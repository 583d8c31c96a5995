"""axe-core on the admin pages an editor works in for an issue (issue 13): the article form (change
and add), the article list, the issue's page and 导入期刊文件, at 1366 px. No exclusions: what axe
found there (select2's unnamed boxes, an empty filter link, the article table's unlabelled inputs,
Django's breadcrumbs) is fixed where it comes from (static/core/select2_labels.js,
articles/admin.py SourceFilter, issues/admin.py ArticleInlineFormSet, static/core/admin.css)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Page, expect

from articles.models import Article
from core.roles import CHIEF_EDITOR, EDITOR
from issues.models import Issue
from tests.browser.axe import assert_accessible
from tests.browser.conftest import log_in
from tests.conftest import role_group

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _login(page: Page, server, username: str, role: str) -> str:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(role_group(role))
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page.context, server, user)
    return username


# The admin's scripts have drawn their widgets: select2's boxes (named by
# static/core/select2_labels.js as it draws them) and the body's rich-text editor.
WIDGETS_DRAWN = """() => document.readyState === "complete"
    && [...document.querySelectorAll("select.admin-autocomplete")]
        .filter(s => !s.name.includes("__prefix__"))
        .every(s => s.classList.contains("select2-hidden-accessible"))
    && [...document.querySelectorAll("textarea[data-django-prose-editor-zhijiao]")]
        .filter(t => !t.name.includes("__prefix__"))
        .every(t => t.closest(".prose-editor")?.querySelector(".ProseMirror"))"""


def _check(page: Page, server, path: str, name: str, screenshot, axe, user: str) -> None:
    page.goto(server.url + path)
    expect(page.locator("#user-tools")).to_contain_text(user)
    page.wait_for_function(WIDGETS_DRAWN)
    screenshot(page, f"admin-axe-{name}")
    assert_accessible(axe(page), f"{name} ({path})")


@pytest.mark.parametrize("role", [EDITOR, CHIEF_EDITOR])
def test_article_pages_have_no_serious_violations(role, seeded_server, page: Page, screenshot, axe):
    # The 主编 also sees 发布时间 (a split date/time) and every status.
    user = _login(page, seeded_server, "staff", role)
    who = "editor" if role == EDITOR else "chief"
    # An article with tags: select2 then draws its 清除全部 × inside the 标签 box.
    article = Article.objects.filter(tags__isnull=False).first()
    assert article is not None, "the seeds give some article a tag (topic suggestions)"

    _check(
        page,
        seeded_server,
        reverse("admin:articles_article_change", args=[article.pk]),
        f"article-change-{who}",
        screenshot,
        axe,
        user,
    )
    expect(page.get_by_role("searchbox", name="标签")).to_be_attached()
    expect(page.get_by_role("combobox", name="期刊")).to_be_visible()

    add = reverse("admin:articles_article_add")
    _check(page, seeded_server, add, f"article-add-{who}", screenshot, axe, user)

    changelist = reverse("admin:articles_article_changelist")
    _check(page, seeded_server, changelist, f"article-list-{who}", screenshot, axe, user)
    # The empty 来源 is a choice with a name, and it filters.
    page.locator("#changelist-filter").get_by_role("link", name="（无来源）").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(
        min(Article.objects.filter(source="").count(), 100)
    )


def test_issue_pages_have_no_serious_violations(seeded_server, page: Page, screenshot, axe):
    user = _login(page, seeded_server, "chief", CHIEF_EDITOR)
    issue = Issue.objects.get(year=2024, number=2)
    _check(
        page,
        seeded_server,
        reverse("admin:issues_issue_change", args=[issue.pk]),
        "issue-change",
        screenshot,
        axe,
        user,
    )
    first = issue.articles.order_by("position").first()
    expect(page.get_by_label(f"起始页（{first.number} {first.title}）")).to_be_visible()

    # The 主编's import form, which also offers 导入为已发布.
    _check(
        page,
        seeded_server,
        reverse("admin:issues_issue_import"),
        "issue-import",
        screenshot,
        axe,
        user,
    )
    expect(page.get_by_label("期刊文件")).to_be_visible()
