"""Renumber an issue's sections and articles after editors reordered them.

Numbers follow the printed order (``position``): top sections 1, 2, …; a subsection is its parent's
number and its place (1.1, 1.2); an article is its section's number and its place (1.1.1).
"""

from __future__ import annotations

from articles.models import Article
from core.changes import content_change
from issues.models import Issue, Section


def planned_numbers(issue: Issue) -> tuple[dict[int, str], dict[int, str]]:
    """New numbers by primary key, for sections and for articles."""
    sections = list(issue.sections.order_by("position", "pk"))
    section_numbers: dict[int, str] = {}
    children: dict[int | None, list[Section]] = {}
    for section in sections:
        children.setdefault(section.parent_id, []).append(section)

    def walk(parent_id: int | None, prefix: str) -> None:
        for place, section in enumerate(children.get(parent_id, []), start=1):
            section_numbers[section.pk] = f"{prefix}{place}"
            walk(section.pk, f"{prefix}{place}.")

    walk(None, "")
    article_numbers: dict[int, str] = {}
    places: dict[int, int] = {}
    for article in issue.articles.order_by("position", "pk"):
        places[article.section_id] = places.get(article.section_id, 0) + 1
        base = section_numbers[article.section_id]
        article_numbers[article.pk] = f"{base}.{places[article.section_id]}"
    return section_numbers, article_numbers


def renumbering_changes(issue: Issue) -> list[tuple[str, str, str]]:
    """(title, old number, new number) for each section or article whose number would change."""
    section_numbers, article_numbers = planned_numbers(issue)
    changes = [
        (s.title, s.number, section_numbers[s.pk])
        for s in issue.sections.order_by("position")
        if s.number != section_numbers[s.pk]
    ]
    changes += [
        (a.title, a.number, article_numbers[a.pk])
        for a in issue.articles.order_by("position")
        if a.number != article_numbers[a.pk]
    ]
    return changes


def renumber(*, issue: Issue) -> int:
    """Apply the planned numbers; returns how many numbers changed."""
    section_numbers, article_numbers = planned_numbers(issue)
    changed = 0
    with content_change():
        # Two passes, so that swapping two numbers never meets the uniqueness constraint.
        for model, numbers in ((Section, section_numbers), (Article, article_numbers)):
            rows = [r for r in model.objects.filter(pk__in=numbers) if r.number != numbers[r.pk]]
            for row in rows:
                row.number = f"~{row.pk}"
                row.save(update_fields=["number"])
            for row in rows:
                row.number = numbers[row.pk]
                row.save()
            changed += len(rows)
    return changed
