from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from issues.models import Issue
from issues.toc import table_of_contents


def home(request: HttpRequest) -> HttpResponse:
    latest = Issue.objects.published().first()
    toc = table_of_contents(latest) if latest else []
    return render(request, "issues/home.html", {"issue": latest, "toc": toc})


def archive(request: HttpRequest) -> HttpResponse:
    issues = Issue.objects.published().order_by("-year", "-number")
    return render(request, "issues/archive.html", {"issues": issues})


def issue_detail(request: HttpRequest, year: int, number: int) -> HttpResponse:
    issue = get_object_or_404(Issue.objects.published(), year=year, number=number)
    return render(request, "issues/detail.html",
                  {"issue": issue, "toc": table_of_contents(issue)})
