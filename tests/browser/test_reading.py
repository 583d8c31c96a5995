"""The teachers' site as issue 14 asks it to read, at 1366 px and 390 px: axe-core finds no serious
violation on the public pages, the registry's filter panel is collapsed on the phone and keeps
empty fields out of the URL, the search page shows its facets, and the 公众号 copy page."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from django.urls import reverse
from playwright.sync_api import Page, expect

from communities.models import Organization
from tests.browser.axe import assert_accessible
from tests.browser.conftest import full_page_png
from tests.seeds import SEED_ARTICLE, SEED_COMMUNITY

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def test_public_pages_have_no_serious_violations(seeded_server, page: Page, axe):
    organization = Organization.objects.get(name="中国中车集团")
    pages = {
        "home": reverse("issues:home"),
        "archive": reverse("issues:archive"),
        "issue": reverse("issues:detail", args=[2024, 2]),
        "article-with-list-and-table": reverse("articles:detail", args=[2024, 1, "1.1.4"]),
        f"article-{SEED_ARTICLE}": reverse("articles:detail", args=[2024, 2, SEED_ARTICLE]),
        "registry": reverse("communities:list"),
        "community": reverse("communities:detail", args=[SEED_COMMUNITY]),
        "organization": organization.get_absolute_url(),
        "search-with-facets": reverse("search:results") + "?q=产教融合",
        "wechat-copy": reverse("articles:wechat", args=[2024, 2, "1.1.3"]),
    }
    for name, path in pages.items():
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            page.goto(seeded_server.url + path)
            assert_accessible(axe(page), f"{name} at {size['width']} px")
            # As loaded at this width: a page folds its panels on a phone when it loads.
            full_page_png(page, _shot(f"reading-{name}-{size['width']}"))


def test_registry_filters_on_the_phone(seeded_server, page: Page):
    page.set_viewport_size(PHONE)
    page.goto(seeded_server.url + reverse("communities:list") + "?industry=信息技术")
    panel = page.locator("details.filters-panel")
    expect(panel).not_to_have_attribute("open", "")
    expect(panel.locator("summary")).to_have_text("筛选 (1)")
    expect(page.get_by_label("名称或牵头单位")).to_be_hidden()
    page.screenshot(path=str(_shot("reading-registry-phone-collapsed")))
    panel.locator("summary").click()
    page.get_by_role("button", name="筛选", exact=True).click()
    query = dict(parse_qsl(urlsplit(page.url).query, keep_blank_values=True))
    assert query == {"industry": "信息技术", "sort": "number"}, page.url  # no empty parameters
    assert urlsplit(page.url).fragment == "results-title"
    expect(page.locator("#results-title")).to_be_focused()


def test_desktop_keeps_the_panels_open(seeded_server, page: Page):
    page.set_viewport_size(DESKTOP)
    page.goto(seeded_server.url + reverse("communities:list"))
    expect(page.locator("details.filters-panel")).to_have_attribute("open", "")
    page.goto(seeded_server.url + reverse("search:results") + "?q=产教融合")
    expect(page.locator("details.search-facets-panel")).to_have_attribute("open", "")
    expect(page.locator(".search-facets h2").first).to_be_visible()


def _shot(name: str):
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
