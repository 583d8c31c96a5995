"""The archive: published issues, each with what its card shows — the number of its published
articles, its top sections, its date."""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, QuerySet

from core.publishing import visible_q
from issues.models import Issue, Section
from issues.next_issue import ISSUES_PER_YEAR


def published_issues() -> QuerySet:
    """Published issues, newest first, each with ``article_count``: one query."""
    return (
        Issue.objects.published()
        .annotate(article_count=Count("articles", filter=visible_q("articles__")))
        .order_by("-year", "-number")
    )


def archive_cards() -> QuerySet:
    """The archive's issues, each also with ``top_sections`` (first-level, in print order)."""
    top = Section.objects.filter(parent=None).order_by("position")
    return published_issues().prefetch_related(
        Prefetch("sections", queryset=top, to_attr="top_sections")
    )


def issue_date(issue: Issue) -> datetime.date:
    """The issue's 出版日期; without one, the first day of the half-year a 第01/02期 stands for."""
    if issue.publication_date:
        return issue.publication_date
    months = 12 // ISSUES_PER_YEAR
    number = min(max(issue.number, 1), ISSUES_PER_YEAR)
    return datetime.date(issue.year, 1 + months * (number - 1), 1)


def issue_period(issue: Issue) -> str:
    """When the issue appeared, as a reader says it: its 出版日期, else 2024年下半年."""
    if issue.publication_date:
        day = issue.publication_date
        return f"{day.year}年{day.month}月{day.day}日"
    if ISSUES_PER_YEAR == 2 and issue.number in (1, 2):
        return f"{issue.year}年{'上' if issue.number == 1 else '下'}半年"
    return f"{issue.year}年"
