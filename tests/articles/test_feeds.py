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
