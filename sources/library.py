"""Into the 素材库: read a file or pasted text, store the document and its candidate articles.

Reading (sources.readers, sources.parse) is pure and happens before the transaction; a file that
cannot be read raises ``SourceError`` with a one-line Chinese message and nothing is written.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from sources import parse
from sources.errors import SourceError
from sources.models import Candidate, SourceDocument
from sources.readers import read_pasted, read_source

__all__ = ["SourceError", "read_document", "store_document"]


def read_document(
    *, data: bytes | None = None, filename: str = "", pasted: str | None = None
) -> tuple[str, parse.SourceDocument]:
    """The text as read (one line a line) and what the parser finds in it."""
    if pasted is not None:
        lines = read_pasted(pasted)
    else:
        lines = read_source(
            data or b"", filename=filename, max_bytes=settings.ZHIJIAO_SOURCE_MAX_BYTES
        )
    text = "\n".join(lines)
    return text, parse.parse_source(text)


def _clip(value: str | None, field: str, model=Candidate) -> str:
    return (value or "")[: model._meta.get_field(field).max_length]


def store_document(
    *, text: str, doc: parse.SourceDocument, original_name: str = "", user=None
) -> SourceDocument:
    """One source document and its candidates, in one transaction; similarity afterwards."""
    from sources.similarity import refresh_similar

    with transaction.atomic():
        document = SourceDocument(
            kind=doc.kind,
            title=_clip(doc.title, "title", SourceDocument),
            publisher=_clip(doc.publisher, "publisher", SourceDocument),
            date=doc.date or "",
            editors_note=doc.editors_note or "",
            original_name=original_name[-255:],
            text=text,
            uploaded_by=user,
        )
        document._history_user = user
        document.save()
        for position, found in enumerate(doc.articles, start=1):
            candidate = Candidate(
                document=document,
                position=position,
                column=_clip(found.column, "column"),
                title=_clip(found.title, "title"),
                subtitle=_clip(found.subtitle, "subtitle"),
                source=_clip(found.source, "source"),
                source_date=found.source_date or "",
                compiled_by=_clip(found.compiled_by, "compiled_by"),
                author=_clip(found.author, "author"),
                body=found.body_html,
            )
            candidate._history_user = user
            candidate.save()
        refresh_similar()
    return document
