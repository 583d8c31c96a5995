"""How long each text the parser produces may be: the ``max_length`` of the column it lands in.

Pure Python, no Django, so the parser refuses an over-long title itself, naming its line,
instead of PostgreSQL refusing it at the confirm (``DataError: value too long``) or SQLite
storing it beyond the limit. ``tests/importer/test_importer.py`` checks that every entry equals
the model field's ``max_length``, so the two cannot drift apart.
"""

from __future__ import annotations

from importer.errors import ImportFormatError

#: "app.Model.field" → max_length, for every bounded column the issue importer writes.
MAX_LENGTH: dict[str, int] = {
    "issues.Issue.title": 100,
    "issues.Issue.title_en": 200,
    "issues.Issue.school": 200,
    "issues.Issue.school_en": 200,
    "issues.Issue.publisher": 200,
    "issues.Issue.chief_editor": 100,
    "issues.Issue.editor": 100,
    "issues.Issue.managing_editor": 100,
    "issues.Section.number": 20,
    "issues.Section.title": 200,
    "articles.Article.number": 20,
    "articles.Article.title": 300,
    "articles.Article.toc_title": 300,
    "articles.Article.subtitle": 300,
    "articles.Article.source": 100,
    "articles.Article.source_kind": 10,
    "articles.Article.source_name": 300,
    "articles.Article.source_url": 500,
    "articles.Article.compiled_by": 100,
}

#: Print pages (PositiveIntegerField, at most 2147483647 on PostgreSQL): a larger number in the
#: 目录 is a typing error, not a page.
PAGE_MAX = 99_999

#: A 目录 entry is one short line (the longest in the seeds has 43 characters); a line that
#: starts like one and runs on past this is not a 目录 line.
TOC_LINE_MAX = 1000


def check_length(text: str, column: str, what: str, line: int | None) -> str:
    """``text`` if it fits ``column``; else an :class:`ImportFormatError` naming ``line``."""
    limit = MAX_LENGTH[column]
    if len(text) > limit:
        raise ImportFormatError(
            f"{what}太长（{len(text)} 个字，最多 {limit} 个字）：“{text[:20]}…”", line
        )
    return text
