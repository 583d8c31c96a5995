"""The public PDFs, kept in ``default_storage`` and named by a hash of what they print.

``pdf/issue-<pk>/issue-<hash>.pdf`` is an issue's public PDF and
``pdf/issue-<pk>/article-<pk>-<hash>.pdf`` one article's. The hash covers every printed field, the
visible articles, the appendix and the template (see ``data.source_fingerprint``), so a request
finds the current file by computing the hash (a few cheap queries) and never serves a stale one;
when anything printed changes, the name changes, the new file is built once and the old ones are
deleted. Several processes or machines can share the storage: nothing but the files themselves is
remembered, and a missing file is built by one of them while the others wait (``printing.claims``).
Drafts are never stored here: an editors' preview is built for each request.
A storage that cannot be written (read-only, full) costs a build per request, never the PDF: the
built file is served anyway and the error logged.
"""

from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass
from functools import cache

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from articles.models import Article
from core.changes import content_change
from issues.models import Issue
from printing import claims
from printing.build import render_source
from printing.data import (
    PdfSource,
    article_sources,
    load_article_source,
    load_source,
    source_fingerprint,
)
from printing.render import engine_version

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


def stored_name(source: PdfSource) -> str:
    """Where the current PDF of ``source`` is (or will be) stored."""
    return _name(source, source_fingerprint(source, engine=_engine()))


def _prefix(source: PdfSource) -> str:
    return f"article-{source.article.pk}-" if source.article else "issue-"


def _exists(name: str) -> bool:
    try:
        return default_storage.exists(name)
    except OSError as exc:  # an unreachable object store: build it, serve it, say so below
        log.error("PDF storage not reachable (%s): %s", name, exc)
        return False


def _stored(source: PdfSource) -> StoredPdf:
    """The stored file, else built by this request, or by another one that this one waits for."""
    if source.include_drafts:
        raise ValueError("drafts are never stored: build a preview with printing.build")
    fingerprint = source_fingerprint(source, engine=_engine())
    name = _name(source, fingerprint)
    found = StoredPdf(name=name, etag=fingerprint)
    if _exists(name):
        return found
    deadline = time.monotonic() + claims.WAIT_SECONDS
    while (owner := claims.claim(name)) is None:
        while claims.held(name):  # another request builds it: wait for its file
            if time.monotonic() >= deadline:
                log.warning("PDF %s: another build took too long, building it here", name)
                return _build(source, name, fingerprint)
            claims.pause()
            if _exists(name):
                return found
    try:
        # The build this request waited for (or one it just missed) may have stored the file.
        if _exists(name):
            return found
        return _build(source, name, fingerprint)
    finally:
        claims.release(name, owner)


def _build(source: PdfSource, name: str, fingerprint: str) -> StoredPdf:
    content = render_source(source)
    pages = getattr(content, "pages", None)
    if pages is not None and source.article is None:
        try:
            store_pdf_pages(source=source, pages=pages)
        except Exception:  # the page numbers follow with the next build; the PDF is served
            log.exception("PDF page numbers of issue %s not stored", source.issue.pk)
    try:
        saved = default_storage.save(name, ContentFile(content))
        if saved != name:  # stored meanwhile by a build that did not wait (a stale claim)
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


def store_pdf_pages(*, source: PdfSource, pages: dict[str, int]) -> set[int]:
    """Keep the page on which each article starts in the public issue PDF just built
    (``Article.pdf_page``), for an issue without printed page numbers; the ids written.

    Written in a unit of its own, so pages and caches follow. The PDF does not print these
    numbers (its fingerprint leaves them out), so storing them never makes it out of date.
    """
    if source.article is not None or source.include_drafts:
        return set()
    articles = Article.objects.filter(issue_id=source.issue.pk)
    if articles.filter(page_start__isnull=False).exists():  # the printed numbers stand
        return set()
    printed = {a.pk: pages.get(f"a-{a.pk}") for a in source.articles}
    stored = dict(articles.values_list("pk", "pdf_page"))
    changed = {pk: printed.get(pk) for pk, page in stored.items() if printed.get(pk) != page}
    if not changed:
        return set()
    by_page: dict[int | None, list[int]] = {}
    for pk, page in changed.items():
        by_page.setdefault(page, []).append(pk)
    with content_change() as change:
        for page, ids in by_page.items():
            Article.objects.filter(pk__in=ids).update(pdf_page=page)
        change.add(Article, changed, update_fields={"pdf_page"})
    return set(changed)


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
    """Build the public PDF of a public issue, and drop the files now out of date.

    Article PDFs still current are kept; changed ones are deleted and built again when asked for.
    A draft or withdrawn issue keeps no public PDF. The issue's rows are read once, whatever the
    number of its articles.
    """
    issue = Issue.objects.published().filter(pk=issue_id).first()
    if issue is None:
        delete_issue_pdfs(issue_id=issue_id)
        return None
    source = load_source(issue=issue)
    stored = _stored(source)
    keep = {stored.name}
    keep.update(stored_name(article) for article in article_sources(source))
    for filename in _files(issue_id):
        name = f"{folder(issue_id)}/{filename}"
        if name not in keep:
            default_storage.delete(name)
    return stored
