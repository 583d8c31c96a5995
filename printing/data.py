"""What goes into an issue's (or one article's) PDF: read from the database once, as plain data.

``load_source`` reads the rows (four queries at most, no article bodies converted yet);
``source_fingerprint`` hashes them, so the stored PDF can be looked up without building anything;
``document_data`` turns them into the JSON the Typst template lays out. The fields printed are
declared once, below (``*_FIELDS``): the fingerprint hashes them and the appendix is read as them.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from articles.models import TEXT_FIELDS, Article
from articles.toc import TocSection, table_of_contents, without_empty_sections
from communities.models import Community, Registry
from core.publishing import Status
from issues.models import MASTHEAD_FIELDS, Issue, Section
from printing import images
from printing.blocks import Block, html_to_blocks

_NOTES_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
_UNIT_BREAK = re.compile(r"(?<=[、，,；;])\s*")


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
    # Each image address in the bodies: (storage name or None, content hash or "!reason").
    _images: dict[str, tuple[str | None, str]] | None = field(default=None, repr=False)

    @property
    def articles(self) -> list[Article]:
        return [a for node in _walk(self.toc) for a in node.articles]

    def found_images(self) -> dict[str, tuple[str | None, str]]:
        """The bodies' images, looked up once (no query, no file read when there are none)."""
        if self._images is None:
            articles = self.articles
            srcs = [src for a in articles for src in images.sources_in(a.body)]
            found = images.resolve_sources(
                srcs,
                article_ids={a.pk for a in articles},
                include_drafts=self.include_drafts,
            )
            self._images = {
                src: (f.name, images.content_hash(f.name) if f.name else "!" + f.reason)
                for src, f in found.items()
            }
        return self._images


def _walk(nodes: list[TocSection]):
    return (node for node, _level in _ordered(nodes))


