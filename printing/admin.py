"""The "导出 PDF" action on the admin's issue list (the change page has buttons in its template)."""

from __future__ import annotations

import io
import zipfile

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from issues.models import Issue
from printing import storage
from printing.build import build_issue_pdf, pdf_filename
from printing.render import PdfUnavailable

# Each PDF takes about a second to build; more than this at once belongs on the command line.
MAX_ISSUES = 10


@admin.action(description="导出 PDF（已发布的为公开版，未发布的为预览稿）", permissions=["change"])
def export_pdf(modeladmin, request: HttpRequest, queryset) -> HttpResponse | None:
    issues = list(queryset.order_by("-year", "-number")[: MAX_ISSUES + 1])
    if len(issues) > MAX_ISSUES:
        message = f"一次最多导出 {MAX_ISSUES} 期；更多请用命令 export_issue_pdf。"
        modeladmin.message_user(request, message, messages.ERROR)
        return None
    public = set(
        Issue.objects.published().filter(pk__in=[i.pk for i in issues]).values_list("pk", flat=True)
    )
    files: list[tuple[str, bytes]] = []
    try:
        for issue in issues:
            if issue.pk in public:
                content = storage.issue_pdf(issue=issue).read()
            else:
                content = build_issue_pdf(issue=issue, include_drafts=True)
            files.append((pdf_filename(issue=issue, preview=issue.pk not in public), content))
    except PdfUnavailable as exc:
        modeladmin.message_user(request, str(exc), messages.ERROR)
        return None
    if len(files) == 1:
        name, content = files[0]
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = _attachment(name)
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # PDFs are compressed
            for name, content in files:
                archive.writestr(name, content)
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = _attachment("职教通讯-PDF.zip")
    response["Cache-Control"] = "private, no-store"
    return response


def _attachment(filename: str) -> str:
    return content_disposition_header(as_attachment=True, filename=filename)
