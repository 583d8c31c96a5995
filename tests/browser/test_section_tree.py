"""The issue form's 栏目 tree and the article form's 栏目 list in a real browser (issue 13, items 3
and 4): at 1366 px an editor adds board 5 and its subsection 5.1 in one save and moves board 4
above 3; the table fits the screen; the article form lists its issue's sections and follows a
change of issue. Both pages are checked with axe-core and photographed."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Page, expect

from articles.models import Article
from core.publishing import Status
from core.roles import EDITOR
from issues.models import Issue, Section
from tests.browser.axe import assert_accessible, describe
from tests.browser.conftest import log_in
from tests.conftest import role_group

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AXE_REPORTS = settings.BASE_DIR / "test-artifacts" / "axe"

# What these widgets do not make, left to their own issues: Django's breadcrumbs and "在站点上查看"
# links (see tests/browser/test_sources.py), the prose editor's box, select2's search box, and
# the 文章 inline's unlabelled cells (Django's tabular inline, issues/admin.py ArticleInline).
NOT_OURS = {
    "link-in-text-block": r'^(\.breadcrumbs > a\b|a\[href="/admin/r/)',
    "aria-input-field-name": r"^\.(tiptap|ProseMirror)\b",
    "label": r"^(#id_articles-|\.select2-search__field)",
    "label-title-only": r"^#id_articles-",
}

BOARDS = ("职教动态", "职教观点", "院校风采", "重要通知")


def _draft() -> Issue:
    """2025年第01期: boards 1–4, 1.1 他山之石 under 1, with one article in 1.1."""
    issue = Issue.objects.create(year=2025, number=1, status=Status.DRAFT)
    tops = [
        Section.objects.create(issue=issue, number=str(i), title=title, position=i * 10)
        for i, title in enumerate(BOARDS, start=1)
    ]
    sub = Section.objects.create(
        issue=issue, number="1.1", title="他山之石", parent=tops[0], position=15
    )
    Article.objects.create(issue=issue, section=sub, number="1.1.1", position=1, title="一篇文章")
    return issue


def _login(page: Page, server) -> None:
    user = User.objects.create_user("editor", password="pw", is_staff=True)
    user.groups.add(role_group(EDITOR))
    log_in(page.context, server, user)


def _numbers(page: Page) -> list[str]:
    return page.locator(
        "#sections-group tbody tr.form-row:not(.empty-form) input.section-number"
    ).evaluate_all("els => els.map(e => e.value)")


def test_editor_builds_the_section_tree_in_one_save(seeded_server, page: Page, screenshot, axe):
    issue = _draft()
    url = seeded_server.url
    page.set_viewport_size({"width": 1366, "height": 768})
    _login(page, seeded_server)
    found: dict[str, list[dict]] = {}

    page.goto(url + reverse("admin:issues_issue_change", args=[issue.pk]))
    expect(page.locator("#user-tools")).to_contain_text("editor")
    group = page.locator("#sections-group")
    expect(group.get_by_label("编号随结构自动生成")).to_be_checked()
    # The table in 目录 order, 1.1 under 1.
    assert _numbers(page) == ["1", "1.1", "2", "3", "4"]

    # Board 5 and its subsection 5.1, both new.
    add = group.locator("tr.add-row a")
    add.click()
    new = page.locator("#sections-5")  # rows 0–4 are the saved ones
    new.locator("input.section-title").fill("专家视点")
    new.locator("input.section-title").press("Tab")
    add.click()
    sub = page.locator("#sections-6")
    sub.locator("input.section-title").fill("名家谈")
    sub.locator("select.section-parent").select_option(label="5 专家视点（新）")
    expect(sub.locator("input.section-number")).to_have_value("5.1")
    assert _numbers(page) == ["1", "1.1", "2", "3", "4", "5", "5.1"]
    # The row's own list offers neither itself nor its subsection.
    labels = new.locator("select.section-parent option").all_text_contents()
    assert "5 专家视点（新）" not in labels and "5.1 名家谈（新）" not in labels

    # 重要通知 (4) moves above 院校风采 (3).
    row4 = group.locator("tbody tr.form-row", has=page.locator('input[value="重要通知"]'))
    row4.get_by_role("button", name=re.compile("^上移")).click()
    assert _numbers(page) == ["1", "1.1", "2", "3", "4", "5", "5.1"]
    titles = group.locator("tbody tr.form-row:not(.empty-form) input.section-title")
    assert titles.evaluate_all("els => els.map(e => e.value)")[3:5] == ["重要通知", "院校风采"]

    # The whole table fits 1366 px, the 删除 column included.
    width = page.evaluate("document.documentElement.clientWidth")
    right = group.locator("table").evaluate("t => t.getBoundingClientRect().right")
    delete_right = group.locator("thead th.column-delete").evaluate(
        "t => t.getBoundingClientRect().right"
    )
    assert right <= width and delete_right <= width, (right, delete_right, width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    found["issue"] = axe(page)
    screenshot(page, "section-tree")

    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("成功")
    tree = [
        (s.number, s.title, s.parent.number if s.parent else None)
        for s in issue.sections.select_related("parent").order_by("position", "pk")
    ]
    assert tree == [
        ("1", "职教动态", None),
        ("1.1", "他山之石", "1"),
        ("2", "职教观点", None),
        ("3", "重要通知", None),
        ("4", "院校风采", None),
        ("5", "专家视点", None),
        ("5.1", "名家谈", "5"),
    ]
    assert len({s.position for s in issue.sections.all()}) == 7  # no two rows at 0
    screenshot(page, "section-tree-saved")

    # The article form lists this issue's sections, and another issue's when it is chosen.
    article = issue.articles.get()
    page.goto(url + reverse("admin:articles_article_change", args=[article.pk]))
    section = page.locator("#id_section")
    expect(section).to_have_value(str(article.section_id))
    offered = section.locator("option").all_text_contents()[1:]
    assert offered == [f"{s.number} {s.title}" for s in issue.sections.order_by("position", "pk")]
    title_width = page.locator("#id_title").evaluate("e => e.getBoundingClientRect().width")
    assert title_width > 400, title_width
    found["article"] = axe(page)
    screenshot(page, "article-form-sections")

    other = Issue.objects.get(year=2024, number=2)
    page.locator("#id_issue + .select2").click()
    page.locator('.select2-search__field[aria-controls="select2-id_issue-results"]').fill("2024")
    page.locator(".select2-results__option", has_text=other.label).click()
    expect(section).to_have_value("")
    offered = section.locator("option").all_text_contents()[1:]
    assert offered == [f"{s.number} {s.title}" for s in other.sections.order_by("position", "pk")]

    AXE_REPORTS.mkdir(parents=True, exist_ok=True)
    (AXE_REPORTS / "section-tree.json").write_text(
        json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    for name, violations in found.items():
        print(f"== {name}\n{describe(violations)}")
    for name, violations in found.items():
        assert_accessible(violations, name, not_ours=NOT_OURS)
