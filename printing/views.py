"""PDF downloads and the whole-issue print view.

The public gets published issues and articles only, served from storage (``printing.storage``).
Editors (change permission) add ``?preview=1``, or simply open a draft, and get a preview that
includes drafts, built for them and never cached.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from articles.models import Article
from core.cache_headers import patch_reader_cache_control
from core.publishing import can_preview
from issues.models import Issue
from printing import storage
from printing.build import build_article_pdf, build_issue_pdf, pdf_filename
from printing.data import load_source, notes_lines, print_items
from printing.render import PdfUnavailable
from printing.storage import StoredPdf


def _issue(request: HttpRequest, year: int, number: int) -> tuple[Issue, bool]:
    """The issue and whether this request gets the editors' preview (drafts included)."""
    editor = can_preview(request.user, Issue)
    public = Issue.objects.published().filter(year=year, number=number).first()
    if public is not None:
        return public, editor and request.GET.get("preview") == "1"
    if editor:  # a draft or scheduled issue: only its preview exists
        return get_object_or_404(Issue, year=year, number=number), True
    raise Http404("没有这一期，或尚未发布。")


def _preview(filename: str, content: bytes) -> FileResponse:
    """An editors' preview with drafts: for this editor only, never cached."""
    response = FileResponse(io.BytesIO(content), content_type="application/pdf", filename=filename)
    patch_cache_control(response, private=True, no_store=True)
    return response


def _serve(request: HttpRequest, filename: str, get: Callable[[], StoredPdf]) -> HttpResponse:
    """A public PDF from storage (``get`` builds and stores it first if it is out of date)."""
    try:
        stored = get()
        etag = f'"{stored.etag[:40]}"'
        if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            response = HttpResponse(status=304)
        else:
            try:
                body = stored.open()
            except FileNotFoundError:  # replaced by a newer version between the two steps
                stored = get()
                etag = f'"{stored.etag[:40]}"'
                body = stored.open()
            # inline (shown in the browser) under a file name such as 职教通讯-2024年第02期.pdf
            response = FileResponse(body, content_type="application/pdf", filename=filename)
    except PdfUnavailable as exc:
        return render(request, "pdf/unavailable.html", {"message": str(exc)}, status=503)
    response["ETag"] = etag
    # Ask again every time (any edit gives a new ETag); an unchanged PDF costs a 304. Shared
    # caches may keep it only when the site is open to everyone.
    return patch_reader_cache_control(response, max_age=0, must_revalidate=True)


@require_safe
def issue_pdf(request: HttpRequest, year: int, number: int) -> HttpResponse:
    issue, preview = _issue(request, year, number)
    filename = pdf_filename(issue=issue, preview=preview)
    if not preview:
        return _serve(request, filename, lambda: storage.issue_pdf(issue=issue))
    try:
        return _preview(filename, build_issue_pdf(issue=issue, include_drafts=True))
    except PdfUnavailable as exc:
        return render(request, "pdf/unavailable.html", {"message": str(exc)}, status=503)


@require_safe
def article_pdf(request: HttpRequest, year: int, number: int, article: str) -> HttpResponse:
    editor = can_preview(request.user, Article)
    articles = Article.objects.select_related("issue").filter(
        issue__year=year, issue__number=number, number=article
    )
    obj = articles.published().first()
    preview = editor and (obj is None or request.GET.get("preview") == "1")
    if obj is None:
        if not editor:
            raise Http404("没有这篇文章，或尚未发布。")
        obj = get_object_or_404(articles)
    filename = pdf_filename(issue=obj.issue, article=obj, preview=preview)
    if not preview:
        return _serve(request, filename, lambda: storage.article_pdf(article=obj))
    try:
        return _preview(filename, build_article_pdf(article=obj, include_drafts=True))
    except PdfUnavailable as exc:
        return render(request, "pdf/unavailable.html", {"message": str(exc)}, status=503)


@require_safe
def issue_print(request: HttpRequest, year: int, number: int) -> HttpResponse:
    """打印整期: the whole issue on one HTML page, laid out for printing from a browser."""
    issue, preview = _issue(request, year, number)
    source = load_source(issue=issue, include_drafts=preview)
    response = render(
        request,
        "pdf/issue_print.html",
        {
            "issue": issue,
            "preview": preview,
            "items": print_items(source),
            "notes": notes_lines(issue.notes),
            "communities": source.communities,
            "registry": source.registry if source.communities else None,
        },
    )
    if preview:
        patch_cache_control(response, private=True, no_store=True)
        return response
    return response  # private on a closed site: zhijiao.access.AccessMiddleware
