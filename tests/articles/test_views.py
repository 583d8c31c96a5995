"""Article pages, lists across issues, related articles and the article API, on the real seeds."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import listings
from articles.models import Article
from core.changes import content_change
from core.publishing import Status
from tests.queries import counted_queries
from tests.seeds import SEED_ARTICLE

pytestmark = pytest.mark.django_db


def _article(number: str, issue: int = 2) -> Article:
    return Article.objects.select_related("issue", "section__parent").get(
        issue__year=2024, issue__number=issue, number=number
    )


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_article_page_has_breadcrumb_heading_and_provenance(client):
    article = _article(SEED_ARTICLE)
    html = _html(client.get(article.get_absolute_url()))
    crumbs = re.search(r'<nav class="wrap breadcrumb" aria-label="位置">(.*?)</nav>', html, re.S)
    assert crumbs
    texts = re.findall(r">([^<>]+)</a>", crumbs.group(1))
    assert texts == [article.issue.label, article.section.parent.title, article.section.title]
    assert f"<h1>{article.title}</h1>" in html
    assert f'<span class="num">{article.number}</span>' in html
    assert article.source and article.source in html
    assert article.source_name in html
    assert f"第 {article.page_label} 页" in html


def test_article_body_keeps_paragraphs_and_subheadings(client):
    article = _article(SEED_ARTICLE)
    html = _html(client.get(article.get_absolute_url()))
    body = html[html.index('<div class="body">') :]
    assert body.count("<p>") >= article.body.count("<p>") > 1
    assert "<h3>" in article.body and body.count("<h3>") >= article.body.count("<h3>")


def test_previous_and_next_follow_the_printed_order(client):
    article = _article("1.2.8")  # printed before 1.2.7
    siblings = list(Article.objects.published().filter(issue=article.issue).order_by("position"))
    i = siblings.index(article)
    html = _html(client.get(article.get_absolute_url()))
    assert f'rel="prev" href="{siblings[i - 1].get_absolute_url()}"' in html
    assert f'rel="next" href="{siblings[i + 1].get_absolute_url()}"' in html
    assert siblings[i + 1].number == "1.2.7"


def test_first_article_has_no_previous(client):
    first = Article.objects.published().filter(issue__number=2).order_by("position").first()
    html = _html(client.get(first.get_absolute_url()))
    assert 'rel="prev"' not in html and 'rel="next"' in html


def test_draft_neighbour_is_skipped(client):
    article = _article("1.1.2")
    draft = _article("1.1.3")
    draft.status = Status.DRAFT
    draft.save()
    html = _html(client.get(article.get_absolute_url()))
    assert draft.get_absolute_url() not in html
    assert f'rel="next" href="{_article("1.1.4").get_absolute_url()}"' in html


def test_draft_article_is_404(client):
    article = _article("1.1.1")
    article.status = Status.DRAFT
    article.save()
    assert client.get(article.get_absolute_url()).status_code == 404
    assert client.get(reverse("api:article", args=[article.pk])).status_code == 404


def test_section_list_spans_issues_and_subsections(client):
    title = "职教动态"  # a top section in both seed issues
    expected = Article.objects.published().filter(section__parent__title=title).count()
    assert expected > 0
    html = _html(client.get(reverse("articles:section", args=[title])))
    assert f"各期共 {expected} 篇文章" in html
    assert {"2024年第01期", "2024年第02期"} <= set(re.findall(r"2024年第0\d期", html))


def test_source_list_finds_label_and_provenance(client):
    expected = {
        a.pk
        for a in Article.objects.published()
        if a.source == "中国教育报" or a.source_name.strip("《》") == "中国教育报"
    }
    assert len(expected) > 3  # the three 中国教育报：… plus excerpts whose 信息来源 names it
    assert {a.pk for a in listings.from_source("中国教育报")} == expected
    html = _html(client.get(reverse("articles:source", args=["中国教育报"])))
    assert f"各期共 {len(expected)} 篇文章" in html


def test_tag_list_and_pagination(client, settings):
    articles = list(Article.objects.published().order_by("pk")[:25])
    for article in articles:
        article.tags.add("测试标签")
    tag = Tag.objects.get(name="测试标签")
    first = _html(client.get(reverse("articles:tag", args=[tag.slug])))
    assert "各期共 25 篇文章" in first and "第 1 / 2 页" in first
    second = _html(client.get(reverse("articles:tag", args=[tag.slug]), {"page": 2}))
    assert "第 2 / 2 页" in second
    assert first.count('<li class="card">') + second.count('<li class="card">') == 25


def test_unknown_or_draft_only_list_is_404(client):
    assert client.get(reverse("articles:section", args=["没有这个栏目"])).status_code == 404
    assert client.get(reverse("articles:tag", args=["no-such-tag"])).status_code == 404
    only = _article("4.2.2")
    assert Article.objects.filter(source=only.source).count() == 1
    only.status = Status.DRAFT
    only.save()
    assert client.get(reverse("articles:source", args=[only.source])).status_code == 404


def test_index_lists_sections_and_sources_with_counts(client):
    html = _html(client.get(reverse("articles:index")))
    count = Article.objects.published().filter(section__title="重要通知").count()
    assert f'重要通知 <span class="count">{count}</span>' in html
    # A top section counts the articles of its subsections, in every issue.
    top = Article.objects.published().filter(
        Q(section__title="职教动态") | Q(section__parent__title="职教动态")
    )
    assert f'职教动态 <span class="count">{top.count()}</span>' in html
    assert reverse("articles:source", args=["中国教育报"]) in html
    # A topic label is no source, a place label has a group of its own (issue 14).
    assert reverse("articles:source", args=["产教融合"]) not in html
    assert reverse("articles:place", args=["山东"]) in html


def test_article_page_lists_mentions(client):
    article = _article(SEED_ARTICLE)
    html = _html(client.get(article.get_absolute_url()))
    section = html[html.index("文中提及的产教融合共同体与单位") :]
    for mention in article.mentions.select_related("community", "organization"):
        target = mention.community or mention.organization
        assert target.get_absolute_url() in section


@pytest.mark.usefixtures("no_page_cache")
@pytest.mark.parametrize(
    "name, args, limit",
    [
        ("articles:detail", [2024, 2, SEED_ARTICLE], 5),
        ("articles:section", ["职教动态"], 4),
        ("articles:source", ["中国教育报"], 4),
        ("articles:place", ["广州"], 4),
        ("articles:index", [], 5),
    ],
)
def test_article_pages_use_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, no_page_cache, name, args, limit
):
    # Tags and related articles must not add queries. One unit of work for all the tagging, as a
    # bulk edit is: the derived data follows once, not after each article.
    with content_change():
        for article in Article.objects.all():
            article.tags.add("职业教育")
    # The first page after a change works out the related articles of every article once per
    # process (articles/similar.py); what is bounded is each page after that.
    assert client.get(reverse(name, args=args)).status_code == 200
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(name, args=args)).status_code == 200


# --- API ---------------------------------------------------------------------------------------


def test_api_article_has_the_documented_fields(client):
    article = _article(SEED_ARTICLE)
    article.tags.add("测试标签")
    data = client.get(reverse("api:article", args=[article.pk])).json()
    assert data["issue"] == {"year": 2024, "number": 2}
    assert {k: data[k] for k in ("number", "title", "toc_title", "source")} == {
        "number": article.number,
        "title": article.title,
        "toc_title": article.toc_title,
        "source": article.source,
    }
    assert data["page"] == article.page_start and data["pages"] == article.page_label
    assert data["tags"] == sorted(article.tags.names()) and "测试标签" in data["tags"]
    assert data["url"].endswith(article.get_absolute_url())
    assert data["section"] == [article.section.parent.title, article.section.title]
    names = {c["name"] for c in data["communities"]}
    assert names == {m.community.name for m in article.mentions.filter(community__isnull=False)}


# --- what an article page costs (issue 14) ------------------------------------------------------


@pytest.mark.usefixtures("no_page_cache")
@pytest.mark.parametrize("number, issue", [(SEED_ARTICLE, 2), ("1.1.1", 2), ("1.1.4", 1)])
def test_an_article_page_reads_five_narrow_queries(client, number, issue):
    url = _article(number, issue).get_absolute_url()
    client.get(url)  # the related articles' archive is built once per content token
    with counted_queries() as queries:
        assert client.get(url).status_code == 200
    # The article with its issue and section, its tags, its neighbours, the content token
    # (related articles), its mentions: no join to the issue for what is visible, no bodies
    # but its own.
    assert len(queries) <= 5, queries
    assert sum('"body"' in sql for sql in queries) == 1


@pytest.mark.parametrize("which", ["article", "issue"])
def test_a_scheduled_article_or_issue_is_404_until_its_time(client, which):
    article = _article("1.1.2")
    item = article if which == "article" else article.issue
    item.published_at = timezone.now() + datetime.timedelta(hours=1)
    item.save()
    assert client.get(article.get_absolute_url()).status_code == 404
    item.published_at = timezone.now() - datetime.timedelta(minutes=1)
    item.save()
    assert client.get(article.get_absolute_url()).status_code == 200


def test_a_scheduled_neighbour_is_skipped(client):
    article, scheduled = _article("1.1.2"), _article("1.1.3")
    scheduled.published_at = timezone.now() + datetime.timedelta(hours=1)
    scheduled.save()
    html = _html(client.get(article.get_absolute_url()))
    assert scheduled.get_absolute_url() not in html
    assert f'rel="next" href="{_article("1.1.4").get_absolute_url()}"' in html


def test_an_editor_previewing_a_draft_issue_sees_no_neighbours(client, editor):
    article = _article("1.1.2")
    article.issue.status = Status.DRAFT
    article.issue.save()
    client.force_login(editor)
    html = _html(client.get(article.get_absolute_url()))
    assert "预览" in html and 'rel="prev"' not in html and 'rel="next"' not in html


def test_an_edit_shows_on_the_article_and_its_neighbours_pages(client):
    article, following = _article("1.1.2"), _article("1.1.3")
    client.get(article.get_absolute_url())
    client.get(following.get_absolute_url())  # both kept by the page cache
    with content_change():
        article.title = "改过的标题"
        article.save()
        article.tags.add("新标签")
    html = _html(client.get(article.get_absolute_url()))
    assert "<h1>改过的标题</h1>" in html and "新标签" in html
    assert f'rel="prev" href="{article.get_absolute_url()}"' in _html(
        client.get(following.get_absolute_url())
    )
    assert "改过的标题</a>" in _html(client.get(following.get_absolute_url()))
