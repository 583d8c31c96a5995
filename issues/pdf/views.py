"""PDF downloads and the whole-issue print view.

The public gets published issues and articles only, served from storage (``issues.pdf.storage``).
Editors (change permission) add ``?preview=1``, or simply open a draft, and get a preview that
includes drafts, built for them and never cached.
"""

from __future__ import annotations

import io

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from articles.models import Article
from issues.models import Issue
from issues.pdf import storage
from issues.pdf.build import build_article_pdf, build_issue_pdf, pdf_filename
from issues.pdf.data import load_source, notes_lines, print_items
from issues.pdf.render import PdfUnavailable


def _may_preview(request: HttpRequest, perm: str) -> bool:
    return request.user.is_active and request.user.is_staff and request.user.has_perm(perm)


def _issue(request: HttpRequest, year: int, number: int) -> tuple[Issue, bool]:
    """The issue and whether this request gets the editors' preview (drafts included)."""
    editor = _may_preview(request, "issues.change_issue")
    public = Issue.objects.published().filter(year=year, number=number).first()
    if public is not None:
        return public, editor and request.GET.get("preview") == "1"
    if editor:  # a draft or scheduled issue: only its preview exists
        return get_object_or_404(Issue, year=year, number=number), True
    raise Http404("没有这一期，或尚未发布。")


def _pdf(
    *, filename: str, content: bytes | None = None, stored: storage.StoredPdf | None = None
) -> FileResponse:
    """The PDF shown in the browser (inline) under ``filename``; a preview is never cached."""
    if stored is not None and stored.content is None:
        body = default_storage.open(stored.name, "rb")
    else:
        body = io.BytesIO(content if content is not None else stored.content)
    response = FileResponse(body, content_type="application/pdf", filename=filename)
    if stored is None:  # an editors' preview with drafts: for this editor only
        patch_cache_control(response, private=True, no_store=True)
    else:
        response["ETag"] = _etag(stored)
        # Ask again every time (the name changes with any edit); an unchanged PDF costs a 304.
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response


def _etag(stored: storage.StoredPdf) -> str:
    return f'"{stored.etag[:40]}"'


def _not_modified(request: HttpRequest, stored: storage.StoredPdf) -> HttpResponse | None:
    tags = [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
    if _etag(stored) in tags or "*" in tags:
        response = HttpResponse(status=304)
        response["ETag"] = _etag(stored)
        return response
    return None


def _unavailable(request: HttpRequest, exc: PdfUnavailable) -> HttpResponse:
    return render(request, "pdf/unavailable.html", {"message": str(exc)}, status=503)


@require_safe
def issue_pdf(request: HttpRequest, year: int, number: int) -> HttpResponse:
    issue, preview = _issue(request, year, number)
    filename = pdf_filename(issue=issue, preview=preview)
    try:
        if preview:
            return _pdf(
                filename=filename, content=build_issue_pdf(issue=issue, include_drafts=True)
            )
        stored = storage.issue_pdf(issue=issue)
    except PdfUnavailable as exc:
        return _unavailable(request, exc)
    return _not_modified(request, stored) or _pdf(filename=filename, stored=stored)


@require_safe
def article_pdf(request: HttpRequest, year: int, number: int, article: str) -> HttpResponse:
    editor = _may_preview(request, "articles.change_article")
    preview = editor and request.GET.get("preview") == "1"
    articles = Article.objects.select_related("issue")
    obj = (
        articles.published().filter(issue__year=year, issue__number=number, number=article).first()
    )
    if obj is None and editor:
        obj, preview = (
            get_object_or_404(articles, issue__year=year, issue__number=number, number=article),
            True,
        )
    if obj is None:
        raise Http404("没有这篇文章，或尚未发布。")
    filename = pdf_filename(issue=obj.issue, article=obj, preview=preview)
    try:
        if preview:
            return _pdf(
                filename=filename, content=build_article_pdf(article=obj, include_drafts=True)
            )
        stored = storage.article_pdf(article=obj)
    except PdfUnavailable as exc:
        return _unavailable(request, exc)
    return _not_modified(request, stored) or _pdf(filename=filename, stored=stored)


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
            "registry": source.communities[0].registry if source.communities else None,
        },
    )
    if preview:
        patch_cache_control(response, private=True, no_store=True)
    return response
