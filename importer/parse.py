"""Parse one 《职教通讯》 issue (a text conversion) into plain data: cover, 目录, articles.

Pure Python, no Django; :mod:`importer.load` writes the result to the database. The 目录
is read by :mod:`importer.toc`, the cover by :mod:`importer.cover`, article text by
:mod:`importer.markup` and :mod:`importer.provenance`.

The 目录 gives the structure and bodies are found by number, never by title; the rules, with
the seed issues' cases, are in docs/architecture.md ("Reading an issue file").
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from importer.cover import parse_cover, staff_and_notes
from importer.errors import ImportFormatError
from importer.labels import label_kind
from importer.limits import check_length
from importer.markup import (
    render_html,
    restates_title,
    split_blocks,
    strip_markup,
    take_subtitle,
)
from importer.provenance import split_provenance
from importer.toc import APPENDIX, TocEntry, classify, find_toc, no_spaces

__all__ = [
    "ArticleDoc",
    "ImportFormatError",
    "IssueDoc",
    "SectionDoc",
    "decode_issue_bytes",
    "parse_issue",
]


@dataclass(frozen=True)
class SectionDoc:
    number: str  # "1", "1.1"
    title: str  # 职教动态, 重要通知
    parent: str | None  # parent section number, None for a top section
    position: int  # order in the 目录 (0-based, over all sections)
    page: int | None  # print page from the 目录
    line: int  # 1-based line of its 目录 entry


@dataclass(frozen=True)
class ArticleDoc:
    number: str  # "1.1.1", or "3.1" directly under a top section
    section: str  # number of its section
    position: int  # printed (目录) order, 0-based
    title: str  # body heading without number and label
    toc_title: str  # 目录 title without number, label, leaders and page
    source: str  # the label before the colon (教育部, 产教融合), "" if none
    source_kind: str  # what the label names: importer.labels OUTLET, TOPIC or PLACE; "" if none
    subtitle: str  # 副标题, "" if none
    body_html: str  # escaped HTML: p, h3, h4, strong, ul/li, table
    provenance_source: str  # 资料来源 / 信息来源 / 来源, as printed
    source_date: datetime.date | None  # 发布日期 (a full date only)
    source_url: str  # a URL in the provenance lines, "" if none
    compiled_by: str  # 摘编, "" if none
    page_start: int | None
    page_end: int | None
    line: int  # 1-based line of its heading in the body


@dataclass(frozen=True)
class IssueDoc:
    year: int
    number: int
    title: str
    title_en: str
    school: str
    school_en: str
    publisher: str
    chief_editor: str
    editor: str
    managing_editor: str
    notes: str
    sections: tuple[SectionDoc, ...]
    articles: tuple[ArticleDoc, ...]
    appendix_title: str
    appendix_page: int | None
    appendix_text: str
    appendix_line: int | None


# --- bytes → text -------------------------------------------------------------------------------


def decode_issue_bytes(data: bytes) -> str:
    """UTF-8 bytes (with or without BOM) as text with ``\\n`` line ends; refuses anything else."""
    if b"\x00" in data:
        raise ImportFormatError(
            "文件不是 UTF-8 文本：其中有二进制内容（可能是 Word、PDF 或 UTF-16 文件）。"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFormatError(
            f"文件不是 UTF-8 文本（第 {line} 行起无法按 UTF-8 解码，可能是 GBK 编码）："
            "请另存为 UTF-8 后再导入。"
        ) from None
    return _normalise_newlines(text)


def _normalise_newlines(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")


# A body line starting with a number: ``#### 1.1.1 教育部：…``, ``**1.1.1** …``, ``3.1 何为…``.
_NUMBERED_LINE = re.compile(
    r"^[ \t\u3000]*(?:#{1,6}[ \t]*)?(?:\*\*[ \t]*)?(?P<number>\d+(?:\.\d+)*)\.?"
    r"(?=[ \t\u3000]|\*\*|$)(?P<rest>.*)$"
)
# ``教育部：…``, ``产教融合：…``: a short label before the first colon.
_LABEL = re.compile(r"^(?P<label>[^：:]{1,20})[：:][ \t\u3000]*(?P<title>\S.*)$")
_LABEL_FORBIDDEN = set('，。！？；“”《》"')
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")


# --- locating headings in the body --------------------------------------------------------------


def _numbered_lines(lines: Sequence[str], start: int) -> dict[str, list[tuple[int, str]]]:
    """Every line from ``start`` on that begins with a number: number → [(index, rest of line)]."""
    found: dict[str, list[tuple[int, str]]] = {}
    for index in range(start, len(lines)):
        line = lines[index]
        if not line or not (line.lstrip(" \t\u3000#*")[:1].isdigit()):
            continue  # cheap test first: most lines do not start with a digit
        match = _NUMBERED_LINE.match(line)
        if match:
            found.setdefault(match["number"], []).append((index, match["rest"]))
    return found


def _locate_articles(
    articles: Sequence[TocEntry], numbered: dict[str, list[tuple[int, str]]], start: int
) -> list[int]:
    """The body line index of each article heading, searched in 目录 order."""
    located: list[int] = []
    position = start
    previous: TocEntry | None = None
    for entry in articles:
        # A heading never ends a sentence: "3.5 万人次……。" is text, not article 3.5.
        candidates = [
            i for i, rest in numbered.get(entry.number, []) if not rest.rstrip().endswith("。")
        ]
        indexes = [i for i in candidates if i >= position]
        if indexes:
            located.append(indexes[0])
            position = indexes[0] + 1
        elif candidates:
            after = f"（目录中它在 {previous.number} 之后）" if previous else ""
            raise ImportFormatError(
                f"正文中 {entry.number} 的标题出现的位置与目录顺序不符{after}。", candidates[-1] + 1
            )
        else:
            raise ImportFormatError(
                f"目录中的 {entry.number} 在正文中找不到"
                f"（正文中应有以“{entry.number} ”开头的标题行）。",
                entry.line,
            )
        previous = entry
    return located


def _section_heading(
    entry: TocEntry, numbered: dict[str, list[tuple[int, str]]], low: int, high: int
) -> int | None:
    """The body line of a section heading between ``low`` and ``high``, carrying its title."""
    wanted = no_spaces(entry.title)
    for index, rest in numbered.get(entry.number, []):
        if low <= index < high:
            found = no_spaces(strip_markup(rest))
            if found and (found == wanted or wanted in found or found in wanted):
                return index
    return None


def _locate_sections(
    entries: Sequence[TocEntry],
    article_at: dict[str, int],
    numbered: dict[str, list[tuple[int, str]]],
    start: int,
    end: int,
) -> dict[str, int]:
    """Body line index of each section heading found: each is looked for after the heading before
    it in 目录 order and before the next article's heading."""
    section_at: dict[str, int] = {}
    # The heading line of the first article after each entry (``end`` if none): computed once
    # from the end instead of searched for each section (quadratic in the 目录's length).
    next_article = [end] * (len(entries) + 1)
    for order in range(len(entries) - 1, -1, -1):
        number = entries[order].number
        next_article[order] = article_at.get(number, next_article[order + 1])
    low = start
    for order, entry in enumerate(entries):
        if entry.number in article_at:
            low = article_at[entry.number] + 1
            continue
        found = _section_heading(entry, numbered, low, next_article[order + 1])
        if found is not None:
            section_at[entry.number] = found
            low = found + 1
    return section_at


