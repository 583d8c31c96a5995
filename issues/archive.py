"""The archive: published issues with the number of their published articles."""

from django.db.models import Count, QuerySet

from core.publishing import visible_q
from issues.models import Issue


def published_issues() -> QuerySet:
    """Published issues, newest first, each with ``article_count``: one query."""
    return (
        Issue.objects.published()
        .annotate(article_count=Count("articles", filter=visible_q("articles__")))
        .order_by("-year", "-number")
    )
