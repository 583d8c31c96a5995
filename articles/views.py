from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from articles.models import Article


def article_detail(request: HttpRequest, year: int, number: int, article: str) -> HttpResponse:
    obj = get_object_or_404(
        Article.objects.published().select_related("issue", "section", "section__parent"),
        issue__year=year, issue__number=number, number=article,
    )
    return render(request, "articles/detail.html", {"article": obj})
