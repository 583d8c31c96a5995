"""Which requests are items worth counting, named by the URL the resolver matched (never by the
views, so that pages answered from the page cache are counted like rendered ones), and how a
batch of them finds its rows' primary keys."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.http import HttpRequest

from articles.models import Article
from communities.models import Community
from issues.models import Issue
from readership.models import Kind

# view name → (kind, the URL kwargs that name the item)
ITEMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "issues:detail": (Kind.ISSUE, ("year", "number")),
    "articles:detail": (Kind.ARTICLE, ("year", "number", "article")),
    "communities:detail": (Kind.COMMUNITY, ("number",)),
    "communities:organization": (Kind.ORGANIZATION, ("pk",)),
    "pdf:issue": (Kind.ISSUE_PDF, ("year", "number")),
    "pdf:article": (Kind.ARTICLE_PDF, ("year", "number", "article")),
    "articles:attachment": (Kind.ATTACHMENT, ("pk",)),
    "communities:csv": (Kind.REGISTRY_CSV, ()),
    "communities:json": (Kind.REGISTRY_JSON, ()),
    "search:results": (Kind.SEARCH, ()),
}
# Kinds whose URL holds the primary key itself.
BY_PK = (Kind.ORGANIZATION, Kind.ATTACHMENT)


def item_of(request: HttpRequest) -> tuple[str, str] | None:
    """(kind, key) of the item this request asked for, or None for any other page."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    found = ITEMS.get(match.view_name)
    if found is None:
        return None
    kind, names = found
    return kind, "/".join(str(match.kwargs[name]) for name in names)


def resolve(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(kind, key) → primary key, for what still exists; a few queries a batch, whatever its
    size (the issues named, their articles, the communities named)."""
    keys = set(keys)
    found: dict[tuple[str, str], int] = {}
    issue_keys, community_numbers = set(), set()
    for kind, key in keys:
        if kind in BY_PK:
            found[kind, key] = int(key)
        elif kind in (Kind.ISSUE, Kind.ISSUE_PDF, Kind.ARTICLE, Kind.ARTICLE_PDF):
            year, number = key.split("/")[:2]
            issue_keys.add((int(year), int(number)))
        elif kind == Kind.COMMUNITY:
            community_numbers.add(int(key))
    if issue_keys:
        wanted = Q()
        for year, number in issue_keys:
            wanted |= Q(year=year, number=number)
        issues = {
            pk: f"{y}/{n}"
            for pk, y, n in Issue.objects.filter(wanted).values_list("pk", "year", "number")
        }
        by_key = {key: pk for pk, key in issues.items()}
        article_keys = {
            f"{issues[issue_id]}/{number}": pk
            for pk, issue_id, number in Article.objects.filter(issue__in=issues).values_list(
                "pk", "issue_id", "number"
            )
        }
        for kind, key in keys:
            if kind in (Kind.ISSUE, Kind.ISSUE_PDF) and key in by_key:
                found[kind, key] = by_key[key]
            elif kind in (Kind.ARTICLE, Kind.ARTICLE_PDF) and key in article_keys:
                found[kind, key] = article_keys[key]
    if community_numbers:
        for pk, number in Community.objects.filter(number__in=community_numbers).values_list(
            "pk", "number"
        ):
            found[Kind.COMMUNITY, str(number)] = pk
    return found
