"""The site in a real browser: a teacher's way from the home page to an article, the registry
filtered to 广东 and downloaded as CSV, the search box, and every page at phone and desktop
width."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from articles.models import Article
from communities.models import Community, Organization
from issues.models import Issue
from tests.seeds import SEED_ARTICLE, SEED_COMMUNITY

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_home_to_issue_to_article(seeded_server, page: Page, screenshot):
    latest = Issue.objects.published().order_by("-year", "-number").first()
    article = (
        Article.objects.published()
        .filter(issue=latest)
        .select_related("issue")
        .order_by("position")[3]
    )
    following = (
        Article.objects.published()
        .filter(issue=latest, position__gt=article.position)
        .order_by("position")
        .first()
    )

    page.goto(seeded_server.url + reverse("issues:home"))
    expect(page.locator("h1")).to_contain_text(latest.label)
    screenshot(page, "home")

    page.get_by_role("link", name=f"《{latest.title}》{latest.label}").first.click()
    expect(page).to_have_url(re.compile(re.escape(latest.get_absolute_url()) + "$"))
    expect(page.locator("h1")).to_have_text(f"《{latest.title}》{latest.label}")
    expect(page.get_by_role("heading", name="目录")).to_be_visible()
    screenshot(page, "issue")

    page.locator(f'.toc a[href="{article.get_absolute_url()}"]').click()
    expect(page).to_have_url(re.compile(re.escape(article.get_absolute_url()) + "$"))
    expect(page.locator("h1")).to_have_text(article.title)
    breadcrumb = page.get_by_role("navigation", name="位置")
    expect(breadcrumb).to_contain_text(latest.label)
    expect(breadcrumb).to_contain_text(article.section.title)
    screenshot(page, "article")

    page.locator('a[rel="next"]').click()
    expect(page.locator("h1")).to_have_text(following.title)


def test_registry_filtered_to_guangdong_and_downloaded(seeded_server, page: Page, screenshot):
    expected = set(
        Community.objects.filter(lead_units__province="广东").values_list("number", flat=True)
    )
    page.goto(seeded_server.url + reverse("communities:list"))
    expect(page.locator("h1")).to_have_text("行业产教融合共同体")
    screenshot(page, "registry")

    page.get_by_label("牵头单位所在省份").select_option("广东")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"lead_province=%E5%B9%BF%E4%B8%9C"))
    expect(page.locator(".results-head")).to_have_text(f"共 {len(expected)} 个共同体")
    expect(page.locator(".active-filters")).to_contain_text("牵头单位所在省份：广东")
    screenshot(page, "registry-guangdong")

    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    download = info.value
    assert download.suggested_filename == "行业产教融合共同体-广东.csv"
    text = io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))
    # The file says first what it lists (communities/export.py), then the table.
    (comment,) = next(csv.reader([text.readline()]))
    assert comment.startswith("# ") and "广东" in comment, comment
    rows = list(csv.DictReader(text))
    assert {int(row["序号"]) for row in rows} == expected
    assert all("广东" in row["牵头单位所在省份"].split("、") for row in rows)


def test_query_box_on_every_page_and_keyboard_use(seeded_server, page: Page, screenshot):
    for name, args in (
        ("issues:home", []),
        ("issues:archive", []),
        ("communities:list", []),
        ("communities:detail", [SEED_COMMUNITY]),
    ):
        page.goto(seeded_server.url + reverse(name, args=args))
        search = page.get_by_role("search")
        expect(search).to_have_count(1)
        expect(search.locator("input#q")).to_be_visible()
    # Keyboard: the first Tab reaches the skip link, Enter in the search box submits it.
    page.goto(seeded_server.url + reverse("issues:home"))
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("跳到正文")
    page.locator("#q").fill("产教融合")
    page.locator("#q").press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=%E4%BA%A7%E6%95%99%E8%9E%8D%E5%90%88"))
    screenshot(page, "search")


def test_every_page_at_phone_and_desktop_width(seeded_server, page: Page, screenshot):
    organization = Organization.objects.get(name="中国中车集团")
    pages = {
        "archive": reverse("issues:archive"),
        f"article-{SEED_ARTICLE}": reverse("articles:detail", args=[2024, 2, SEED_ARTICLE]),
        "articles-index": reverse("articles:index"),
        "section-list": reverse("articles:section", args=["职教动态"]),
        f"community-{SEED_COMMUNITY}": reverse("communities:detail", args=[SEED_COMMUNITY]),
        "organization": organization.get_absolute_url(),
        "login": reverse("login"),
    }
    for name, path in pages.items():
        page.goto(seeded_server.url + path)
        expect(page.locator("h1")).to_have_count(1)
        for path_ in screenshot(page, name):
            assert path_.stat().st_size > 1000
        page.set_viewport_size({"width": 375, "height": 812})
        assert _no_horizontal_scroll(page), f"{name} scrolls sideways at 375 px"
    page.goto(seeded_server.url + reverse("communities:detail", args=[SEED_COMMUNITY]))
    expect(page.get_by_role("heading", name="提及本共同体的文章")).to_be_visible()
    expect(page.locator("main")).to_contain_text("教育适配产业发展")
