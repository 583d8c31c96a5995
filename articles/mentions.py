"""Which registry communities and organisations an article names.

An exact match of the stored name on the article's normalised text (title, subtitle and body, tags
stripped, spelled the way the registry spells names: spaces next to Chinese folded, brackets
full-width). Overlapping names are read longest first, so 哈尔滨工业大学（深圳） is not also
哈尔滨工业大学, and an organisation inside a community's name is part of that name.

Organisations count only with names of at least ``MIN_ORGANIZATION_NAME`` characters: four
characters (广州大学, 京东) are too often part of a longer word (广州大学城, 北京东路).

The result is stored as ``Mention`` rows: ``refresh_mentions`` recomputes them, and
``communities.signals`` calls it after an article or a name changes.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction

from communities.registry import normalize_org_name
from communities.summary import PART as REGISTRY_PART
from core.kept import kept
from core.links import Linked, reverse

MIN_ORGANIZATION_NAME = 5

COMMUNITY, ORGANIZATION = "community", "organization"

_TAG = re.compile(r"<[^>]+>")
# Block ends separate paragraphs, so that no name is read across two of them.
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|td|th|caption|blockquote)>|<br\s*/?>", re.IGNORECASE)
_SEPARATOR = "\n"


def normalize_text(text: str) -> str:
    """Plain text spelled like registry names, one line per paragraph."""
    text = _BLOCK_END.sub(_SEPARATOR, text)
    text = html.unescape(_TAG.sub("", text))
    return _SEPARATOR.join(normalize_org_name(line) for line in text.split(_SEPARATOR))


@dataclass(frozen=True)
class NameIndex:
    """Names to look for, keyed by their first two characters for a single pass over a text."""

    by_prefix: Mapping[str, tuple[tuple[str, str, int], ...]]

    @classmethod
    def build(
        cls, *, communities: Mapping[str, int], organizations: Mapping[str, int]
    ) -> NameIndex:
        entries: dict[str, tuple[str, int]] = {}
        for name, pk in organizations.items():
            name = normalize_org_name(name)
            if len(name) >= MIN_ORGANIZATION_NAME:
                entries[name] = (ORGANIZATION, pk)
        for name, pk in communities.items():
            # A community and an organisation of the same name: the community is meant.
            entries[normalize_org_name(name)] = (COMMUNITY, pk)
        by_prefix: dict[str, list[tuple[str, str, int]]] = {}
        for name, (kind, pk) in entries.items():
            if len(name) >= 2:
                by_prefix.setdefault(name[:2], []).append((name, kind, pk))
        return cls(
            by_prefix={
                prefix: tuple(sorted(names, key=lambda e: len(e[0]), reverse=True))
                for prefix, names in by_prefix.items()
            }
        )

    def find(self, text: str) -> Counter[tuple[str, int]]:
        """``{(kind, pk): occurrences}`` for the names in ``text`` (already normalised)."""
        found: Counter[tuple[str, int]] = Counter()
        i, end = 0, len(text) - 1
        while i < end:
            for name, kind, pk in self.by_prefix.get(text[i : i + 2], ()):
                if text.startswith(name, i):
                    found[(kind, pk)] += 1
                    i += len(name)
                    break
            else:
                i += 1
        return found


def article_text(*, title: str, subtitle: str, body: str) -> str:
    return normalize_text(_SEPARATOR.join((title, subtitle, body)))


def load_index() -> NameIndex:
    from communities.models import Community, Organization

    return NameIndex.build(
        communities=dict(Community.objects.values_list("name", "pk")),
        organizations=dict(Organization.objects.values_list("name", "pk")),
    )


def kept_index() -> NameIndex:
    """``load_index()``, kept under the registry's token (core/kept.py): the names change only
    with the registry, and reading and normalising them all took most of an article's save.
    Only for units that wrote no registry name: the token is replaced at the unit's end, after
    its steps, so one that renamed an entry must read the names afresh."""
    return kept(REGISTRY_PART, "mention names", load_index)


def refresh_mentions(
    *, articles: Iterable[int] | None = None, index: NameIndex | None = None
) -> int:
    """Recompute the stored mentions of ``articles`` (primary keys or Article objects), or of
    every article when None, with the names of ``index`` (read afresh when None). Returns the
    number of mention rows written."""
    from articles.models import Article, Mention

    queryset = Article.objects.order_by()
    if articles is not None:
        ids = [getattr(a, "pk", a) for a in articles]
        queryset = queryset.filter(pk__in=ids)
    # Its own transaction when called alone; inside a unit's step no savepoint of its own:
    # the step's (core/changes.py) already undoes it on failure.
    with transaction.atomic(savepoint=False):
        index = index or load_index()
        rows: list[Mention] = []
        targets = list(queryset.values_list("pk", "title", "subtitle", "body"))
        for pk, title, subtitle, body in targets:
            for (kind, target), count in index.find(
                article_text(title=title, subtitle=subtitle, body=body)
            ).items():
                rows.append(Mention(article_id=pk, occurrences=count, **{f"{kind}_id": target}))
        stale = Mention.objects.all()
        if articles is not None:
            stale = stale.filter(article_id__in=[t[0] for t in targets])
        stale.delete()
        Mention.objects.bulk_create(rows)
    return len(rows)


def published_mentions(**lookup):
    """Mentions (filtered by ``lookup``) in articles the public may see, newest issue first and
    in printed order within an issue."""
    from articles.models import Article, Mention

    return (
        Mention.objects.filter(article__in=Article.objects.published(), **lookup)
        .select_related("article__issue")
        .order_by("-article__issue__year", "-article__issue__number", "article__position")
    )


def mention_cards(**lookup):
    """``published_mentions`` with only what a registry page's cards show of each article (its
    number, title and issue): never the bodies, most of what the articles weigh."""
    return published_mentions(**lookup).only(
        "occurrences",
        "article__number",
        "article__title",
        "article__issue__year",
        "article__issue__number",
    )


@dataclass(frozen=True)
class Named(Linked):
    """A registry entry as an article's page links it."""

    name: str
    url: str


@dataclass
class ArticleMentions:
    communities: list[Named]
    organizations: list[Named]

    def __bool__(self) -> bool:
        return bool(self.communities or self.organizations)


def mentions_of(article) -> ArticleMentions:
    """The communities and organisations an article names, for its page: one query, of the
    columns the links show (communities in registry order, organisations by name)."""
    communities, organizations = [], []
    rows = article.mentions.order_by().values_list(
        "community__number", "community__name", "organization_id", "organization__name"
    )
    for number, community, organization_id, organization in rows:
        if number is not None:
            url = reverse("communities:detail", kwargs={"number": number})
            communities.append((number, Named(community, url)))
        elif organization_id is not None:
            url = reverse("communities:organization", kwargs={"pk": organization_id})
            organizations.append((organization, Named(organization, url)))
    return ArticleMentions(
        communities=[named for _, named in sorted(communities, key=lambda c: c[0])],
        organizations=[named for _, named in sorted(organizations, key=lambda o: o[0])],
    )


#: Writing any of these may change which names an article's text matches.
_NAMES = ("communities.Community", "communities.Organization", "communities.LeadUnit")


def follow_change(change) -> None:
    """Recompute the mentions the change may have changed (a content step): every article's when
    a registry name may have changed, else those of the articles written."""
    if any(change.ids(label) or change.removed(label) for label in _NAMES):
        refresh_mentions()
    elif ids := change.ids("articles.Article"):
        refresh_mentions(articles=ids, index=kept_index())