def _appendix_heading(lines: Sequence[str], start: int, title: str) -> int | None:
    """The line of the appendix heading from ``start`` on: the first 附录 line carrying the 目录's
    title, else the first 附录 line (an article may itself mention 附录：… first)."""
    wanted = no_spaces(title)
    first: int | None = None
    for index in range(start, len(lines)):
        text = strip_markup(lines[index])
        match = APPENDIX.match(text)
        if match:
            if wanted and wanted in no_spaces(text[match.end() :]):
                return index
            first = index if first is None else first
    return first


# --- articles -----------------------------------------------------------------------------------


def _split_label(title: str) -> tuple[str, str]:
    """``教育部：培养更多…`` → (教育部, 培养更多…); titles without such a label → ("", title)."""
    match = _LABEL.match(title)
    if match:
        label = match["label"].strip()
        if _CJK_CHAR.search(label) and not _LABEL_FORBIDDEN.intersection(label):
            return label, match["title"].strip()
    return "", title


def _undouble(title: str) -> str:
    """A heading printed twice on its line (2024年第02期 4.3.2) is taken once.

    Its two copies are the halves either side of the middle space (compared once, not at every
    space: that was quadratic in the number of words).
    """
    half, odd = divmod(len(title), 2)
    if odd and title[half] == " " and title[:half] == title[half + 1 :]:
        return title[:half]
    return title


def _page_end(page_start: int | None, next_page: int | None) -> int | None:
    if page_start is None or next_page is None:
        return None
    return next_page - 1 if next_page > page_start else page_start


def _article(
    entry: TocEntry,
    *,
    section: str,
    position: int,
    heading_line: str,
    body: Sequence[str],
    line: int,
    next_page: int | None,
) -> ArticleDoc:
    match = _NUMBERED_LINE.match(heading_line)
    assert match is not None
    label, title = _split_label(strip_markup(match["rest"]))
    title = _undouble(title)
    toc_label, toc_title = _split_label(entry.title)
    blocks, provenance = split_provenance(split_blocks(body, line + 1))
    subtitle, rest = take_subtitle(blocks)
    number = entry.number
    source = label or toc_label
    title = title or toc_title
    if restates_title(subtitle, title, source):
        subtitle = ""  # the heading printed again (2024年第02期 1.1.3), not a 副标题
    # Each text against its column, naming the line it came from (the 目录's are checked
    # before the body is read, in parse_issue).
    check_length(title, "articles.Article.title", f"正文中 {number} 的标题", line)
    check_length(label, "articles.Article.source", f"正文中 {number} 的来源标签", line)
    if subtitle:
        check_length(subtitle, "articles.Article.subtitle", f"{number} 的副标题", blocks[0].line)
    for value, column, what, field in (
        (provenance.source, "articles.Article.source_name", "信息来源", "source"),
        (provenance.url, "articles.Article.source_url", "原文链接", "url"),
        (provenance.compiled_by, "articles.Article.compiled_by", "摘编", "compiled_by"),
    ):
        check_length(value, column, f"{number} 的{what}", provenance.lines.get(field, line))
    return ArticleDoc(
        number=number,
        section=section,
        position=position,
        title=title,
        toc_title=toc_title,
        source=source,
        source_kind=label_kind(source, source_name=provenance.source),
        subtitle=subtitle,
        body_html=render_html(rest),
        provenance_source=provenance.source,
        source_date=provenance.date,
        source_url=provenance.url,
        compiled_by=provenance.compiled_by,
        page_start=entry.page,
        page_end=_page_end(entry.page, next_page),
        line=line,
    )


