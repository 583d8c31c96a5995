"""After a change is committed (an after-commit step of core/changes.py): build the PDFs of the
issues just published, so that the first reader seldom waits, and remove those of issues withdrawn
or deleted. Other changes build nothing: the stored name is a hash of what is printed, and a
request builds a PDF that is missing (``printing.storage``).

``ZHIJIAO_PDF_AUTOBUILD`` (setting or environment variable, default on) turns the building off,
e.g. for tests and bulk work.
"""

from __future__ import annotations

import logging

from django.conf import settings

from core.env import env_bool

log = logging.getLogger(__name__)


def autobuild_enabled() -> bool:
    value = getattr(settings, "ZHIJIAO_PDF_AUTOBUILD", None)
    return env_bool("ZHIJIAO_PDF_AUTOBUILD", True) if value is None else bool(value)


def follow_change(change) -> None:
    from issues.models import Issue
    from printing.render import PdfUnavailable
    from printing.storage import delete_issue_pdfs, refresh_issue_pdfs

    saved = change.ids("issues.Issue")
    gone = {issue.pk for issue in change.removed("issues.Issue")}
    if saved:
        gone |= saved - set(
            Issue.objects.published().filter(pk__in=saved).values_list("pk", flat=True)
        )
    for issue_id in sorted(gone):
        try:
            delete_issue_pdfs(issue_id=issue_id)
        except Exception:  # left in storage, never served: the issue is not public
            log.exception("PDFs of issue %s not deleted", issue_id)
    if not autobuild_enabled():
        return
    for issue_id in sorted(change.published_issues - gone):
        try:
            refresh_issue_pdfs(issue_id=issue_id)
        except PdfUnavailable as exc:
            log.warning("PDF of issue %s not built: %s", issue_id, exc)
        except Exception:  # whatever went wrong, the publishing is already saved
            log.exception("PDF of issue %s not built", issue_id)
