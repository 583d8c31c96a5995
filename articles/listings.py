"""Lists of published articles across issues: by section title, by source, by place, by tag; and
an article's neighbours in printed order.

A 来源标签 is a source only when it names an outlet (``SourceKind.OUTLET``); an article whose label
is a topic or a place, or that has none, is listed under the source its 信息来源 line names.
Topic labels are tags of their articles (the importer adds them), place labels have lists of
their own."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from taggit.models import Tag

from articles.models import Article, SourceKind, article_url
from core.links import Linked


def _listing(queryset: QuerySet) -> QuerySet:
    # No DISTINCT: every filter here follows foreign keys or one tag (an article carries a tag
    # once), so no article comes twice; and a list shows no body.
    return (
        queryset.select_related("issue", "section", "section__parent")
        .defer("body")
        .order_by("-issue__year", "-issue__number", "position")
    )


def in_section(title: str) -> QuerySet:
    """Every published article filed under a section of that title (重要通知) or under one of its
    subsections (职教动态 › 重要通知), in all issues."""
    return _listing(
        Article.objects.published().filter(
            Q(section__title=title) | Q(section__parent__title=title)
        )
    )


def source_key(name: str) -> str:
    """A source's name without the book-title marks around the whole of it (《中国教育报》 is
    中国教育报; 《职业教育》2024年第8期 stays as printed)."""
    name = name.strip()
    if len(name) > 2 and name[0] == "《" and name[-1] == "》" and "》" not in name[1:-1]:
        return name[1:-1]
    return name


def from_source(source: str) -> QuerySet:
    """Every published excerpt from a source: by an outlet label before the colon (中国教育报：…)
    or by the 信息来源 line, printed with or without book-title marks (《中国教育报》)."""
    bare = source_key(source)
    names = [bare, f"《{bare}》"]
    return _listing(
        Article.objects.published().filter(
            Q(source__in=names, source_kind=SourceKind.OUTLET) | Q(source_name__in=names)
        )
    )


def in_place(place: str) -> QuerySet:
    """Every published article labelled with that place (山东：…, 广州：…)."""
    return _listing(Article.objects.published().filter(source=place, source_kind=SourceKind.PLACE))


def label_kind(label: str) -> str:
    """The kind of a label as published articles carry it ("" if none carries it)."""
    return (
        Article.objects.published()
        .filter(source=label)
        .exclude(source_kind="")
        .values_list("source_kind", flat=True)
        .first()
        or ""
    )


def tagged(tag: Tag) -> QuerySet:
    return _listing(Article.objects.published().filter(tags=tag))


@dataclass(frozen=True)
class Sibling(Linked):
    """An article next to another, as its link shows it."""

    number: str
    title: str
    url: str


@dataclass
class Neighbours:
    previous: Sibling | None
    next: Sibling | None


def neighbours(article: Article) -> Neighbours:
    """The published articles printed just before and after ``article`` in its issue.

    One query for both, of the three columns their links show (an issue holds a few dozen
    articles), on the article table alone: what ``published()`` asks of the issue is asked of
    the issue in hand, read with the article.
    """
    issue = article.issue
    siblings = (
        Article.objects.published_in(issue)
        .exclude(position=article.position)
        .order_by("position")
        .values_list("position", "number", "title")
    )
    previous = following = None
    for position, number, title in siblings:
        if position < article.position:
            previous = (number, title)
        elif following is None:
            following = (number, title)
            break

    def sibling(found: tuple[str, str] | None) -> Sibling | None:
        if found is None:
            return None
        return Sibling(*found, url=article_url(issue.year, issue.number, found[0]))

    return Neighbours(previous=sibling(previous), next=sibling(following))


def tags_of(article: Article) -> list[Tag]:
    """The article's tags in the order they were given, for its page: one query, joining the
    tagged items alone (taggit's manager also joins the content types, by name, and DISTINCT)."""
    article_type = ContentType.objects.get_for_model(Article)  # Django keeps it per process
    return list(
        Tag.objects.filter(
            taggit_taggeditem_items__content_type_id=article_type.pk,
            taggit_taggeditem_items__object_id=article.pk,
        ).order_by("taggit_taggeditem_items__pk")
    )


@dataclass
class Group:
    name: str
    count: int
    slug: str = ""


def _by_count(counts: dict[str, int]) -> list[Group]:
    return [Group(name, n) for name, n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))]


def _sources_and_places(published: QuerySet) -> tuple[list[Group], list[Group]]:
    """Sources: outlet labels, and the 信息来源 of articles whose label is no outlet; each counted
    as ``from_source`` lists it. Places: place labels. One query."""
    rows = published.values_list("pk", "source", "source_kind", "source_name")
    names: set[str] = set()
    members: dict[str, set[int]] = {}
    places: Counter[str] = Counter()
    for pk, source, kind, source_name in rows:
        outlet = source_key(source) if kind == SourceKind.OUTLET and source.strip() else ""
        line = source_key(source_name)
        if outlet:
            names.add(outlet)
            members.setdefault(outlet, set()).add(pk)
        elif line:
            names.add(line)
        if line:
            members.setdefault(line, set()).add(pk)
        if kind == SourceKind.PLACE and source:
            places[source] += 1
    return _by_count({name: len(members[name]) for name in names}), _by_count(places)


def index_groups() -> dict[str, list[Group]]:
    """Section titles (top sections count the articles of their subsections too), sources, places
    and tags with their numbers of published articles. Three queries."""
    published = Article.objects.published().order_by()
    by_section: Counter[str] = Counter()
    for row in published.values("section__title", "section__parent__title").annotate(n=Count("pk")):
        by_section[row["section__title"]] += row["n"]
        if row["section__parent__title"]:
            by_section[row["section__parent__title"]] += row["n"]
    sources, places = _sources_and_places(published)
    tags = (
        Tag.objects.filter(article__in=published)
        .annotate(n=Count("article", distinct=True))
        .order_by("-n", "name")
    )
    return {
        "sections": _by_count(by_section),
        "sources": sources,
        "places": places,
        "tags": [Group(tag.name, tag.n, tag.slug) for tag in tags],
    }
