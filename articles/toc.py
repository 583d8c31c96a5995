"""An issue's 目录: sections and their articles in printed order, read in two queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from articles.models import Article, article_url
from core.links import Linked
from issues.models import Issue, Section


@dataclass(frozen=True)
class TocLine(Linked):
    """An article as a page's 目录 prints it: a line and its link, read as plain values (a
    page's 目录 needs neither the body nor a model instance per article)."""

    section_id: int
    number: str
    title: str
    toc_title: str
    source: str
    page_start: int | None
    pdf_page: int | None
    url: str


_LINE_FIELDS = ("section_id", "number", "title", "toc_title", "source", "page_start", "pdf_page")


@dataclass
class TocSection:
    section: Section
    articles: list[Article | TocLine] = field(default_factory=list)
    children: list[TocSection] = field(default_factory=list)

    @property
    def article_count(self) -> int:
        return len(self.articles) + sum(child.article_count for child in self.children)


def table_of_contents(
    issue: Issue,
    *,
    include_unpublished: bool = False,
    with_tags: bool = False,
    lines: bool = False,
) -> list[TocSection]:
    """Top sections with their subsections and articles, each list in printed order.

    An article is listed only when the public may see it, and a section only when it holds such
    an article, itself or in a subsection (``without_empty_sections``: the page, the API and the
    PDF alike). With ``include_unpublished`` (editors' preview) every section and article is
    there. ``with_tags`` prefetches the tags (one more query) for readers that show them, such
    as the API. With ``lines`` the articles are :class:`TocLine` values, what the pages print
    (an issue's bodies are most of what its articles weigh, and the pages show none).
    """
    sections = list(issue.sections.order_by("position"))
    articles = Article.objects.filter(issue=issue).order_by("position")
    if not include_unpublished:
        articles = articles.published_in(issue)
    if with_tags:
        articles = articles.prefetch_related("tags")
    nodes = {s.pk: TocSection(section=s) for s in sections}
    top: list[TocSection] = []
    for s in sections:
        (nodes[s.parent_id].children if s.parent_id in nodes else top).append(nodes[s.pk])
    if lines:
        for values in articles.values_list(*_LINE_FIELDS):
            url = article_url(issue.year, issue.number, values[1])
            nodes[values[0]].articles.append(TocLine(*values, url=url))
    else:
        for article in articles:
            # The issue is the one in hand: no join needed for get_absolute_url().
            article.issue = issue
            nodes[article.section_id].articles.append(article)
    return top if include_unpublished else without_empty_sections(top)


def without_empty_sections(nodes: list[TocSection]) -> list[TocSection]:
    """The one definition of a section worth showing: it holds an article, itself or below.

    Applied to what the reader may see, so a section of drafts only is left out (a top section
    whose subsections hold only drafts as well).
    """
    kept = []
    for node in nodes:
        node.children = without_empty_sections(node.children)
        if node.articles or node.children:
            kept.append(node)
    return kept
