"""Each page's <title> names the page first and the site second (a browser tab, a bookmark, a
search result shows the start), and every page has the site's icon."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings
from django.urls import reverse

from articles.models import Article
from communities.models import Community, Organization
from issues.models import Issue
from tests.seeds import SEED_COMMUNITY

pytestmark = pytest.mark.django_db

SITE = " · 职教通讯"


def _title(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, url
    found = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    return html.unescape(found.group(1))


def test_titles_name_the_page_then_the_site(client):
    article = Article.objects.published().get(issue__year=2024, issue__number=2, number="1.1.3")
    community = Community.objects.get(number=SEED_COMMUNITY)
    organization = Organization.objects.filter(lead_unit_links__isnull=False).first()
    issue = Issue.objects.get(year=2024, number=2)
    expected = {
        article.get_absolute_url(): f"{article.title} · 2024年第02期",
        issue.get_absolute_url(): "2024年第02期",
        community.get_absolute_url(): community.name,
        organization.get_absolute_url(): organization.name,
        reverse("communities:list"): "行业产教融合共同体",
        reverse("issues:archive"): "往期",
    }
    for url, page in expected.items():
        assert _title(client, url) == page + SITE, url
    assert _title(client, reverse("search:results"), q="产教融合") == "产教融合 · 检索" + SITE


def test_a_filtered_registry_says_its_filter_in_the_title(client):
    title = _title(client, reverse("communities:list"), province="广东", scope="provincial")
    assert title == "行业产教融合共同体（省级、广东）" + SITE


def test_every_page_links_the_icon_and_the_icon_files_exist(client):
    page = client.get(reverse("issues:home")).content.decode()
    icons = re.findall(r'<link rel="(?:icon|apple-touch-icon)" href="([^"]+)"', page)
    assert len(icons) == 3
    for href in icons:
        assert finders.find(href.removeprefix("/static/")), href


@override_settings(ZHIJIAO_REQUIRE_LOGIN=True, ZHIJIAO_ALLOWED_NETWORKS=[])
def test_favicon_ico_is_there_even_on_the_closed_site(client):
    assert client.get(reverse("issues:home")).status_code == 302  # the site is closed
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert finders.find(response["Location"].removeprefix("/static/"))