def _check_toc_lengths(entries: Sequence[TocEntry], sections: set[str]) -> None:
    """Titles in the 目录 against their columns, before the body is looked at."""
    for entry in entries:
        if entry.number in sections:
            what = f"目录中栏目 {entry.number} 的标题"
            check_length(entry.title, "issues.Section.title", what, entry.line)
        else:
            label, toc_title = _split_label(entry.title)
            what = f"目录中 {entry.number} 的标题"
            check_length(toc_title, "articles.Article.toc_title", what, entry.line)
            what = f"目录中 {entry.number} 的来源标签"
            check_length(label, "articles.Article.source", what, entry.line)


# --- the issue ----------------------------------------------------------------------------------


def parse_issue(text: str) -> IssueDoc:
    """Read an issue; raises :class:`ImportFormatError` naming the problem (and line) otherwise."""
    text = _normalise_newlines(text)
    if not text.strip():
        raise ImportFormatError("文件是空的：没有任何文字。")
    lines = text.split("\n")
    toc = find_toc(lines)
    cover = parse_cover(lines[: toc.heading])
    section_numbers, article_entries = classify(toc.entries)
    _check_toc_lengths(toc.entries, section_numbers)

    numbered = _numbered_lines(lines, toc.end)
    article_at = dict(
        zip(
            (e.number for e in article_entries),
            _locate_articles(article_entries, numbered, toc.end),
            strict=True,
        )
    )
    last_article = max(article_at.values(), default=toc.end - 1)

    appendix_at: int | None = None
    if toc.appendix is not None:
        appendix_at = _appendix_heading(lines, last_article + 1, toc.appendix.title)
        if appendix_at is None:
            raise ImportFormatError(
                f"目录中的附录“{toc.appendix.title}”在正文中找不到"
                "（正文中应有以“附录”开头的标题行）。",
                toc.appendix.line,
            )
    body_end = appendix_at if appendix_at is not None else len(lines)

    section_at = _locate_sections(toc.entries, article_at, numbered, toc.end, body_end)
    boundaries = sorted({*article_at.values(), *section_at.values(), body_end})
    first_heading = boundaries[0]
    staff, notes = staff_and_notes(lines, toc.end, first_heading)

    sections: list[SectionDoc] = []
    for entry in toc.entries:
        if entry.number in section_numbers:
            sections.append(
                SectionDoc(
                    entry.number, entry.title, entry.parent, len(sections), entry.page, entry.line
                )
            )

    articles: list[ArticleDoc] = []
    for position, entry in enumerate(article_entries):
        start = article_at[entry.number]
        end = boundaries[bisect.bisect_right(boundaries, start)]  # body_end is always after it
        if position + 1 < len(article_entries):
            next_page = article_entries[position + 1].page
        else:
            next_page = toc.appendix.page if toc.appendix is not None else None
        articles.append(
            _article(
                entry,
                section=entry.parent or "",
                position=position,
                heading_line=lines[start],
                body=lines[start + 1 : end],
                line=start + 1,
                next_page=next_page,
            )
        )

    appendix_title = appendix_text = ""
    if toc.appendix is not None and appendix_at is not None:
        heading = strip_markup(lines[appendix_at])
        match = APPENDIX.match(heading)
        appendix_title = (heading[match.end() :].strip() if match else "") or toc.appendix.title
        appendix_text = "\n".join(lines[appendix_at:])

    return IssueDoc(
        year=cover.year,
        number=cover.number,
        title=cover.title,
        title_en=cover.title_en,
        school=cover.school,
        school_en=cover.school_en,
        publisher=cover.publisher,
        chief_editor=staff.get("总编", ""),
        editor=staff.get("主编", ""),
        managing_editor=staff.get("责编", ""),
        notes=notes,
        sections=tuple(sections),
        articles=tuple(articles),
        appendix_title=appendix_title,
        appendix_page=toc.appendix.page if toc.appendix is not None else None,
        appendix_text=appendix_text,
        appendix_line=appendix_at + 1 if appendix_at is not None else None,
    )