def load_source(*, issue: Issue, include_drafts: bool = False) -> PdfSource:
    """The issue's sections, articles (published ones only unless ``include_drafts``), appendix."""
    # No empty section in print, not even in a preview (the public's 目录 already has none).
    toc = without_empty_sections(table_of_contents(issue, include_unpublished=include_drafts))
    registry = None
    if issue.appendix_id:
        registry = Registry.objects.filter(pk=issue.appendix_id).only(*REGISTRY_FIELDS).first()
    communities = []
    if registry is not None:
        communities = list(
            Community.objects.filter(registry=registry)
            .order_by("number")
            .values_list(*APPENDIX_FIELDS, named=True)
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
    sections = [section] if section.parent is None else [section.parent, section]
    return _single(article.issue, sections, article, include_drafts=include_drafts)


def article_sources(source: PdfSource) -> list[PdfSource]:
    """Each article's own source, as ``load_article_source`` reads it, from the issue's (no
    query: its sections are in hand)."""
    found = source.found_images()
    singles = []
    for path, article in _articles_with_sections(source.toc, []):
        single = _single(source.issue, path, article, include_drafts=source.include_drafts)
        single._images = {src: found[src] for src in images.sources_in(article.body)}
        singles.append(single)
    return singles


def _articles_with_sections(nodes: list[TocSection], above: list[Section]):
    for node in nodes:
        path = [*above, node.section]
        for article in node.articles:
            yield path, article
        yield from _articles_with_sections(node.children, path)


def _single(
    issue: Issue, sections: list[Section], article: Article, *, include_drafts: bool
) -> PdfSource:
    node = TocSection(section=sections[-1], articles=[article])
    for section in reversed(sections[:-1]):
        node = TocSection(section=section, children=[node])
    return PdfSource(issue=issue, include_drafts=include_drafts, toc=[node], article=article)


# --- fingerprint ---------------------------------------------------------------------------------

# What the PDF prints of each row, declared once: the fingerprint hashes these fields and nothing
# else, and the appendix is read as them. tests/printing/test_storage.py lays a PDF out from rows
# holding only these (any other field would cost a query there), so a field the layout starts to
# print and that is missing here fails that test instead of leaving a stale PDF in storage.
ISSUE_FIELDS = ("year", "number", *MASTHEAD_FIELDS, "publication_date")
SECTION_FIELDS = ("pk", "number", "title", "parent_id")
ARTICLE_FIELDS = ("pk", "number", *TEXT_FIELDS)
REGISTRY_FIELDS = ("title", "source", "published")
APPENDIX_FIELDS = ("number", "name", "lead_units_text", "founded_year", "founded_month")


def _values(row: Any, fields: tuple[str, ...]) -> list[Any]:
    return [getattr(row, name) for name in fields]


def _source_state(source: PdfSource) -> dict[str, Any]:
    return {
        "issue": _values(source.issue, ISSUE_FIELDS),
        "drafts": source.include_drafts,
        "article": source.article.pk if source.article else None,
        "sections": [
            [
                _values(node.section, SECTION_FIELDS),
                [_values(a, ARTICLE_FIELDS) for a in node.articles],
            ]
            for node in _walk(source.toc)
        ],
        "registry": _values(source.registry, REGISTRY_FIELDS) if source.registry else None,
        "appendix": [_values(row, APPENDIX_FIELDS) for row in source.communities],
        "images": sorted([src, digest] for src, (_name, digest) in source.found_images().items()),
    }


def source_fingerprint(source: PdfSource, *, engine: str) -> str:
    """A hash of everything printed, plus the engine (template and fonts): same hash, same PDF.

    Images count by the hash of their bytes (kept per process by name, size and time), so a
    changed image file gives a new PDF. ``Article.pdf_page`` is not printed and not hashed: storing
    it after a build must not make the PDF out of date.
    """
    blob = json.dumps([engine, _source_state(source)], ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


# --- the document data ---------------------------------------------------------------------------


def _cn_date(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def lead_unit_parts(text: str) -> list[str]:
    """A lead-unit list as printed, in the pieces a line may break between: each ends with its
    separator (北京邮电大学、 | 华为技术有限公司)."""
    parts = [p for p in _UNIT_BREAK.split(text.strip()) if p]
    return parts or [""]


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
    """The files of the images printed, by key (for Typst); the others get the reason why not."""

    def __init__(self, found: dict[str, tuple[str | None, str]]) -> None:
        self.found = found
        self.files: dict[str, bytes] = {}
        self.total = 0

    def attach(self, blocks: list[Block]) -> None:
        for block in blocks:
            if block["t"] == "image":
                self._attach(block)
            for child in block.get("items", []):
                self.attach(child)
            if block["t"] == "quote":
                self.attach(block["c"])

    def _attach(self, block: Block) -> None:
        name, digest = self.found.get(block["src"], (None, "!" + images.NOT_HERE))
        result = images.printable(name, digest) if name else images.Printable(reason=digest[1:])
        if result.key and result.key not in self.files:
            if self.total + len(result.content) > images.MAX_IMAGES_BYTES:
                result = images.Printable(reason=images.TOO_MUCH)
            else:
                self.files[result.key] = result.content
                self.total += len(result.content)
        if result.key:
            block.update(key=result.key, w=result.width, h=result.height)
        else:
            block["missing"] = result.reason


def document_data(source: PdfSource) -> dict[str, Any]:
    """The JSON the template lays out: front matter, sections and articles in order, appendix."""
    issue = source.issue
    pictures = _Images(source.found_images())
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
            pictures.attach(blocks)
            items.append(
                {
                    "k": "article",
                    "id": f"a-{article.pk}",
                    "level": level + 1,
                    "number": article.number,
                    "text": _heading_text(article, article.title),
                    "toc": _heading_text(article, article.toc_title or article.title),
                    "subtitle": _subtitle(article),
                    # A public source holds published articles only; a preview marks its drafts.
                    "draft": source.include_drafts and _is_draft(article),
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
                [
                    str(c.number),
                    c.name,
                    lead_unit_parts(c.lead_units_text),
                    f"{c.founded_year}年{c.founded_month}月",
                ]
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
        # Bytes, not JSON: printing.render writes them beside the template for Typst.
        "images": pictures.files,
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
