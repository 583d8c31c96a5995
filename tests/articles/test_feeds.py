"""The Atom feed of newly published articles."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.feeds import FEED_LENGTH, newest_articles
from articles.models import Article
from core.publishing import Status

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _entries(client) -> list[ET.Element]:
    response = client.get(reverse("articles:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    return feed.findall(f"{ATOM}entry")


def _links(entries) -> list[str]:
    return [e.find(f"{ATOM}link").get("href") for e in entries]


def test_feed_lists_the_newest_published_articles(client):
    entries = _entries(client)
    expected = list(newest_articles(FEED_LENGTH))
    assert len(entries) == min(FEED_LENGTH, Article.objects.published().count())
    assert [link.split("://", 1)[1].split("/", 1)[1] for link in _links(entries)] == [
        a.get_absolute_url().lstrip("/") for a in expected
    ]
    first = entries[0]
    assert first.find(f"{ATOM}title").text == f"{expected[0].number} {expected[0].title}"


def test_article_published_later_comes_first(client):
    article = Article.objects.published().order_by("-issue__number", "-position").last()
    article.published_at = timezone.now() - datetime.timedelta(minutes=1)
    article.save()
    links = _links(_entries(client))
    assert links[0].endswith(article.get_absolute_url())


def test_draft_is_not_in_feed(client):
    draft = next(iter(newest_articles(1)))
    draft.status = Status.DRAFT
    draft.save()
    assert not any(link.endswith(draft.get_absolute_url()) for link in _links(_entries(client)))


def test_scheduled_article_is_not_in_feed_before_its_time(client):
    article = next(iter(newest_articles(1)))
    article.published_at = timezone.now() + datetime.timedelta(days=1)
    article.save()
    assert not any(link.endswith(article.get_absolute_url()) for link in _links(_entries(client)))


def test_feed_is_linked_from_every_page(client):
    html = client.get(reverse("issues:home")).content.decode()
    assert (
        f'type="application/atom+xml" title="职教通讯 · 最新文章" href="{reverse("articles:feed")}"'
        in html
    )


@pytest.mark.usefixtures("no_page_cache")
def test_feed_uses_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get(reverse("articles:feed"))


def _entry_for(client, article: Article) -> ET.Element:
    for entry in _entries(client):
        if entry.find(f"{ATOM}link").get("href").endswith(article.get_absolute_url()):
            return entry
    raise AssertionError(f"{article.number} is not in the feed")


def test_a_heading_does_not_run_into_the_next_sentence(client):
    article = next(iter(newest_articles(1)))
    article.body = "<h3>会议概况</h3><p>3月12日，会议在广州召开。</p>"
    article.subtitle = ""
    article.save()
    summary = _entry_for(client, article).find(f"{ATOM}summary").text
    assert summary.startswith("会议概况 3月12日，会议在广州召开。")


def test_an_imported_article_is_dated_by_its_issue_and_shows_its_source_date(client):
    article = Article.objects.published().get(issue__year=2024, issue__number=2, number="1.1.3")
    assert article.published_at is None and article.issue.published_at is None  # as imported
    entry = _entry_for(client, article)
    # No 出版日期 in the seed: the half-year 第02期 stands for, not the time of the import.
    assert entry.find(f"{ATOM}published").text.startswith("2024-07-01T00:00:00")
    article.issue.publication_date = datetime.date(2024, 9, 30)
    article.issue.save()
    article.source_date = datetime.date(2023, 7, 5)
    article.save()
    entry = _entry_for(client, article)
    assert entry.find(f"{ATOM}published").text.startswith("2024-09-30T00:00:00")
    summary = entry.find(f"{ATOM}summary").text
    assert summary.endswith(f"信息来源：{article.source_name or article.source}（2023年7月5日）")
