"""Lists of published articles across issues: by section title, by source, by tag; and an
article's neighbours in printed order."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from taggit.models import Tag

from articles.models import Article


def _listing(queryset: QuerySet) -> QuerySet:
    return (
        queryset.select_related("issue", "section", "section__parent")
        .order_by("-issue__year", "-issue__number", "position")
        .distinct()
    )


def in_section(title: str) -> QuerySet:
    """Every published article filed under a section of that title (重要通知) or under one of its
    subsections (职教动态 › 重要通知), in all issues."""
    return _listing(
        Article.objects.published().filter(
            Q(section__title=title) | Q(section__parent__title=title)
        )
    )


def from_source(source: str) -> QuerySet:
    """Every published excerpt from a source: by the label before the colon (中国教育报：…) or
    by the 信息来源 line, printed with or without book-title marks (《中国教育报》)."""
    bare = source.strip("《》")
    return _listing(
        Article.objects.published().filter(
            Q(source__in=[bare, f"《{bare}》"]) | Q(source_name__in=[bare, f"《{bare}》"])
        )
    )


def tagged(tag: Tag) -> QuerySet:
    return _listing(Article.objects.published().filter(tags=tag))


@dataclass
class Neighbours:
    previous: Article | None
    next: Article | None


def neighbours(article: Article) -> Neighbours:
    """The published articles printed just before and after ``article`` in its issue."""
    siblings = Article.objects.published().filter(issue_id=article.issue_id).select_related("issue")
    return Neighbours(
        previous=siblings.filter(position__lt=article.position).order_by("-position").first(),
        next=siblings.filter(position__gt=article.position).order_by("position").first(),
    )


@dataclass
class Group:
    name: str
    count: int
    slug: str = ""


def index_groups() -> dict[str, list[Group]]:
    """Section titles (top sections count the articles of their subsections too), sources and tags
    with their numbers of published articles. Three grouped queries."""
    published = Article.objects.published().order_by()
    by_section: Counter[str] = Counter()
    for row in published.values("section__title", "section__parent__title").annotate(n=Count("pk")):
        by_section[row["section__title"]] += row["n"]
        if row["section__parent__title"]:
            by_section[row["section__parent__title"]] += row["n"]
    sources = published.exclude(source="").values("source").annotate(n=Count("pk"))
    tags = (
        Tag.objects.filter(article__in=published)
        .annotate(n=Count("article", distinct=True))
        .order_by("-n", "name")
    )
    return {
        "sections": [
            Group(title, n) for title, n in sorted(by_section.items(), key=lambda i: (-i[1], i[0]))
        ],
        "sources": [
            Group(row["source"], row["n"])
            for row in sorted(sources, key=lambda r: (-r["n"], r["source"]))
        ],
        "tags": [Group(tag.name, tag.n, tag.slug) for tag in tags],
    }
