"""Write the search index: one SearchDocument row per published article, community, organisation.

Called by the signal handlers (signals.py) inside the transaction of the change, by the registry
loader after its bulk writes (``index_communities``) and by ``rebuild_search_index``
(``reindex_all``). Every function reads the objects fresh from the database, so a caller only says
*which* objects changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from html.parser import HTMLParser

from django.db import transaction
from django.db.models import Prefetch

from articles.search.backends import get_backend
from articles.search.models import Kind, SearchDocument
from articles.search.tokens import document_tokens, match_text, suffix_tokens
from zhijiao.pagecache import content_changed

__all__ = [
    "batch",
    "html_to_text",
    "index_articles",
    "index_communities",
    "index_organizations",
    "reindex_all",
    "remove",
]

_BATCH = 500

# Block-level elements end a line: a term must not match across two paragraphs.
_BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre",
    "section", "table", "td", "th", "tr", "ul",
}  # fmt: skip


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Plain text of body HTML: a line per block, spaces collapsed, entities decoded."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


@dataclass
class _Doc:
    """What one object contributes to the index, before the backend turns tokens into columns."""

    kind: str
    object_id: int
    title: str
    headings: list[str]  # title-weighted fields (the title itself, subtitle, TOC title …)
    meta: list[str]  # source, tags, lead units …
    body: str
    text: str = ""  # what snippets are cut from (defaults to the body)
    location: str = ""
    number: str = ""
    issue_year: int | None = None
    issue_number: int | None = None
    section: str = ""
    source: str = ""
    tags: list[str] | None = None
    visible_from: object = None

    def row(self, backend) -> SearchDocument:
        # Tokens come from the same folded text the substring check reads, so that a run of Han
        # characters is the same run for both ("产教 融合" is 产教融合 to either).
        heads = [match_text(h) for h in self.headings if h]
        meta = [match_text(m) for m in self.meta if m]
        body = match_text(self.body)
        # One field per line: a term (which never contains a line break) cannot span two fields.
        norm = "\n".join([*heads, *meta, body])
        columns = backend.document_columns(
            kind=self.kind,
            title=[t for h in heads for t in document_tokens(h)],
            meta=[t for m in meta for t in document_tokens(m)],
            body=document_tokens(body),
            sub=suffix_tokens(norm),
        )
        return SearchDocument(
            kind=self.kind,
            object_id=self.object_id,
            visible_from=self.visible_from,
            issue_year=self.issue_year,
            issue_number=self.issue_number,
            number=self.number,
            section=self.section,
            source=self.source,
            tags=self.tags or [],
            title=self.title,
            location=self.location,
            title_norm="\n".join(heads),
            text=self.text or self.body,
            norm=norm,
            **columns,
        )


# --- articles ------------------------------------------------------------------------------------


def _in_order(ids: list[int], docs: list[_Doc]) -> list[_Doc]:
    by_id = {d.object_id: d for d in docs}
    return [by_id[i] for i in ids if i in by_id]


def _article_docs(ids: list[int]) -> list[_Doc]:
    from articles.models import Article
    from issues.models import published_q, visible_from

    # Only what the public may see is indexed. The time part of visibility (a scheduled
    # published_at) is checked at query time instead, as visible_from.
    articles = (
        Article.objects.filter(published_q(), published_q("issue__"), pk__in=ids)
        .select_related("issue", "section", "section__parent")
        .prefetch_related("tags")
    )
    docs = []
    for a in articles:
        tags = sorted(t.name for t in a.tags.all())
        section = a.section
        path = [a.issue.label]
        if section.parent_id:
            path.append(f"{section.parent.number} {section.parent.title}")
        path.extend([f"{section.number} {section.title}", a.number])
        docs.append(
            _Doc(
                kind=Kind.ARTICLE,
                object_id=a.pk,
                title=a.title,
                headings=[a.title, a.subtitle, a.toc_title],
                meta=[a.source, a.source_name, *tags],
                body=html_to_text(a.body),
                location=" › ".join(path),
                number=a.number,
                issue_year=a.issue.year,
                issue_number=a.issue.number,
                section=section.title,
                source=a.source,
                tags=tags,
                visible_from=visible_from(a, a.issue),
            )
        )
    return _in_order(ids, docs)


# --- the registry --------------------------------------------------------------------------------


def _community_docs(ids: list[int]) -> list[_Doc]:
    from communities.models import Community, LeadUnit

    links = Prefetch(
        "lead_unit_links",
        queryset=LeadUnit.objects.select_related("organization").order_by("position"),
    )
    docs = []
    for c in Community.objects.filter(pk__in=ids).prefetch_related(links):
        names = [link.organization.name for link in c.lead_unit_links.all()]
        lead = c.lead_units_text or "、".join(names)
        docs.append(
            _Doc(
                kind=Kind.COMMUNITY,
                object_id=c.pk,
                title=c.name,
                headings=[c.name],
                meta=names,
                body=lead,
                text=f"牵头单位：{lead}",
                location=f"行业产教融合共同体 › 第 {c.number} 号 · 成立于 {c.founded}",
                number=str(c.number),
            )
        )
    return _in_order(ids, docs)


def _organization_docs(ids: list[int]) -> list[_Doc]:
    from communities.models import Community, Organization

    led = Prefetch("communities", queryset=Community.objects.order_by("number").only("name"))
    docs = []
    for o in Organization.objects.filter(pk__in=ids).prefetch_related(led):
        communities = [c.name for c in o.communities.all()]
        where = " · ".join(x for x in (o.get_kind_display(), o.province) if x)
        docs.append(
            _Doc(
                kind=Kind.ORGANIZATION,
                object_id=o.pk,
                title=o.name,
                headings=[o.name],
                meta=[],
                body="",
                # Shown, not searched: searching an organisation by the communities it leads would
                # make it a result for every community name.
                text=f"牵头 {len(communities)} 个共同体：" + "、".join(communities),
                location=f"牵头单位 › {where}" if where else "牵头单位",
            )
        )
    return _in_order(ids, docs)


# --- writing -------------------------------------------------------------------------------------


_BUILDERS = {
    Kind.ARTICLE: _article_docs,
    Kind.COMMUNITY: _community_docs,
    Kind.ORGANIZATION: _organization_docs,
}

# While a batch() is open: the objects to reindex when it closes, by kind.
_pending: ContextVar[dict[str, set[int]] | None] = ContextVar("search_pending", default=None)


def _reindex(kind: str, ids: Iterable[int]) -> None:
    """Replace the rows of these objects: fresh rows for those to index, none for the others
    (deleted, or unpublished articles)."""
    # A list keeps its order (rows get ids in that order: broad queries list newest ids first).
    ordered = list(dict.fromkeys(ids)) if isinstance(ids, list) else sorted(set(ids))
    if not ordered:
        return
    pending = _pending.get()
    if pending is not None:
        pending.setdefault(kind, set()).update(ordered)
        return
    backend = get_backend()
    with transaction.atomic():
        content_changed()  # search result pages show these rows; bulk writes send no signal
        for start in range(0, len(ordered), _BATCH):
            chunk = ordered[start : start + _BATCH]
            docs = _BUILDERS[kind](chunk)
            SearchDocument.objects.filter(kind=kind, object_id__in=chunk).delete()
            SearchDocument.objects.bulk_create([d.row(backend) for d in docs])


@contextmanager
def batch() -> Iterator[None]:
    """Collect the reindexing that signals ask for and do it once, when the block ends.

    For bulk work inside one transaction (an import saves hundreds of rows, some several times):
    ``with transaction.atomic(), batch(): …``. Without it every save reindexes its object at once,
    which is right for single edits and merely slower for bulk ones.
    """
    if _pending.get() is not None:  # nested: the outer batch flushes
        yield
        return
    pending: dict[str, set[int]] = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    for kind, ids in pending.items():
        _reindex(kind, ids)


def index_articles(*, ids: Iterable[int]) -> None:
    """(Re)index these articles: published ones get a fresh row, the others lose theirs."""
    _reindex(Kind.ARTICLE, ids)


def index_communities(*, numbers: Iterable[int]) -> None:
    """(Re)index the communities with these registry numbers and the organisations that lead them.

    The registry loader writes lead units and organisations with bulk_create, which sends no
    signals: it calls this after writing.
    """
    from communities.models import Community, LeadUnit

    ids = set(Community.objects.filter(number__in=list(numbers)).values_list("pk", flat=True))
    _reindex(Kind.COMMUNITY, ids)
    orgs = LeadUnit.objects.filter(community_id__in=ids).values_list("organization_id", flat=True)
    _reindex(Kind.ORGANIZATION, orgs)


def index_community_ids(*, ids: Iterable[int]) -> None:
    _reindex(Kind.COMMUNITY, ids)


def index_organizations(*, ids: Iterable[int]) -> None:
    _reindex(Kind.ORGANIZATION, ids)


def remove(*, kind: str, ids: Iterable[int]) -> None:
    """Drop the rows of deleted objects (reindexing an object that no longer exists does that)."""
    _reindex(kind, ids)


def reindex_all() -> dict[str, int]:
    """Rebuild the whole index from the content tables, in one transaction. Returns row counts."""
    from articles.models import Article
    from communities.models import Community, Organization

    # Oldest first, so that the newest get the highest ids (broad queries list those first).
    everything = {
        Kind.ARTICLE: Article.objects.order_by("issue__year", "issue__number", "position", "pk"),
        Kind.COMMUNITY: Community.objects.order_by("number"),
        Kind.ORGANIZATION: Organization.objects.order_by("pk"),
    }
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        for kind, objects in everything.items():
            _reindex(kind, list(objects.values_list("pk", flat=True)))
        get_backend().after_rebuild()
        return {k: SearchDocument.objects.filter(kind=k).count() for k in Kind.values}
