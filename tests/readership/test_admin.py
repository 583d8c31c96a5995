"""阅读统计 in the admin: who sees it, that it renders in a fixed number of queries, that the CSV
says what the page says; the searches that found nothing, with the 素材库 link; "阅读 N 次"."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from issues.models import Issue
from readership import rollup
from readership.models import DailyCount, DailySearch, Kind
from tests.seeds import SEED_ARTICLE

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("admin:readership_dailycount_changelist")
SEARCHES = reverse("admin:readership_dailysearch_changelist")


def _fill(articles: int, days: int = 3) -> None:
    """Daily rows for the first ``articles`` articles of each seed issue over ``days`` days."""
    today = timezone.localdate()
    rows = []
    for issue in Issue.objects.all():
        chosen = list(Article.objects.filter(issue=issue).order_by("position")[:articles])
        for back in range(days):
            day = today - timedelta(days=back)
            rows.append(
                DailyCount(day=day, kind=Kind.ISSUE, object_id=issue.pk, views=3, readers=2)
            )
            rows.append(
                DailyCount(day=day, kind=Kind.ISSUE_PDF, object_id=issue.pk, views=1, readers=1)
            )
            rows.append(
                DailyCount(day=day, kind=Kind.ISSUE_TOTAL, object_id=issue.pk, views=9, readers=4)
            )
            for i, a in enumerate(chosen):
                rows.append(
                    DailyCount(day=day, kind=Kind.ARTICLE, object_id=a.pk, views=i + 1, readers=1)
                )
                rows.append(
                    DailyCount(day=day, kind=Kind.ARTICLE_PDF, object_id=a.pk, views=1, readers=1)
                )
    DailyCount.objects.bulk_create(rows)  # fmt: skip


def test_editors_see_the_figures_teachers_do_not(client, editor, teacher):
    _fill(3)
    client.force_login(teacher)
    assert client.get(OVERVIEW).status_code == 302  # to the admin's login
    client.force_login(editor)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    page = response.content.decode()
    assert "阅读最多的文章" in page and "2024年第02期" in page and "<svg" in page


def test_the_overview_renders_in_a_fixed_number_of_queries(admin_client):
    _fill(2)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(OVERVIEW + "?period=365").status_code == 200
    DailyCount.objects.all().delete()
    _fill(20, days=10)
    with CaptureQueriesContext(connection) as many:
        assert admin_client.get(OVERVIEW + "?period=365").status_code == 200
    assert len(many) == len(few) <= 15


def test_the_issue_page_renders_in_a_fixed_number_of_queries(admin_client):
    issue = Issue.objects.get(year=2024, number=2)
    url = OVERVIEW + f"?period=all&issue={issue.pk}"
    _fill(2)
    with CaptureQueriesContext(connection) as few:
        response = admin_client.get(url)
    DailyCount.objects.all().delete()
    _fill(30, days=10)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)
    assert len(many) == len(few) <= 15
    report = response.context["report"]
    assert sum(s.page.views for s in report.sections) == report.row.articles.views
    assert report.row.articles.views == sum(a.page.views for a in report.articles)
    assert sum(s.articles for s in report.sections) == Article.objects.filter(issue=issue).count()


def test_the_csv_says_what_the_page_says(admin_client):
    _fill(25)
    page = admin_client.get(OVERVIEW + "?period=30")
    report = page.context["report"]
    response = admin_client.get(OVERVIEW + "?period=30&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, rows = rows[0], rows[1:]
    assert header[0] == "类别"
    issues = {r[1]: r for r in rows if r[0] == "期刊"}
    for r in report.issues:
        line = issues[r.issue.label]
        assert [int(x) for x in line[5:9]] == [
            r.page.views + r.articles.views, r.page.views, r.pdf.views, r.total.readers
        ]  # fmt: skip
    articles = {(r[1], r[2]): r for r in rows if r[0] == "文章"}
    assert len(articles) == len(report.articles) == 50
    for a in report.top_articles:
        line = articles[a.article.issue.label, a.article.number]
        assert (int(line[5]), int(line[7]), int(line[8])) == (
            a.page.views, a.pdf.views, a.page.readers
        )  # fmt: skip
    totals = {r[3]: r for r in rows if r[0] == "合计"}
    for label, figure in report.totals:
        assert (int(totals[label][5]), int(totals[label][8])) == (figure.views, figure.readers)
    # The page shows the same numbers for the first issue.
    first = report.issues[0]
    assert f'<td class="num">{first.page.views}</td>' in page.content.decode()


def test_a_year_and_the_most_read_of_30_days(admin_client):
    today = timezone.localdate()
    article = Article.objects.get(issue__year=2024, issue__number=2, number=SEED_ARTICLE)
    DailyCount.objects.create(day=today, kind=Kind.ARTICLE, object_id=article.pk, views=7)
    DailyCount.objects.create(
        day=today - timedelta(days=100), kind=Kind.ARTICLE, object_id=article.pk, views=5
    )
    month = admin_client.get(OVERVIEW).context["report"]
    year = admin_client.get(OVERVIEW + "?period=365").context["report"]
    assert month.top_articles[0].page.views == 7
    assert year.top_articles[0].page.views == 12


def test_searches_without_results_come_first_with_a_link_to_the_sources(admin_client):
    today = timezone.localdate()
    DailySearch.objects.bulk_create(
        DailySearch(day=today, kind="article", query=q, searches=n, readers=r, results=found)
        for q, n, r, found in [
            ("人工智能 教材", 9, 5, 0),
            ("冷门", 2, 2, 0),
            ("少见", 4, 3, 2),
            ("产教融合", 50, 30, 80),
        ]
    )
    response = admin_client.get(SEARCHES)
    assert response.status_code == 200
    report = response.context["report"]
    assert [r.query for r in report.none] == ["人工智能 教材", "冷门"]
    assert [r.query for r in report.few] == ["少见"]
    page = response.content.decode()
    assert (
        "/admin/sources/candidate/?q=%E4%BA%BA%E5%B7%A5%E6%99%BA%E8%83%BD+%E6%95%99%E6%9D%90"
        in page
    )
    assert "在素材库中找" in page


def test_the_rollup_button(admin_client, reader):
    article = Article.objects.get(issue__year=2024, issue__number=2, number=SEED_ARTICLE)
    reader.get(article.get_absolute_url())
    response = admin_client.post(OVERVIEW + "?period=30")
    assert response.status_code == 302
    assert DailyCount.objects.filter(kind=Kind.ARTICLE, object_id=article.pk).exists()
    assert rollup.last_run() is not None


def test_the_read_count_line_is_off_by_default(client, settings):
    article = Article.objects.get(issue__year=2024, issue__number=2, number=SEED_ARTICLE)
    DailyCount.objects.create(
        day=timezone.localdate(), kind=Kind.ARTICLE, object_id=article.pk, views=42
    )
    assert "阅读 42 次" not in client.get(article.get_absolute_url()).content.decode()
    settings.ZHIJIAO_READERSHIP_SHOW_COUNT = True
    from django.core.cache import caches

    caches["pages"].clear()
    assert "阅读 42 次" in client.get(article.get_absolute_url()).content.decode()
