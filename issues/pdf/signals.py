"""Keep the stored PDFs current: after a change is committed, build the public PDF again.

Any save or delete of something printed (an issue, its sections and articles, the registry in
its appendix) schedules one rebuild per issue for when the transaction commits, so an import that
saves forty articles builds once. A build failing (no CJK font, say) is logged and never undoes or
fails the save. Requests would build a missing PDF anyway (the stored name is a hash of the
content); this only makes sure the public seldom waits for one.

``ZHIJIAO_PDF_AUTOBUILD`` (setting or environment variable, default on) turns this off, e.g. for
tests and bulk work.
"""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from zhijiao.env import env_bool

log = logging.getLogger(__name__)


def autobuild_enabled() -> bool:
    value = getattr(settings, "ZHIJIAO_PDF_AUTOBUILD", None)
    return env_bool("ZHIJIAO_PDF_AUTOBUILD", True) if value is None else bool(value)


def _refresh(key: tuple[str, int]) -> None:
    from issues.models import Issue
    from issues.pdf.render import PdfUnavailable
    from issues.pdf.storage import refresh_issue_pdfs

    kind, pk = key
    issue_ids = (
        [pk]
        if kind == "issue"
        else list(Issue.objects.filter(appendix_id=pk).values_list("pk", flat=True))
    )
    for issue_id in issue_ids:
        try:
            refresh_issue_pdfs(issue_id=issue_id)
        except PdfUnavailable as exc:
            log.warning("PDF of issue %s not rebuilt: %s", issue_id, exc)
        except Exception:  # whatever went wrong, the edit that triggered this is already saved
            log.exception("PDF of issue %s not rebuilt", issue_id)


def schedule(key: tuple[str, int]) -> None:
    """Rebuild after commit, once per issue (or registry) however many rows were saved."""
    if not autobuild_enabled():
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _savepoints, func, _robust in connection.run_on_commit:
            if getattr(func, "zhijiao_pdf_key", None) == key:
                return
    callback = partial(_refresh, key)
    callback.zhijiao_pdf_key = key
    transaction.on_commit(callback)


def _issue_changed(sender, instance, **kwargs) -> None:
    schedule(("issue", instance.pk))


def _part_changed(sender, instance, **kwargs) -> None:
    # A section or article: its issue's PDF (an issue being deleted takes them along).
    if instance.issue_id:
        schedule(("issue", instance.issue_id))


def _registry_changed(sender, instance, **kwargs) -> None:
    schedule(("registry", instance.pk))


def _community_changed(sender, instance, **kwargs) -> None:
    schedule(("registry", instance.registry_id))


def connect() -> None:
    """Called from IssuesConfig.ready()."""
    from articles.models import Article
    from communities.models import Community, Registry
    from issues.models import Issue, Section

    for signal in (post_save, post_delete):
        name = "save" if signal is post_save else "delete"
        signal.connect(_issue_changed, sender=Issue, dispatch_uid=f"pdf-issue-{name}")
        signal.connect(_part_changed, sender=Section, dispatch_uid=f"pdf-section-{name}")
        signal.connect(_part_changed, sender=Article, dispatch_uid=f"pdf-article-{name}")
        signal.connect(_registry_changed, sender=Registry, dispatch_uid=f"pdf-registry-{name}")
        signal.connect(_community_changed, sender=Community, dispatch_uid=f"pdf-community-{name}")
