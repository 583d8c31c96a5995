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
from search.models import Kind, SearchDocument

__all__ = ["follow_change", "reindex_all", "row"]

_BATCH = 500


def row(doc, backend: Backend) -> SearchDocument:
    """The index row of one document (core.documents.Document)."""
    # Tokens come from the same folded text the substring check reads, so that a run of Han
    # characters is the same run for both ("产教 融合" is 产教融合 to either).
    heads = [match_text(h) for h in doc.headings if h]
    meta = [match_text(m) for m in doc.meta if m]
    body = match_text(doc.body)
    # One field per line: a term (which never contains a line break) cannot span two fields.
    norm = "\n".join([*heads, *meta, body])
    columns = backend.columns(
        kind=doc.kind,
        title=[t for h in heads for t in document_tokens(h)],
        meta=[t for m in meta for t in document_tokens(m)],
        body=document_tokens(body),
        sub=suffix_tokens(norm),
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
        tags=doc.tags or [],
        title=doc.title,
        location=doc.location,
        title_norm="\n".join(heads),
        text=doc.text or doc.body,
        norm=norm,
        **columns,
    )


def _reindex(source: Source, ids: Iterable[int]) -> None:
    """Replace the rows of these objects: fresh rows for those to index, none for the others
    (deleted, or unpublished articles)."""
    # A list keeps its order (rows get ids in that order: broad queries list newest ids first).
    ordered = list(dict.fromkeys(ids)) if isinstance(ids, list) else sorted(set(ids))
    if not ordered:
        return
    backend = get_backend()
    with transaction.atomic():
        for start in range(0, len(ordered), _BATCH):
            chunk = ordered[start : start + _BATCH]
            docs = source.documents(chunk)
            SearchDocument.objects.filter(kind=source.kind, object_id__in=chunk).delete()
            SearchDocument.objects.bulk_create([row(d, backend) for d in docs])


def follow_change(change) -> None:
    """Bring the rows of what the change wrote up to date (a content step, core/changes.py)."""
    touched = [(s, s.touched(change)) for s in sources()]
    for source, ids in touched:
        _reindex(source, ids)


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
