"""Parse a source document (another school's newsletter, a ministry notice, a policy plan) into
candidate articles for the 素材库. Text in, dataclasses out; pure Python, no Django.

How a document is read (the three real ones, ../shared/seeds 002–004, are the specification):

* **Lines → paragraphs** by :func:`sources.lines.split_paragraphs` (broken lines re-joined; page
  numbers, running heads, URL dumps and image stubs gone), then **tables** by
  :func:`sources.tables.find_tables`.
* **Pictures that were lost** leave their captions behind: a paragraph ending in a credit
  (``学校供图``, with the caption line before it), a heading-like or bracketed line beside an image
  stub, a short bracketed line that is no sentence (``（公办学校占比 截至 2024 年 5 月 15 日）``),
  and heading-like lines left at the very end of an article. They are dropped.
* **Columns** are ``「新闻政策」`` marks, or a bare short heading (``要闻纵览``) standing where an
  article may start, right above a title.
* **Articles** start with a title-like paragraph where an article may start: at the beginning,
  after a column, or after an article's provenance lines (信息来源：…, 来源：…, 摘编：…, read by
  :func:`importer.provenance.split_provenance`). A run with no provenance at all (a
  column of the school's own news) is further cut where a title opens a printed page right after
  a finished sentence and before prose.
* **Title, subtitle**: a title wrapped into two paragraphs is joined (an unclosed 《, a short tail
  such as ``暨专题培训会``, or a tail ending the way a notice's title ends: ``…的通知``). The line
  under it is the subtitle when it opens with a dash, ends with ！ or ？, or the article has no
  other sub-heading; a line parallel to later sub-headings (``关键词 1 市域`` … ``关键词 2 产教``)
  is the first sub-heading.
* **Author**: a bracketed line at the end (``（作者：章春苗）``,
  ``（任友群，教育部教师工作司司长）``, ``（李福胜 可心萌 宋颖）``).
* **Body**: headings, paragraphs, lists and tables by :func:`sources.body.body_blocks`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from importer.markup import Block as MarkupBlock
from importer.markup import fold_cjk_spaces, join_lines
from importer.provenance import parse_date, split_provenance
from sources.blocks import Block, render_html
from sources.body import Unit, body_blocks
from sources.errors import SourceError
from sources.kinds import (
    AUTHOR_LABEL,
    COLUMN_MARK,
    CREDIT,
    DASHES,
    DOC_TYPE,
    HAN,
    ISSUE_ID,
    LABEL,
    MAJOR,
    MD_HEADING,
    MONTH,
    NOTE,
    PUBLISHER,
    SOURCE_DATE,
    author_of,
    bracketed,
    collapse,
    ends_sentence,
    enumerated,
    heading_like,
    is_provenance,
    title_like,
    title_text,
    unbalanced,
)
from sources.lines import Paragraph, split_paragraphs
from sources.tables import find_tables

__all__ = ["Block", "Candidate", "DocumentKind", "SourceDocument", "SourceError", "parse_source"]

DocumentKind = Literal["newsletter", "policy", "other"]


@dataclass(frozen=True)
class Candidate:
    """One article of a source document, as an editor would excerpt it."""

    column: str | None  # 栏目: 要闻纵览, 新闻政策 (from 「新闻政策」)
    title: str
    subtitle: str | None
    source: str | None  # outlet of 信息来源 / 来源 / 资料来源: 中国教育报
    source_date: str | None  # "2024-06-16", "2024-06" or None
    compiled_by: str | None  # 摘编
    author: str | None  # 章春苗 from （作者：章春苗）; 任友群，教育部教师工作司司长
    blocks: list[Block] = field(default_factory=list)
    line: int = 0  # 1-based line of the title in the text

    @property
    def body_html(self) -> str:
        return render_html(self.blocks)

    @property
    def paragraphs(self) -> list[str]:
        """The plain text of each block, in order."""
        return [block.plain for block in self.blocks]

    @property
    def text(self) -> str:
        """Title, subtitle and body as plain text (what near-duplicate detection compares)."""
        return "\n".join([self.title, self.subtitle or "", *self.paragraphs]).strip()


@dataclass(frozen=True)
class SourceDocument:
    kind: DocumentKind
    title: str | None
    publisher: str | None
    date: str | None  # "2024-06-16", "2024-06" or None
    editors_note: str | None  # 编者按, without its label
    articles: list[Candidate] = field(default_factory=list)


# --- paragraphs → units (paragraphs and tables) -------------------------------------------------


def _units(paragraphs: Sequence[Paragraph]) -> list[Unit]:
    texts = [p.text for p in paragraphs]
    stops = [is_provenance(collapse(t)) or bool(COLUMN_MARK.match(t.strip())) for t in texts]
    units: list[Unit] = []
    position = 0
    for run in [*find_tables(texts, stops), None]:
        stop = run.start if run is not None else len(paragraphs)
        for para in paragraphs[position:stop]:
            text = collapse(para.text)
            heading = MD_HEADING.match(text)  # pasted markdown: "## 小标题"
            units.append(Unit("para", heading[1] if heading else text, para.line, para))
        if run is not None:
            kind: Literal["table", "rows"] = "table" if run.aligned else "rows"
            units.append(Unit(kind, line=paragraphs[run.start].line, rows=run.rows))
            position = run.end
    return units


def _drop_captions(units: list[Unit]) -> list[Unit]:
    """Without the captions and credits of pictures the conversion lost."""
    out: list[Unit] = []
    for unit in units:
        if unit.kind != "para" or unit.para is None:
            out.append(unit)
            continue
        text = unit.text
        if CREDIT.search(text) and len(text) <= 80:
            if len(text) <= 12 and out and out[-1].kind == "para":
                before = out[-1].text
                if len(before) <= 60 and before.count("。") <= 1 and not is_provenance(before):
                    out.pop()  # the caption above a credit line (学校供图)
            continue
        beside_stub = unit.para.stub_before or unit.para.stub_after
        captionish = title_like(text) or bracketed(text)
        if beside_stub and captionish and not enumerated(text) and not author_of(text):
            continue
        out.append(unit)
    return out


# --- units → articles ---------------------------------------------------------------------------


@dataclass
class _Chunk:
    column: str | None
    title: Unit | None
    body: list[Unit] = field(default_factory=list)
    tail: list[Unit] = field(default_factory=list)  # provenance lines


def _bare_column(units: Sequence[Unit], index: int) -> bool:
    """``要闻纵览`` where an article may start, with a title right under it."""
    text = units[index].text
    if not re.fullmatch(r"[\u4e00-\u9fff]{2,6}", text) or LABEL.match(text):
        return False
    after = units[index + 1] if index + 1 < len(units) else None
    return after is not None and after.kind == "para" and title_like(after.text)


def _masthead_line(text: str) -> bool:
    return len(text) <= 40 and bool(ISSUE_ID.search(text) or PUBLISHER.search(text))


def _segment(units: Sequence[Unit]) -> tuple[list[Unit], list[_Chunk]]:
    head: list[Unit] = []
    chunks: list[_Chunk] = []
    column: str | None = None
    current: _Chunk | None = None
    for index, unit in enumerate(units):
        if unit.kind == "para":
            mark = COLUMN_MARK.match(unit.text)
            if mark:
                column, current = mark[1], None
                continue
            if is_provenance(unit.text):
                (current.tail if current is not None else head).append(unit)
                continue
            if not chunks and _masthead_line(unit.text):
                head.append(unit)  # 《职教资讯》2023年第3期, 主办：…
                continue
            if current is None or current.tail:
                if _bare_column(units, index):
                    column, current = unit.text, None
                    continue
                if title_like(unit.text):
                    current = _Chunk(column, unit)
                    chunks.append(current)
                    continue
                if current is not None:
                    if not HAN.search(unit.text):
                        continue  # a stray number or mark after an article
                    # Prose after provenance lines: they were inside the article.
                    current.body.extend(current.tail)
                    current.tail.clear()
        (current.body if current is not None else head).append(unit)
    return head, [piece for chunk in chunks for piece in _split_unmarked(chunk)]


def _prose(unit: Unit | None) -> bool:
    return unit is not None and unit.kind == "para" and not heading_like(unit.text)


def _split_unmarked(chunk: _Chunk) -> list[_Chunk]:
    """A run of articles with no provenance at all, cut where a title opens a printed page; a
    notice or a plan (its title ends 通知, 方案, …) is one document, whatever opens its pages."""
    if chunk.tail or (chunk.title is not None and DOC_TYPE.search(chunk.title.text)):
        return [chunk]
    pieces = [_Chunk(chunk.column, chunk.title)]
    body = chunk.body
    for index, unit in enumerate(body):
        before = body[index - 1] if index else None
        after = body[index + 1] if index + 1 < len(body) else None
        after2 = body[index + 2] if index + 2 < len(body) else None
        opens_article = (
            unit.kind == "para"
            and unit.para is not None
            and unit.para.page_start
            and title_like(unit.text)
            and before is not None
            and before.kind == "para"
            and ends_sentence(before.text)
            and (_prose(after) or (after is not None and title_like(after.text) and _prose(after2)))
        )
        if opens_article:
            pieces.append(_Chunk(chunk.column, unit))
        else:
            pieces[-1].body.append(unit)
    return pieces


# --- one article --------------------------------------------------------------------------------


def _parallel(text: str, others: Sequence[str]) -> bool:
    """Whether a heading is one of a series (same first two characters, digits aside)."""
    key = re.sub(r"\d+", "#", text)[:2]
    return any(re.sub(r"\d+", "#", other)[:2] == key for other in others)


def _title_and_subtitle(title: str, body: list[Unit]) -> tuple[str, str | None]:
    """Join a wrapped title and take the subtitle off the top of ``body`` (in place)."""
    subtitle: str | None = None
    for _ in range(2):
        if not body or body[0].kind != "para" or subtitle is not None:
            break
        line = body[0].text
        if not (title_like(line) or (line[:1] in DASHES and title_like(line.lstrip(DASHES)))):
            break
        others = [u.text for u in body[1:] if u.kind == "para" and heading_like(u.text)]
        if line[0] in DASHES:
            subtitle = title_text(line.lstrip(DASHES))
        elif unbalanced(title):
            title = join_lines(title, title_text(line))
        elif line[-1] in "！？!?":
            subtitle = title_text(line)
        elif _parallel(line, others):
            break
        elif (len(line) <= 10 and len(title) >= 16) or (
            DOC_TYPE.search(line) and not DOC_TYPE.search(title)
        ):
            title = join_lines(title, title_text(line))
        elif not others:
            subtitle = title_text(line)
        else:
            break
        body.pop(0)
    return title, subtitle


def _source_and_date(tail: Sequence[Unit]) -> tuple[str | None, str | None, str | None]:
    """(source, source date, 摘编) from the provenance lines."""
    if not tail:
        return None, None, None
    _, prov = split_provenance([MarkupBlock("para", u.line, text=u.text) for u in tail])
    source = prov.source
    date = prov.date.isoformat() if prov.date else None
    found = SOURCE_DATE.search(source)
    if found:
        if date is None:
            month = MONTH.search(found.group(0))
            if month:
                full = parse_date(found.group(0)) if month[3] else None
                date = full.isoformat() if full else f"{int(month[1]):04d}-{int(month[2]):02d}"
        source = source[: found.start()]  # what follows a date is a page (03 版)
    source = source.strip(" ，,；;。").strip("《》〈〉 ")
    return source or None, date, prov.compiled_by or None


def _candidate(chunk: _Chunk) -> Candidate:
    body = list(chunk.body)
    title = title_text(chunk.title.text) if chunk.title is not None else ""
    title, subtitle = _title_and_subtitle(title, body)
    source, source_date, compiled_by = _source_and_date(chunk.tail)

    # Captions of lost pictures at the very end, then the author line.
    while body and body[-1].kind == "para" and heading_like(body[-1].text):
        if enumerated(body[-1].text) or len(body) == 1:
            break
        body.pop()
    author = None
    if body and body[-1].kind == "para":
        author = author_of(body[-1].text)
        if author:
            body.pop()
    if author is None and body and body[0].kind == "para" and AUTHOR_LABEL.match(body[0].text):
        author = author_of(body.pop(0).text)
    # A short bracketed line that is no sentence, inside the text: a lost chart's caption.
    body = [
        u
        for u in body
        if not (
            u.kind == "para"
            and bracketed(u.text)
            and len(u.text) <= 40
            and not re.search(r"[。，；]", u.text)
        )
    ]
    return Candidate(
        column=chunk.column,
        title=title,
        subtitle=subtitle,
        source=source,
        source_date=source_date,
        compiled_by=compiled_by,
        author=author,
        blocks=body_blocks(body),
        line=chunk.title.line if chunk.title is not None else (body[0].line if body else 0),
    )


# --- the document -------------------------------------------------------------------------------


def _masthead(head: Sequence[Unit]) -> tuple[str | None, str | None, str | None]:
    """(title, publisher, date) from short lines before the first article."""
    title = publisher = date = None
    for unit in head:
        text = unit.text
        if unit.kind != "para" or len(text) > 40 or NOTE.match(text):
            continue
        name = re.search(r"《([^》]{2,20})》", text)
        issue = ISSUE_ID.search(text)
        if title is None and (name or issue) and (name or HAN.search(text)):
            label = name[1] if name else ISSUE_ID.sub("", text).strip(" ·-—")
            title = f"{label} {issue[1]}年第{int(issue[2])}期" if issue else label
        who = PUBLISHER.search(text)
        if publisher is None and who:
            publisher = MONTH.sub("", who[1] or who[2]).strip(" 　·,，") or None
        when = MONTH.search(ISSUE_ID.sub("", text))
        if date is None and when:
            day = f"-{int(when[3]):02d}" if when[3] else ""
            date = f"{int(when[1]):04d}-{int(when[2]):02d}{day}"
    return title, publisher, date


def _has_prose(candidate: Candidate) -> bool:
    return any(
        b.kind in ("paragraph", "list") and len(b.text or b.plain) >= 10 for b in candidate.blocks
    )


def parse_source(text: str | Sequence[str]) -> SourceDocument:
    """Read a source document (its text, or its lines as a reader gives them); raises
    :class:`SourceError` when there is no article in it."""
    paragraphs = split_paragraphs(text)
    if not paragraphs:
        raise SourceError("文件里没有文字（只有空行、页码或网址）：请检查是否选对了文件。")
    head, chunks = _segment(_drop_captions(_units(paragraphs)))

    note: str | None = None
    for unit in head:
        if unit.kind == "para" and NOTE.match(unit.text) and note is None:
            note = fold_cjk_spaces(NOTE.sub("", unit.text, count=1)) or None
    if not chunks:  # prose without a title: one untitled article
        rest = [u for u in head if not (u.kind == "para" and (NOTE.match(u.text)))]
        chunks = [_Chunk(None, None, rest)] if rest else []
        head = []
    articles = [c for c in (_candidate(chunk) for chunk in chunks) if c.blocks]
    if not any(_has_prose(c) for c in articles):
        raise SourceError(
            "没有找到可摘编的文章：文中没有成段的正文（只有标题、表格、页码或网址）。"
            "请确认文件内容，或把正文直接粘贴进来。"
        )

    title, publisher, date = _masthead(head)
    columns = {a.column for a in articles if a.column}
    first = articles[0]
    outline = any(b.kind == "heading" and MAJOR.match(b.text) for b in first.blocks)
    attachment = any(u.kind == "para" and LABEL.match(u.text) for u in head)
    kind: DocumentKind
    if columns or len(articles) > 1:
        kind = "newsletter"
    elif outline and (DOC_TYPE.search(first.title) or attachment):
        kind = "policy"
    else:
        kind = "other"
    if kind != "newsletter" and title is None:
        title = first.title or None
    return SourceDocument(
        kind=kind,
        title=title,
        publisher=publisher,
        date=date,
        editors_note=note,
        articles=articles,
    )
