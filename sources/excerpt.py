"""摘编到期刊: candidates become draft articles at the end of one section of an issue."""

from __future__ import annotations

from datetime import date

from articles.models import Article
from core.changes import content_change
from core.publishing import Status
from core.roles import display_name
from issues.models import Section
from sources.models import Candidate


class ExcerptRefused(ValueError):
    """Why the candidates cannot go where asked (a Chinese sentence for the editor)."""


def _full_date(value: str) -> date | None:
    """The article keeps a whole date; a month alone ("2024-06") stays on the candidate."""
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def excerpt(*, candidates: list[Candidate], section: Section, user=None) -> list[Article]:
    """Each candidate as a draft article numbered after the section's last one, in the order
    given; the candidates record what they became. One transaction: all or nothing."""
    taken = [c for c in candidates if c.article_id]
    if taken:
        raise ExcerptRefused(
            "已摘编过的候选文章不能再次摘编：" + "、".join(f"《{c.title}》" for c in taken)
        )
    if not candidates:
        raise ExcerptRefused("请选择要摘编的候选文章。")
    issue = section.issue
    with content_change():
        articles = list(issue.articles.select_for_update().select_related("section"))
        in_section = [a for a in articles if a.section_id == section.pk]
        places = [int(n) for a in in_section if (n := a.number.rsplit(".", 1)[-1]).isdigit()]
        taken = {a.number for a in articles}
        numbers: list[str] = []
        place = max(places, default=0)
        while len(numbers) < len(candidates):
            place += 1
            # Skip a number an article moved to another section still holds.
            if f"{section.number}.{place}" not in taken:
                numbers.append(f"{section.number}.{place}")
        # Print order: after the section's last article, or after the articles of the sections
        # printed before it when it has none yet.
        before = [a.position for a in articles if a.section.position <= section.position]
        position = max(before, default=-1) + 1
        for later in (a for a in articles if a.position >= position):
            later.position += len(candidates)
            # Through save (pages follow), and a new version, so a form opened before this
            # cannot write its old position back past the conflict check.
            later.save(update_fields=["position", "version", "updated_at"])
        made = []
        for offset, candidate in enumerate(candidates):
            article = Article(
                issue=issue,
                section=section,
                number=numbers[offset],
                position=position + offset,
                status=Status.DRAFT,
                title=candidate.title,
                subtitle=candidate.subtitle,
                source=candidate.source[:100],
                source_name=candidate.source,
                source_date=_full_date(candidate.source_date),
                source_url=candidate.source_url,
                compiled_by=candidate.compiled_by or (display_name(user) if user else ""),
                body=candidate.body,
            )
            article._history_user = user
            article.save()
            candidate.article = article
            candidate.save(update_fields=["article", "updated_at"])
            made.append(article)
    return made
