"""The figures the admin shows and the CSV exports: one function per page, a fixed number of
queries each whatever the data (each sums the daily rows of a period in one GROUP BY and looks
the items up in one query per model), and the CSV is written from the same rows the page shows.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth

from articles.models import Article
from communities.chart import Chart, monthly_chart
from communities.models import Community, Organization
from issues.models import Issue
from readership.models import (
    DOWNLOAD_KINDS,
    PAGE_KINDS,
    DailyCount,
    DailySearch,
    Kind,
)

TOP = 20


@dataclass(frozen=True)
class Period:
    param: str  # as in the URL: "30", "365", "all" or a year such as "2025"
    label: str
    start: date | None
    end: date

    def q(self) -> Q:
        q = Q(day__lte=self.end)
        return q & Q(day__gte=self.start) if self.start else q

    @property
    def filename(self) -> str:
        return f"{self.start or 'all'}_{self.end}"


def period_from(value: str | None, today: date) -> Period:
    """The period a URL asks for; anything else is the last 30 days."""
    value = (value or "").strip()
    if value == "365":
        return Period("365", "近一年", today - timedelta(days=364), today)
    if value == "all":
        return Period("all", "全部", None, today)
    if value.isdigit() and len(value) == 4 and 2000 <= int(value) <= today.year:
        year = int(value)
        return Period(value, f"{year}年", date(year, 1, 1), min(date(year, 12, 31), today))
    return Period("30", "近 30 天", today - timedelta(days=29), today)


@dataclass
class Figure:
    views: int = 0
    readers: int = 0

    def add(self, views: int, readers: int) -> None:
        self.views += views
        self.readers += readers


@dataclass
class ArticleRow:
    article: Article
    page: Figure = field(default_factory=Figure)
    pdf: Figure = field(default_factory=Figure)


@dataclass
class IssueRow:
    issue: Issue
    page: Figure = field(default_factory=Figure)  # the issue's own page
    articles: Figure = field(default_factory=Figure)  # its articles' pages
    pdf: Figure = field(default_factory=Figure)  # the issue's PDF and its articles' PDFs
    total: Figure = field(default_factory=Figure)  # readers counted once a day across all


@dataclass
class SectionRow:
    title: str
    articles: int = 0
    page: Figure = field(default_factory=Figure)
    pdf: Figure = field(default_factory=Figure)


@dataclass
class OtherRow:
    label: str
    url: str
    figure: Figure


@dataclass
class Overview:
    period: Period
    totals: list[tuple[str, Figure]]
    issues: list[IssueRow]
    articles: list[ArticleRow]  # every article with a count, most read first
    others: list[OtherRow]  # communities and organisations, most read first
    chart: Chart | None

    @property
    def top_articles(self) -> list[ArticleRow]:
        return self.articles[:TOP]


def _sums(q: Q) -> dict[tuple[str, int | None], Figure]:
    sums: dict[tuple[str, int | None], Figure] = defaultdict(Figure)
    rows = (
        DailyCount.objects.filter(q)
        .values("kind", "object_id")
        .annotate(views=Sum("views"), readers=Sum("readers"))
        .order_by()
    )
    for row in rows:
        sums[row["kind"], row["object_id"]].add(row["views"], row["readers"])
    return sums


def _monthly(q: Q) -> Chart | None:
    rows = (
        DailyCount.objects.filter(q)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(views=Sum("views"))
        .order_by("month")
    )
    return monthly_chart([(r["month"].year, r["month"].month, r["views"]) for r in rows])


def _articles(ids) -> dict[int, Article]:
    return (
        Article.objects.select_related("issue", "section")
        .only("number", "title", "issue__year", "issue__number", "section__title")
        .in_bulk(list(ids))
    )


def overview(period: Period) -> Overview:
    """Totals per kind, per issue, the most read articles and pages, views per month."""
    sums = _sums(period.q())
    totals: dict[str, Figure] = {kind: Figure() for kind in (*PAGE_KINDS, *DOWNLOAD_KINDS)}
    for (kind, _), figure in sums.items():
        if kind in totals:
            totals[kind].add(figure.views, figure.readers)
    searches = DailySearch.objects.filter(period.q()).aggregate(
        views=Sum("searches"), readers=Sum("readers")
    )
    articles = _articles(
        pk for (kind, pk) in sums if kind in (Kind.ARTICLE, Kind.ARTICLE_PDF) and pk
    )
    issue_ids = {
        pk for (kind, pk) in sums if kind in (Kind.ISSUE, Kind.ISSUE_PDF, Kind.ISSUE_TOTAL)
    }
    issue_ids |= {a.issue_id for a in articles.values()}
    issues = {pk: IssueRow(issue) for pk, issue in Issue.objects.in_bulk(list(issue_ids)).items()}
    article_rows: dict[int, ArticleRow] = {}
    for (kind, pk), figure in sums.items():
        if kind in (Kind.ARTICLE, Kind.ARTICLE_PDF) and pk in articles:
            row = article_rows.setdefault(pk, ArticleRow(articles[pk]))
            issue = issues[articles[pk].issue_id]
            if kind == Kind.ARTICLE:
                row.page.add(figure.views, figure.readers)
                issue.articles.add(figure.views, figure.readers)
            else:
                row.pdf.add(figure.views, figure.readers)
                issue.pdf.add(figure.views, figure.readers)
        elif pk in issues and kind == Kind.ISSUE:
            issues[pk].page.add(figure.views, figure.readers)
        elif pk in issues and kind == Kind.ISSUE_PDF:
            issues[pk].pdf.add(figure.views, figure.readers)
        elif pk in issues and kind == Kind.ISSUE_TOTAL:
            issues[pk].total.add(figure.views, figure.readers)
    communities = Community.objects.in_bulk(
        [pk for (kind, pk) in sums if kind == Kind.COMMUNITY and pk]
    )
    organizations = Organization.objects.in_bulk(
        [pk for (kind, pk) in sums if kind == Kind.ORGANIZATION and pk]
    )
    others = [
        OtherRow(str(obj), obj.get_absolute_url(), sums[kind, pk])
        for kind, found in ((Kind.COMMUNITY, communities), (Kind.ORGANIZATION, organizations))
        for pk, obj in found.items()
    ]
    return Overview(
        period=period,
        totals=[(Kind(kind).label, figure) for kind, figure in totals.items()]
        + [("检索", Figure(searches["views"] or 0, searches["readers"] or 0))],
        issues=sorted(issues.values(), key=lambda r: (-r.issue.year, -r.issue.number)),
        articles=sorted(
            article_rows.values(),
            key=lambda r: (-r.page.views, -r.pdf.views, r.article.issue_id, r.article.pk),
        ),
        others=sorted(others, key=lambda r: -r.figure.views)[:TOP],
        chart=_monthly(period.q() & Q(kind__in=PAGE_KINDS)),
    )


@dataclass
class IssueReport:
    period: Period
    row: IssueRow
    sections: list[SectionRow]
    articles: list[ArticleRow]  # in the issue's order, counted or not
    chart: Chart | None


def issue_report(issue: Issue, period: Period) -> IssueReport:
    """One issue: per section, per article (in the issue's order), per month."""
    articles = list(
        Article.objects.filter(issue=issue)
        .select_related("issue", "section", "section__parent")
        .only(
            "number",
            "title",
            "issue__year",
            "issue__number",
            "section__title",
            "section__parent__title",
        )
        .order_by("position", "pk")
    )
    ids = [a.pk for a in articles]
    mine = Q(kind__in=(Kind.ARTICLE, Kind.ARTICLE_PDF), object_id__in=ids) | Q(
        kind__in=(Kind.ISSUE, Kind.ISSUE_PDF, Kind.ISSUE_TOTAL), object_id=issue.pk
    )
    sums = _sums(period.q() & mine)
    row = IssueRow(issue)
    row.page = sums.get((Kind.ISSUE, issue.pk), Figure())
    row.total = sums.get((Kind.ISSUE_TOTAL, issue.pk), Figure())
    row.pdf.add(**vars(sums.get((Kind.ISSUE_PDF, issue.pk), Figure())))
    article_rows, sections = [], {}
    for article in articles:
        a = ArticleRow(
            article,
            sums.get((Kind.ARTICLE, article.pk), Figure()),
            sums.get((Kind.ARTICLE_PDF, article.pk), Figure()),
        )
        article_rows.append(a)
        row.articles.add(a.page.views, a.page.readers)
        row.pdf.add(a.pdf.views, a.pdf.readers)
        section = article.section
        title = f"{section.parent.title} · {section.title}" if section.parent else section.title
        s = sections.setdefault(section.pk, SectionRow(title))
        s.articles += 1
        s.page.add(a.page.views, a.page.readers)
        s.pdf.add(a.pdf.views, a.pdf.readers)
    chart = _monthly(period.q() & Q(kind=Kind.ISSUE_TOTAL, object_id=issue.pk))
    return IssueReport(period, row, list(sections.values()), article_rows, chart)


# --- CSV for the 年度总结 -------------------------------------------------------------------------

CSV_HEADER = [
    "类别",
    "期刊",
    "编号",
    "标题",
    "栏目",
    "浏览",
    "其中期刊页",
    "PDF 下载",
    "读者（人·日）",
]


def csv_rows(report: Overview) -> list[list[str | int]]:
    """The overview's tables as rows: the totals (downloads in 浏览 for the download kinds),
    every issue (浏览: its page and its articles' pages), every counted article."""
    rows: list[list[str | int]] = [
        ["合计", "", "", label, "", figure.views, "", "", figure.readers]
        for label, figure in report.totals
    ]
    for r in report.issues:
        rows.append(
            ["期刊", r.issue.label, "", r.issue.title, "", r.page.views + r.articles.views,
             r.page.views, r.pdf.views, r.total.readers]
        )  # fmt: skip
    for a in report.articles:
        rows.append(
            ["文章", a.article.issue.label, a.article.number, a.article.title,
             a.article.section.title, a.page.views, "", a.pdf.views, a.page.readers]
        )  # fmt: skip
    return rows


def to_csv(rows: list[list[str | int]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    # A BOM, so that Excel (what the 年度总结 is written with) reads the Chinese as UTF-8.
    return "\ufeff" + out.getvalue()


# --- searches ----------------------------------------------------------------------------------


@dataclass
class SearchRow:
    query: str
    kind: str
    searches: int = 0
    readers: int = 0
    results: int | None = None
    last_day: date | None = None


@dataclass
class SearchReport:
    period: Period
    none: list[SearchRow]  # no results the last time it was searched
    few: list[SearchRow]  # 1 to ``few_limit`` results
    top: list[SearchRow]
    few_limit: int


def search_report(period: Period, *, few: int, limit: int = 100) -> SearchReport:
    """Queries of the period, summed over days; the results as of the last day searched."""
    rows: dict[tuple[str, str], SearchRow] = {}
    found = (
        DailySearch.objects.filter(period.q())
        .order_by("day")
        .values_list("query", "kind", "searches", "readers", "results", "day")
    )
    for query, kind, searches, readers, results, day in found:
        row = rows.setdefault((query, kind), SearchRow(query, kind))
        row.searches += searches
        row.readers += readers
        row.results, row.last_day = results, day
    ordered = sorted(rows.values(), key=lambda r: (-r.searches, -r.readers, r.query))
    return SearchReport(
        period=period,
        none=[r for r in ordered if r.results == 0][:limit],
        few=[r for r in ordered if r.results is not None and 0 < r.results <= few][:limit],
        top=ordered[:limit],
        few_limit=few,
    )


def search_csv_rows(report: SearchReport) -> list[list[str | int]]:
    return [
        [r.query, r.kind, r.searches, r.readers, "" if r.results is None else r.results]
        for r in report.top
    ]
