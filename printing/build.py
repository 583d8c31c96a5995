"""Build an issue's (or one article's) PDF: the one entry point for commands, admin and views.

These functions always lay the document out afresh; ``printing.storage`` keeps the public PDFs
in storage and is what the web pages use.
"""

from __future__ import annotations

from articles.models import Article
from issues.models import Issue
from printing.data import PdfSource, document_data, load_article_source, load_source
from printing.render import render_pdf


def render_source(source: PdfSource) -> bytes:
    articles = source.articles
    stamps = [source.issue.updated_at, *(a.updated_at for a in articles)]
    return render_pdf(document_data(source), timestamp=max(s for s in stamps if s))


def build_issue_pdf(*, issue: Issue, include_drafts: bool = False) -> bytes:
    """The whole issue: cover, 说明, 目录, sections and articles, appendix.

    Without ``include_drafts`` only what the public may see is printed (``Article.objects
    .published()``); with it, an editors' preview marked as such on every page.
    """
    return render_source(load_source(issue=issue, include_drafts=include_drafts))


def build_article_pdf(*, article: Article, include_drafts: bool = False) -> bytes:
    """One article, with the issue's running header and its own page numbers."""
    return render_source(load_article_source(article=article, include_drafts=include_drafts))


def pdf_filename(*, issue: Issue, article: Article | None = None, preview: bool = False) -> str:
    """职教通讯-2024年第02期.pdf, 职教通讯-2024年第02期-1.1.1.pdf; previews say so."""
    name = f"{issue.title}-{issue.label}"
    if article is not None:
        name += f"-{article.number}"
    if preview:
        name += "-预览"
    return name.replace("/", "-").replace("\\", "-") + ".pdf"
