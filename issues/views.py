"""The public pages of issues: home, archive, one issue with its 目录."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from articles.feeds import newest_lines
from articles.toc import table_of_contents
from communities import summary
from core.pagecache import published_page
from core.publishing import can_preview, is_visible
from issues.archive import archive_cards, issue_period
from issues.models import Issue

NEWEST_ON_HOME = 6


@published_page
def home(request: HttpRequest) -> HttpResponse:
    latest = Issue.objects.published().first()
    figures = summary.figures()
    return render(
        request,
        "issues/home.html",
        {
            "issue": latest,
            "toc": table_of_contents(latest, lines=True) if latest else [],
            "newest": newest_lines(NEWEST_ON_HOME),
            "figures": figures,
        },
    )


@published_page
def archive(request: HttpRequest) -> HttpResponse:
    issues = list(archive_cards())
    for issue in issues:
        issue.period = issue_period(issue)
    return render(request, "issues/archive.html", {"issues": issues})


@published_page
def issue_detail(request: HttpRequest, year: int, number: int) -> HttpResponse:
    issue = get_object_or_404(
        Issue.objects.viewable_by(request.user).select_related("appendix"), year=year, number=number
    )
    preview = can_preview(request.user, Issue)
    return render(
        request,
        "issues/detail.html",
        {
            "issue": issue,
            "toc": table_of_contents(issue, include_unpublished=preview, lines=True),
            "preview": preview and not is_visible(issue, timezone.now()),
        },
    )


def issue_wechat(request: HttpRequest, year: int, number: int) -> HttpResponse:
    """The issue's 目录 for a 公众号 post (articles.wechat)."""
    from articles.wechat import toc_copy

    issue = get_object_or_404(Issue.objects.published(), year=year, number=number)
    copy = toc_copy(issue, table_of_contents(issue))
    return render(
        request,
        "articles/wechat.html",
        {"copy": copy, "title": f"{issue.label} 目录", "back": issue.get_absolute_url()},
    )
