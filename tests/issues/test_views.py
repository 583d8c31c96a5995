"""The issue pages and the issues API: home, archive, one issue with its 目录, on the real seeds."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from communities.models import Community
from core.changes import content_change
from core.publishing import Status
from issues.models import Issue, Section
from tests.queries import counted_queries
from tests.seeds import SEED_ARTICLE

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _latest() -> Issue:
    return Issue.objects.published().order_by("-year", "-number").first()


def test_home_shows_the_latest_issue_with_its_toc(client):
    latest = _latest()
    html = _html(client.get(reverse("issues:home")))
    assert latest.label in html and latest.title_en in html
    # Every published article of the latest issue is listed in the 目录, in printed order.
    numbers = list(
        Article.objects.published()
        .filter(issue=latest)
        .order_by("position")
        .values_list("number", flat=True)
    )
    positions = [html.index(f'<span class="num">{n}</span>') for n in numbers]
    assert positions == sorted(positions)


def test_home_lists_the_newest_articles_as_the_feed_orders_them(client):
    from articles.feeds import newest_articles
    from issues.views import NEWEST_ON_HOME

    html = _html(client.get(reverse("issues:home")))
    block = re.search(r'<h2 id="newest-title">.*?</ul>', html, re.S).group(0)
    cards = re.findall(
        r'<p class="meta">([^<]+)</p>\s*<h3><a href="([^"]+)">([^<]+)</a></h3>\s*'
        r'(?:<p class="meta">([^<]+)</p>)?',
        block,
    )
    expected = list(newest_articles(NEWEST_ON_HOME).select_related("issue", "section"))
    assert len(expected) == NEWEST_ON_HOME
    assert [(url, title) for _, url, title, _ in cards] == [
        (a.get_absolute_url(), a.title) for a in expected
    ]
    for (meta, _, _, source), a in zip(cards, expected, strict=True):
        assert meta == f"{a.issue.label} · {a.section.title}"
        # The outlet, else the 信息来源; a topic or place label is no source.
        assert source == (a.outlet or a.source_name)


def test_home_lists_the_registry_in_figures(client):
    html = _html(client.get(reverse("issues:home")))
    figures = re.search(r'<dt>共同体</dt><dd><a href="[^"]+">(\d+)</a>', html)
    assert figures and int(figures.group(1)) == Community.objects.count()
    assert "每月成立的共同体数" in html


def test_archive_shows_each_issue_as_a_card(client):
    html = _html(client.get(reverse("issues:archive")))
    cards = re.findall(
        r'<li class="archive-card">(.*?)</li>\s*(?=<li class="archive-card">|</ul>)', html, re.S
    )
    assert len(cards) == Issue.objects.published().count() == 2
    for card, (number, half) in zip(cards, [(2, "下"), (1, "上")], strict=True):
        issue = Issue.objects.get(year=2024, number=number)
        assert f"《职教通讯》{issue.label}</a></h3>" in card
        assert issue.publisher and f"主办：{issue.publisher}" in card
        assert (
            f"<span>2024年{half}半年</span> · <span>{issue.articles.count()} 篇文章</span>" in card
        )
        top = issue.sections.filter(parent=None).order_by("position")
        shown = re.findall(r'<li><span class="num">([^<]+)</span> ([^<]+)</li>', card)
        assert shown == [(s.number, s.title) for s in top] and len(shown) == 4
    issue = Issue.objects.get(year=2024, number=2)
    issue.publication_date = datetime.date(2024, 12, 20)
    issue.save()
    assert "<span>2024年12月20日</span>" in _html(client.get(reverse("issues:archive")))


def test_archive_groups_issues_by_year_with_article_counts(client):
    html = _html(client.get(reverse("issues:archive")))
    for issue in Issue.objects.published():
        count = Article.objects.published().filter(issue=issue).count()
        assert f"{issue.label}</a></h3>" in html and f"<span>{count} 篇文章</span>" in html
    for year in Issue.objects.published().values_list("year", flat=True).distinct():
        assert f'<h2 id="year-{year}">{year} 年</h2>' in html


def test_issue_page_prints_the_toc_in_printed_order(client):
    issue = Issue.objects.get(year=2024, number=2)
    html = _html(client.get(issue.get_absolute_url()))
    # 1.2.8 is printed before 1.2.7 in the source; the page keeps the printed order.
    assert html.index('<span class="num">1.2.8</span>') < html.index(
        '<span class="num">1.2.7</span>'
    )
    for section in Section.objects.filter(issue=issue):
        assert f"{section.number} {section.title}" in html
    for article in Article.objects.published().filter(issue=issue):
        assert article.get_absolute_url() in html
        if article.page_start:
            assert f'aria-label="第 {article.page_start} 页">{article.page_start}</span>' in html


def test_issue_page_has_notes_staff_and_the_registry_appendix(client):
    issue = Issue.objects.get(year=2024, number=2)
    html = _html(client.get(issue.get_absolute_url()))
    assert "《职教通讯》说明" in html and issue.notes.splitlines()[0] in html
    for name in (issue.chief_editor, issue.editor, issue.managing_editor):
        assert name and f"<dd>{name}</dd>" in html
    assert issue.appendix is not None
    assert issue.appendix.title in html and reverse("communities:list") in html


def test_issue_without_appendix_has_no_appendix_link(client):
    issue = Issue.objects.get(year=2024, number=1)
    assert issue.appendix is None
    assert 'class="appendix"' not in _html(client.get(issue.get_absolute_url()))


def test_draft_issue_is_not_shown_anywhere(client):
    issue = Issue.objects.get(year=2024, number=1)
    issue.status = Status.DRAFT
    issue.save()
    assert client.get(issue.get_absolute_url()).status_code == 404
    assert issue.label not in _html(client.get(reverse("issues:archive")))
    article = issue.articles.first()
    assert client.get(article.get_absolute_url()).status_code == 404
    labels = [row["label"] for row in client.get(reverse("api:issues")).json()["results"]]
    assert issue.label not in labels
    assert client.get(reverse("api:issue", args=[issue.year, issue.number])).status_code == 404


def test_draft_article_is_left_out_of_the_toc_and_counts(client):
    issue = Issue.objects.get(year=2024, number=2)
    draft = issue.articles.get(number="1.1.1")
    draft.status = Status.DRAFT
    draft.save()
    html = _html(client.get(issue.get_absolute_url()))
    assert draft.get_absolute_url() not in html
    assert draft.get_absolute_url() not in _html(client.get(reverse("issues:home")))
    published = Article.objects.published().filter(issue=issue).count()
    assert f"{published} 篇文章" in _html(client.get(reverse("issues:archive")))
    data = client.get(reverse("api:issue", args=[2024, 2])).json()
    numbers = [
        a["number"]
        for top in data["toc"]
        for node in [top, *top["children"]]
        for a in node["articles"]
    ]
    assert "1.1.1" not in numbers and len(numbers) == published == data["article_count"]


def test_scheduled_issue_appears_when_its_time_comes(client):
    import datetime

    from django.utils import timezone

    issue = Issue.objects.get(year=2024, number=1)
    issue.published_at = timezone.now() + datetime.timedelta(hours=1)
    issue.save()
    assert client.get(issue.get_absolute_url()).status_code == 404
    issue.published_at = timezone.now() - datetime.timedelta(seconds=1)
    issue.save()
    assert client.get(issue.get_absolute_url()).status_code == 200


@pytest.mark.usefixtures("no_page_cache")
@pytest.mark.parametrize(
    "name, args, limit",
    [("issues:home", [], 10), ("issues:archive", [], 3), ("issues:detail", [2024, 2], 5)],
)
def test_issue_pages_use_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, name, args, limit
):
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(name, args=args)).status_code == 200


def test_unknown_issue_is_404(client):
    assert client.get(reverse("issues:detail", args=[1999, 9])).status_code == 404


# --- API ---------------------------------------------------------------------------------------


def test_api_lists_published_issues_newest_first(client):
    data = client.get(reverse("api:issues")).json()
    expected = list(Issue.objects.published().order_by("-year", "-number"))
    assert data["count"] == len(expected)
    assert [(r["year"], r["number"]) for r in data["results"]] == [
        (i.year, i.number) for i in expected
    ]
    first = data["results"][0]
    assert first["url"].endswith(expected[0].get_absolute_url())
    assert client.get(first["api_url"]).status_code == 200


def test_api_issue_carries_its_toc_with_article_fields(client):
    issue = Issue.objects.get(year=2024, number=2)
    data = client.get(reverse("api:issue", args=[2024, 2])).json()
    assert data["label"] == issue.label and data["chief_editor"] == issue.chief_editor
    tops = [node["title"] for node in data["toc"]]
    assert tops == list(
        issue.sections.filter(parent=None).order_by("position").values_list("title", flat=True)
    )
    article = next(
        a
        for top in data["toc"]
        for child in top["children"]
        for a in child["articles"]
        if a["number"] == SEED_ARTICLE
    )
    db = issue.articles.get(number=SEED_ARTICLE)
    assert article["issue"] == {"year": 2024, "number": 2}
    assert article["title"] == db.title and article["toc_title"] == db.toc_title
    assert article["source"] == db.source and article["page"] == db.page_start
    assert article["tags"] == sorted(db.tags.names())
    assert article["url"].endswith(db.get_absolute_url())


def test_api_issue_detail_uses_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert client.get(reverse("api:issue", args=[2024, 2])).status_code == 200


def _toc_titles(html: str) -> set[str]:
    return set(re.findall(r'class="toc-section"><a href="[^"]*">([^<]+)</a>', html))


def _api_sections(data: dict) -> set[str]:
    def walk(nodes):
        for node in nodes:
            yield f"{node['number']} {node['title']}"
            yield from walk(node["children"])

    return set(walk(data["toc"]))


def test_a_section_holding_only_drafts_is_left_out_for_readers_not_for_editors(
    client, editor_client, no_page_cache
):
    from django.test import Client

    issue = Issue.objects.get(year=2024, number=2)
    top = next(s for s in issue.sections.filter(parent=None) if s.children.count() >= 2)
    sub = top.children.order_by("position").first()
    Article.objects.filter(section=sub).update(status=Status.DRAFT)
    reader = Client()
    hidden = f"{sub.number} {sub.title}"
    for html in (
        _html(reader.get(issue.get_absolute_url())),
        _html(reader.get(reverse("issues:home"))),
    ):
        assert hidden not in _toc_titles(html) and f"{top.number} {top.title}" in _toc_titles(html)
    api = reader.get(reverse("api:issue", args=[2024, 2])).json()
    assert hidden not in _api_sections(api) and f"{top.number} {top.title}" in _api_sections(api)
    # Recursively: a top section whose subsections (and itself) hold only drafts goes too.
    Article.objects.filter(Q(section=top) | Q(section__parent=top)).update(status=Status.DRAFT)
    html = _html(reader.get(issue.get_absolute_url()))
    below = {f"{s.number} {s.title}" for s in [top, *top.children.all()]}
    assert not below & _toc_titles(html)
    assert not below & _api_sections(reader.get(reverse("api:issue", args=[2024, 2])).json())
    # The editors' preview still shows every section, drafts and all.
    preview = _html(editor_client.get(issue.get_absolute_url()))
    assert below <= _toc_titles(preview)
    assert {f"{s.number} {s.title}" for s in issue.sections.all()} <= _toc_titles(preview)


# --- what the issue pages cost (issue 14) -------------------------------------------------------


@pytest.mark.usefixtures("no_page_cache")
@pytest.mark.parametrize(
    "name, args, limit", [("issues:home", [], 5), ("issues:detail", [2024, 2], 3)]
)
def test_issue_pages_read_a_few_queries_counted_per_request(client, name, args, limit):
    client.get(reverse(name, args=args))  # the registry's figures are kept after the first
    with counted_queries() as queries:
        assert client.get(reverse(name, args=args)).status_code == 200
    assert len(queries) <= limit, queries
    # The 目录 reads its articles without a join to the issue already in hand.
    toc = [sql for sql in queries if 'AS "toc_title"' in sql]
    assert len(toc) == 1 and "JOIN" not in toc[0]


def test_a_scheduled_article_is_left_out_of_the_toc_until_its_time(client):
    article = Article.objects.get(issue__year=2024, issue__number=2, number=SEED_ARTICLE)
    article.published_at = timezone.now() + datetime.timedelta(hours=1)
    article.save()
    for url in (reverse("issues:home"), article.issue.get_absolute_url()):
        assert article.get_absolute_url() not in _html(client.get(url))
    article.published_at = timezone.now() - datetime.timedelta(minutes=1)
    article.save()
    for url in (reverse("issues:home"), article.issue.get_absolute_url()):
        assert article.get_absolute_url() in _html(client.get(url))


def test_the_home_figures_block_follows_a_registry_change(client):
    def shown() -> int:
        html = _html(client.get(reverse("issues:home")))
        return int(re.search(r'<dt>共同体</dt><dd><a href="[^"]+">(\d+)</a>', html).group(1))

    before = shown()
    with content_change():
        Community.objects.order_by("number").first().delete()
    assert shown() == before - 1 == Community.objects.count()
