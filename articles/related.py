"""Related articles: other published articles sharing tags with an article, most shared first."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from articles.models import Article

RELATED_LIMIT = 5


def related_articles(article: Article, *, limit: int = RELATED_LIMIT) -> QuerySet:
    """Published articles sharing at least one tag with ``article``, ranked by how many they
    share, then newest issue first. One query (two with the article's own tags)."""
    tag_ids = [tag.pk for tag in article.tags.all()]
    if not tag_ids:
        return Article.objects.none()
    return (
        Article.objects.published()
        .filter(tags__in=tag_ids)
        .exclude(pk=article.pk)
        .annotate(shared=Count("tags", distinct=True))
        .select_related("issue", "section", "section__parent")
        .order_by("-shared", "-issue__year", "-issue__number", "position")[:limit]
    )
