"""The public PDFs, kept in ``default_storage`` and named by a hash of what they print.

``pdf/issue-<pk>/issue-<hash>.pdf`` is an issue's public PDF and
``pdf/issue-<pk>/article-<pk>-<hash>.pdf`` one article's. The hash covers every printed field, the
visible articles, the appendix and the template (see ``data.source_fingerprint``), so a request
finds the current file by computing the hash (a few cheap queries) and never serves a stale one;
when anything printed changes, the name changes, the new file is built once and the old ones are
deleted. Several processes or machines can share the storage: nothing but the files themselves is
remembered. Drafts are never stored here: an editors' preview is built for each request.
A storage that cannot be written (read-only, full) costs a build per request, never the PDF: the
built file is served anyway and the error logged.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import cache

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from articles.models import Article
from issues.models import Issue
from issues.pdf.build import render_source
from issues.pdf.data import PdfSource, load_article_source, load_source, source_fingerprint
from issues.pdf.render import engine_version

log = logging.getLogger(__name__)

ROOT = "pdf"


@dataclass(frozen=True)
class StoredPdf:
    name: str  # in default_storage
    etag: str
    content: bytes | None = None  # the bytes, when this call built the file

    def open(self):
        """A file object with the PDF (FileNotFoundError if a newer version replaced it)."""
        if self.content is not None:
            return io.BytesIO(self.content)
        return default_storage.open(self.name, "rb")

    def read(self) -> bytes:
        with self.open() as fh:
            return fh.read()


def folder(issue_id: int) -> str:
    return f"{ROOT}/issue-{issue_id}"


@cache
def _engine() -> str:
    # The template and fonts do not change while a process runs; a deploy starts new processes.
    return engine_version()


def _name(source: PdfSource, fingerprint: str) -> str:
    return f"{folder(source.issue.pk)}/{_prefix(source)}{fingerprint[:40]}.pdf"


def _prefix(source: PdfSource) -> str:
    return f"article-{source.article.pk}-" if source.article else "issue-"


def _stored(source: PdfSource) -> StoredPdf:
    if source.include_drafts:
        raise ValueError("drafts are never stored: build a preview with issues.pdf.build")
    fingerprint = source_fingerprint(source, engine=_engine())
    name = _name(source, fingerprint)
    try:
        stored = default_storage.exists(name)
    except OSError as exc:  # an unreachable object store: build it, serve it, say so below
        log.error("PDF storage not reachable (%s): %s", name, exc)
        stored = False
    if stored:
        return StoredPdf(name=name, etag=fingerprint)
    content = render_source(source)
    try:
        saved = default_storage.save(name, ContentFile(content))
        if saved != name:  # another process stored the same file meanwhile: keep one
            default_storage.delete(saved)
        _delete_others(source.issue.pk, prefix=_prefix(source), keep={name})
    except Exception as exc:  # a read-only volume, a full disk, an unreachable object store
        # The reader gets the PDF just built all the same; the next request builds it again.
        log.error(
            "PDF built but not stored (%s): %s: %s",
            name,
            type(exc).__name__,
            exc,
            exc_info=not isinstance(exc, OSError),  # the unexpected ones with their traceback
        )
    return StoredPdf(name=name, etag=fingerprint, content=content)


def issue_pdf(*, issue: Issue) -> StoredPdf:
    """The issue's public PDF (published articles only): from storage, or built and stored now.

    The caller decides that the issue is public (``Issue.objects.published()``).
    """
    return _stored(load_source(issue=issue))


def article_pdf(*, article: Article) -> StoredPdf:
    """One published article's PDF, from storage or built and stored now."""
    return _stored(load_article_source(article=article))


def _files(issue_id: int) -> list[str]:
    try:
        return default_storage.listdir(folder(issue_id))[1]
    except FileNotFoundError:
        return []


def _delete_others(issue_id: int, *, prefix: str, keep: set[str]) -> None:
    for filename in _files(issue_id):
        name = f"{folder(issue_id)}/{filename}"
        if filename.startswith(prefix) and name not in keep:
            default_storage.delete(name)


def delete_issue_pdfs(*, issue_id: int) -> None:
    """Remove every stored PDF of an issue (withdrawn or deleted)."""
    for filename in _files(issue_id):
        default_storage.delete(f"{folder(issue_id)}/{filename}")


def refresh_issue_pdfs(*, issue_id: int) -> StoredPdf | None:
    """After a change: build the public PDF of a public issue, and drop the files now out of date.

    Article PDFs still current are kept; changed ones are deleted and built again when asked for.
    A draft or withdrawn issue keeps no public PDF.
    """
    issue = Issue.objects.published().filter(pk=issue_id).first()
    if issue is None:
        delete_issue_pdfs(issue_id=issue_id)
        return None
    stored = issue_pdf(issue=issue)
    keep = {stored.name}
    for article in load_source(issue=issue).articles:
        source = load_article_source(article=article)
        keep.add(_name(source, source_fingerprint(source, engine=_engine())))
    for filename in _files(issue_id):
        name = f"{folder(issue_id)}/{filename}"
        if name not in keep:
            default_storage.delete(name)
    return stored
