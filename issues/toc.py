"""An issue's 目录: sections and their articles in printed order, read in two queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from articles.models import Article
from issues.models import Issue, Section


@dataclass
class TocSection:
    section: Section
    articles: list[Article] = field(default_factory=list)
    children: list[TocSection] = field(default_factory=list)


def table_of_contents(issue: Issue, *, include_unpublished: bool = False) -> list[TocSection]:
    """Top sections with their subsections and articles, each list in printed order."""
    sections = list(issue.sections.order_by("position"))
    articles = issue.articles.select_related("issue").order_by("position")
    if not include_unpublished:
        articles = articles.filter(pk__in=Article.objects.published())
    nodes = {s.pk: TocSection(section=s) for s in sections}
    top: list[TocSection] = []
    for s in sections:
        (nodes[s.parent_id].children if s.parent_id in nodes else top).append(nodes[s.pk])
    for article in articles:
        nodes[article.section_id].articles.append(article)
    return top
