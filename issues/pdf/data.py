"""What goes into an issue's (or one article's) PDF: read from the database once, as plain data.

``load_source`` reads the rows (four queries at most, no article bodies converted yet);
``source_fingerprint`` hashes them, so the stored PDF can be looked up without building anything;
``document_data`` turns them into the JSON the Typst template lays out.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from articles.models import Article
from communities.models import Community, Registry
from issues.models import Issue, Section, Status
from issues.pdf.blocks import Block, html_to_blocks
from issues.toc import TocSection, table_of_contents, without_empty_sections

# Images are passed to Typst inside the JSON data; keep an issue's PDF within a sane size.
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGES_BYTES = 20 * 1024 * 1024

_NOTES_HEADING = re.compile(r"^[一二三四五六七八九十]+、")


@dataclass
class PdfSource:
    """The rows one PDF is made of, in printed order."""

    issue: Issue
    include_drafts: bool
    toc: list[TocSection]
    article: Article | None = None  # set for a single-article PDF
    registry: Registry | None = None  # the appendix, when the issue has one
    # Appendix rows: named tuples (number, name, lead_units_text, founded_year, founded_month);
    # 500 of them are read on every request for the PDF, and tuples are several times cheaper.
    communities: list[Any] = field(default_factory=list)

    @property
    def articles(self) -> list[Article]:
        return [a for node in _walk(self.toc) for a in node.articles]


def _walk(nodes: list[TocSection]):
    return (node for node, _level in _ordered(nodes))


def load_source(*, issue: Issue, include_drafts: bool = False) -> PdfSource:
    """The issue's sections, articles (published ones only unless ``include_drafts``), appendix."""
    # No empty section in print, not even in a preview (the public's 目录 already has none).
    toc = without_empty_sections(table_of_contents(issue, include_unpublished=include_drafts))
    registry = Registry.objects.filter(pk=issue.appendix_id).first() if issue.appendix_id else None
    communities = []
    if registry is not None:
        communities = list(
            Community.objects.filter(registry=registry)
            .order_by("number")
            .values_list(*_APPENDIX_FIELDS, named=True)
        )
    return PdfSource(
        issue=issue,
        include_drafts=include_drafts,
        toc=toc,
        registry=registry,
        communities=communities,
    )


def load_article_source(*, article: Article, include_drafts: bool = False) -> PdfSource:
    """One article with the sections above it, for a single-article PDF."""
    section = Section.objects.select_related("parent").get(pk=article.section_id)
    node = TocSection(section=section, articles=[article])
    if section.parent is not None:
        node = TocSection(section=section.parent, children=[node])
    return PdfSource(
        issue=article.issue, include_drafts=include_drafts, toc=[node], article=article
    )


# --- fingerprint ---------------------------------------------------------------------------------

_APPENDIX_FIELDS = ("number", "name", "lead_units_text", "founded_year", "founded_month")
_ISSUE_FIELDS = (
    "year",
    "number",
    "title",
    "title_en",
    "school",
    "school_en",
    "publisher",
    "chief_editor",
    "editor",
    "managing_editor",
    "notes",
    "publication_date",
)
_ARTICLE_FIELDS = (
    "pk",
    "number",
    "title",
    "toc_title",
    "subtitle",
    "source",
    "source_name",
    "source_date",
    "source_url",
    "compiled_by",
    "body",
)


def _source_state(source: PdfSource) -> dict[str, Any]:
    issue = source.issue
    return {
        "issue": {name: getattr(issue, name) for name in _ISSUE_FIELDS},
        "drafts": source.include_drafts,
        "article": source.article.pk if source.article else None,
        "sections": [
            [
                node.section.pk,
                node.section.number,
                node.section.title,
                node.section.parent_id,
                [[getattr(a, name) for name in _ARTICLE_FIELDS] for a in node.articles],
            ]
            for node in _walk(source.toc)
        ],
        "registry": [source.registry.title, source.registry.source, source.registry.published]
        if source.registry
        else None,
        "appendix": [list(row) for row in source.communities],
    }


