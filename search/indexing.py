"""Write the search index: one SearchDocument row per document the apps supply (documents.py).

Called at the end of each unit of content work (``follow_change``, core/changes.py) and by
``rebuild_search_index`` (``reindex_all``). Rows are built from the objects read fresh from the
database, so a change only says *which* objects it wrote.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from core import pagecache
from core.tokens import document_tokens, match_text, suffix_tokens
from search.backends import Backend, get_backend
from search.documents import Source, sources
from search.models import LABELS_END, TITLE_END, Kind, SearchDocument

__all__ = ["follow_change", "reindex_all", "row", "unindexed"]

_BATCH = 500
# Rows written in one unit from which the planner's statistics are brought up to date.
_BULK_WRITE = 500


def row(doc, backend: Backend) -> SearchDocument:
    """The index row of one document (core.documents.Document)."""
    # Tokens come from the same folded text the substring check reads, so that a run of Han
    # characters is the same run for both ("产教 融合" is 产教融合 to either).
    title = match_text(doc.title)
    # The other headings (subtitle, 目录 title) are found, but only the title makes the first tier:
    # it is what a result shows (a subtitle is printed as the body's first line).
    heads = [h for h in (match_text(h) for h in doc.headings if h) if h != title]
    labels = [match_text(m) for m in doc.meta if m]
    body = match_text(doc.body)
    # One field per line, the parts in the order search/models.py gives: a term, which never holds
    # a line break or a part's end, cannot span two fields.
    head = title + TITLE_END + "\n".join(labels) + LABELS_END + "\n".join(heads)
    columns = backend.columns(
        kind=doc.kind,
        title=document_tokens(title),
        meta=[t for m in labels for t in document_tokens(m)],
        body=[t for h in [*heads, body] for t in document_tokens(h)],
        sub=suffix_tokens(head + "\n" + body),
    )
    return SearchDocument(
        kind=doc.kind,
        object_id=doc.object_id,
        visible_from=doc.visible_from,
        issue_year=doc.issue_year,
        issue_number=doc.issue_number,
        number=doc.number,
        section=doc.section,
        source=doc.source,
        place=doc.place,
        tags=doc.tags or [],
        title=doc.title,
        location=doc.location,
        head_norm=head,
        text=doc.text or doc.body,
        body_norm=body,
        **columns,
    )


def _reindex(source: Source, ids: Iterable[int]) -> int:
    """Replace the rows of these objects: fresh rows for those to index, none for the others
    (deleted, or unpublished articles). Returns how many objects it looked at."""
    # A list keeps its order (rows get ids in that order: broad queries list newest ids first).
    ordered = list(dict.fromkeys(ids)) if isinstance(ids, list) else sorted(set(ids))
    if not ordered:
        return 0
    backend = get_backend()
    # Its own transaction when called alone; inside a unit's step no savepoint of its own:
    # the step's (core/changes.py) already undoes it on failure.
    with transaction.atomic(savepoint=False):
        for start in range(0, len(ordered), _BATCH):
            chunk = ordered[start : start + _BATCH]
            docs = source.documents(chunk)
            old = SearchDocument.objects.filter(kind=source.kind, object_id__in=chunk)
            # A rewritten row keeps its id, so ids stay in the order rows were first written in
            # (an issue's in printed order): ties in the ranking and broad queries read it.
            ids_before = dict(old.values_list("object_id", "id"))
            old.delete()
            rows = [row(d, backend) for d in docs]
            for r in rows:
                r.id = ids_before.get(r.object_id)
            SearchDocument.objects.bulk_create(rows)
    return len(ordered)


def follow_change(change) -> None:
    """Bring the rows of what the change wrote up to date (a content step, core/changes.py)."""
    touched = [(s, s.touched(change)) for s in sources()]
    written = sum(_reindex(source, ids) for source, ids in touched)
    if written >= _BULK_WRITE:
        # A large import: the planner's statistics would otherwise describe the table as it was
        # until autovacuum next passes, and plan the first searches after it for a few rows.
        get_backend().after_bulk_write()


def unindexed() -> list[str]:
    """Kinds with objects to index but no row at all: content loaded before migrating, or a
    migration that emptied the derived rows."""
    return [
        s.kind
        for s in sources()
        if s.ids().exists() and not SearchDocument.objects.filter(kind=s.kind).exists()
    ]


def reindex_all() -> dict[str, int]:
    """Rebuild the whole index from the content tables, in one transaction. Returns row counts."""
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        for source in sources():
            _reindex(source, list(source.ids()))
        get_backend().after_rebuild()
        counts = {k: SearchDocument.objects.filter(kind=k).count() for k in Kind.values}
        # Search result pages show these rows. The unit's last write, as in core/changes.py.
        pagecache.retire_pages()
        return counts