def source_fingerprint(source: PdfSource, *, engine: str) -> str:
    """A hash of everything printed, plus the engine (template and fonts): same hash, same PDF.

    Images count by their address in the body: an image file replaced under the same name keeps
    the old PDF until something else changes (uploads get new names, so this does not happen).
    """
    blob = json.dumps([engine, _source_state(source)], ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


# --- the document data ---------------------------------------------------------------------------


def _cn_date(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def notes_lines(text: str) -> list[dict[str, Any]]:
    """The 说明 text: one paragraph a line; "一、…" lines are its sub-headings."""
    lines = (line.strip() for line in text.splitlines())
    return [{"heading": bool(_NOTES_HEADING.match(line)), "text": line} for line in lines if line]


def _notes_blocks(text: str) -> list[Block]:
    return [
        {"t": "h", "level": 4, "c": [{"x": line["text"]}]}
        if line["heading"]
        else {"t": "p", "c": [{"x": line["text"]}], "plain": True}
        for line in notes_lines(text)
    ]


def _heading_text(article: Article, title: str) -> str:
    label = f"{article.source}：{title}" if article.source else title
    return f"{article.number} {label}"


class _Images:
    """Images from the site's own storage, passed as bytes; others print as their description."""

    def __init__(self) -> None:
        self.data: dict[str, list[int]] = {}
        self.total = 0
        media = "/" + settings.MEDIA_URL.strip("/") + "/"
        self.prefixes = (media, settings.MEDIA_URL) if settings.MEDIA_URL else (media,)

    def attach(self, blocks: list[Block]) -> None:
        for block in blocks:
            if block["t"] == "image":
                key = self._load(block["src"])
                if key:
                    block["key"] = key
            for child in block.get("items", []):
                self.attach(child)
            if block["t"] == "quote":
                self.attach(block["c"])

    def _load(self, src: str) -> str | None:
        name = next((src[len(p) :] for p in self.prefixes if p and src.startswith(p)), None)
        if not name or ".." in name.split("/"):
            return None
        try:
            if not default_storage.exists(name):
                return None
            size = default_storage.size(name)
            if size > MAX_IMAGE_BYTES or self.total + size > MAX_IMAGES_BYTES:
                return None
            with default_storage.open(name, "rb") as fh:
                content = fh.read()
        except (OSError, ValueError):  # unreadable or a name the storage refuses: print the alt
            return None
        key = f"img-{len(self.data)}"
        self.data[key] = list(content)
        self.total += len(content)
        return key


def document_data(source: PdfSource) -> dict[str, Any]:
    """The JSON the template lays out: front matter, sections and articles in order, appendix."""
    issue = source.issue
    images = _Images()
    items: list[dict[str, Any]] = []
    after_heading = False
    for node, level in _ordered(source.toc):
        section = node.section
        items.append(
            {
                "k": "section",
                "id": f"s-{section.pk}",
                "level": level,
                "text": f"{section.number} {section.title}",
                "top": section.title if level == 1 else "",
                # A top section starts a page; a subsection right after it stays with it.
                "break": level == 1 or not after_heading,
            }
        )
        after_heading = True
        for article in node.articles:
            blocks = html_to_blocks(article.body)
            images.attach(blocks)
            items.append(
                {
                    "k": "article",
                    "id": f"a-{article.pk}",
                    "level": level + 1,
                    "number": article.number,
                    "text": _heading_text(article, article.title),
                    "toc": _heading_text(article, article.toc_title or article.title),
                    "subtitle": _subtitle(article),
                    "draft": _is_draft(article),
                    "blocks": blocks,
                    "provenance": _provenance(article),
                    "break": not after_heading and source.article is None,
                }
            )
            after_heading = False
    appendix = None
    if source.registry is not None and source.communities:
        registry = source.registry
        appendix = {
            "id": "appendix",
            "title": f"附录：{registry.title}",
            "source": registry.source,
            "published": _cn_date(registry.published),
            "rows": [
                [str(c.number), c.name, c.lead_units_text, f"{c.founded_year}年{c.founded_month}月"]
                for c in source.communities
            ],
        }
    label = issue.label
    if source.article is not None:
        article = source.article
        title = _heading_text(article, article.title)
        subject = f"{issue.title} {label} · {article.number}"
    else:
        title = f"{issue.title} {label}"
        subject = f"{issue.school or issue.publisher} 《{issue.title}》 {label} 内部资料".strip()
    return {
        "mode": "article" if source.article is not None else "issue",
        "preview": source.include_drafts,
        "meta": {
            "title": title,
            "author": [a for a in (issue.publisher or issue.school,) if a] or [issue.title],
            "subject": subject,
            "keywords": [issue.title, label, "职业教育"],
        },
        "issue": {
            "title": issue.title,
            "title_en": issue.title_en,
            "school": issue.school,
            "school_en": issue.school_en,
            "publisher": issue.publisher,
            "label": label,
            "date": _cn_date(issue.publication_date),
            "editors": [
                [k, v]
                for k, v in (
                    ("总编", issue.chief_editor),
                    ("主编", issue.editor),
                    ("责编", issue.managing_editor),
                )
                if v
            ],
            "notes": _notes_blocks(issue.notes),
        },
        "items": items,
        "appendix": appendix,
        "images": images.data,
    }


def _ordered(nodes: list[TocSection], level: int = 1):
    for node in nodes:
        yield node, level
        yield from _ordered(node.children, level + 1)


def _is_draft(article: Article) -> bool:
    """Not (yet) visible to the public: marked as such in an editors' preview."""
    if article.status != Status.PUBLISHED:
        return True
    return article.published_at is not None and article.published_at > timezone.now()


def _provenance(article: Article) -> list[list[str]]:
    pairs = (
        ("资料来源", article.source_name),
        ("发布日期", _cn_date(article.source_date)),
        ("原文链接", article.source_url),
        ("摘编", article.compiled_by),
    )
    return [[k, v] for k, v in pairs if v]


def _subtitle(article: Article) -> str:
    subtitle = article.subtitle.strip()
    return subtitle if subtitle not in ("", article.title) else ""


def print_items(source: PdfSource) -> list[dict[str, Any]]:
    """The same sequence as the PDF, for the HTML print view: sections and articles in order."""
    items: list[dict[str, Any]] = []
    for node, level in _ordered(source.toc):
        items.append(
            {
                "kind": "section",
                "level": level,
                "section": node.section,
                "id": f"s-{node.section.pk}",
                "text": f"{node.section.number} {node.section.title}",
            }
        )
        for article in node.articles:
            items.append(
                {
                    "kind": "article",
                    "level": min(level + 1, 6),
                    "article": article,
                    "id": f"a-{article.pk}",
                    "text": _heading_text(article, article.title),
                    "toc": _heading_text(article, article.toc_title or article.title),
                    "subtitle": _subtitle(article),
                    "provenance": _provenance(article),
                    "draft": _is_draft(article),
                    # A page break before each article, except right under its section's heading.
                    "follows_heading": items[-1]["kind"] == "section",
                }
            )
    return items
