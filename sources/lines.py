"""Broken lines → real paragraphs: the one implementation of "re-join what a conversion cut".

Pure Python, no Django. The source-document parser uses :func:`split_paragraphs`; the rich-text
editor's clean paste is meant to use :func:`join_broken_lines` on whatever text is pasted. Both
see the same decisions.

What the real material shows (../shared/seeds 002–004) and how each is read:

* **Junk lines** leave without cutting the paragraph around them: page numbers standing alone
  (``30``, ``- 3 -``, ``第 3 页``), URL dumps (56 baike.baidu.com lines in the middle of a
  table), running heads (a line repeated at the start or end of three or more pages, and of at
  least 30 % of them), and image stubs
  (a line of only spaces where a picture was). ``\\f`` is a page break.
* **Where a paragraph ends** is told by the first convention the text follows:

  - *End marks* (seed 004): the converter put a space after the last line of every paragraph and
    none after a line that goes on. When 10–97 % of the lines carry one, that space decides.
  - *Fixed width* (seed 003): lines broken at the column width (26 characters; a paragraph's
    first line 24, indented). When most lines share one width, a line that is not full ends its
    paragraph; a full line goes on, unless it ends a sentence and the next line is as wide as an
    indented first line, or the next line is short and unpunctuated (a heading).
  - *One paragraph a line* (seed 002, pasted web or Word text): each line is a paragraph, except
    that a line cut mid-sentence by a page break (it has sentence punctuation inside, or is
    long, and does not end a sentence) goes on into the next, and so does an English line
    wrapped by hand (it ends in a word or comma and the next begins in lower case).

  In every convention a line ending in ``，、（《“`` goes on, and a line never joins a following
  provenance line (信息来源：…), column mark (「新闻政策」), numbered heading (一、 （一） 1.),
  list bullet, markdown heading or tab-separated table row.
* **Joining** (:func:`join_pieces`) puts no space between Chinese characters and one space
  between Latin words (``in`` + ``the`` → ``in the``); between a Chinese character and a number
  it follows the text's own habit (``2022 年`` + ``6 月`` → ``2022 年 6 月``). Spaces inside a
  line are kept as printed (the table reader needs them).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "Paragraph",
    "display_width",
    "is_page_number",
    "join_all",
    "join_broken_lines",
    "join_pieces",
    "split_paragraphs",
]

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~～]\s*)?(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[-—–－~～])?$|^\d{1,4}\s*/\s*\d{1,4}$"
)
_URL_LINE = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

#: A line ending in one of these is never the end of a paragraph.
_GOES_ON = set("，,、（(《“‘〔【")
#: A sentence ends with one of these, possibly followed by closing quotes or brackets (or with a
#: full stop, ``.``, and nothing after it).
_SENTENCE_ENDS = "。！？!?…；;"
_CLOSERS = "”’」』）)》】]"
_SENTENCE_INSIDE = re.compile(r"[。！？!?；;]")
_PROSE_PUNCT = re.compile(r"[。，,！？!?；;：:]")
_LATIN_GOES_ON = re.compile(r"[A-Za-z0-9,;:\-]$")
_PROVENANCE = (
    r"[（(]?\s*(?:信息来源|资料来源|文章来源|新闻来源|来源|摘编|发布日期|发布时间|原文链接)\s*[：:]"
)
#: Lines that are a paragraph of their own: provenance, a column mark.
_ALONE = re.compile(rf"^(?:{_PROVENANCE}|「[^」]{{1,12}}」$)")
#: Lines that always start a paragraph of their own: those, and numbered headings, bullets,
#: markdown headings, 【编者按】.
_STRUCTURAL = re.compile(
    rf"^(?:{_PROVENANCE}|「[^」]{{1,12}}」$|【[^】]{{1,12}}】"
    r"|[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百]+[）)]|[（(]\d{1,2}[）)]"
    r"|\d{1,2}[.、．](?!\d)|[①-⑳]|[•·▪●◆■□\-*+][ \t\u3000]|#{1,6}[ \t])"
)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_MIXED_GAP = re.compile(rf"[{_CJK}] [0-9A-Za-z]|[0-9A-Za-z] [{_CJK}]")


#: How far back and ahead of a joint :func:`join_pieces` looks for the text's own spacing habit.
_LOOK = 40


def join_pieces(first: str, second: str) -> str:
    """Two pieces of one paragraph as one: no space between Chinese characters, one between Latin
    words; between a Chinese character and a number or Latin word, a space when the pieces
    themselves set one there (``2022 年`` + ``6 月初`` → ``2022 年 6 月初``, but ``2022年`` +
    ``6月`` → ``2022年6月``)."""
    return first + _joint(first[-_LOOK:], second) + second


def join_all(pieces: Iterable[str]) -> str:
    """``pieces`` joined left to right as :func:`join_pieces` joins two, in one pass: the text so
    far is not copied at each piece (a paragraph of many lines would cost the square of its
    length); only its last characters, which the rules look at, are kept at hand."""
    out: list[str] = []
    tail = ""  # the last _LOOK characters of the text so far
    for piece in pieces:
        joint = _joint(tail, piece)
        out.append(joint)
        out.append(piece)
        tail = (tail + joint + piece[-_LOOK:])[-_LOOK:]
    return "".join(out)


def _joint(first: str, second: str) -> str:
    """What goes between ``first`` (the text so far, or at least its last :data:`_LOOK`
    characters) and ``second``: one space, or nothing."""
    if not first or not second:
        return ""
    a, b = first[-1], second[0]
    if _ascii(a) and _ascii(b):
        return " "
    mixed = (a.isascii() and a.isalnum() and _CJK_CHAR.match(b)) or (
        _CJK_CHAR.match(a) and b.isascii() and b.isalnum()
    )
    if mixed and (_MIXED_GAP.search(first[-_LOOK:]) or _MIXED_GAP.search(second[:_LOOK])):
        return " "
    return ""


def _ascii(char: str) -> bool:
    return char.isascii() and not char.isspace()


def display_width(text: str) -> float:
    """How wide ``text`` prints, in half-width units: CJK (and ambiguous-width punctuation such
    as “”) 2, Latin letters and digits 1, a space ½ (conversions put thin spaces around numbers).
    """
    width = 0.0
    for char in text:
        if char == " ":
            width += 0.5
        elif unicodedata.east_asian_width(char) in "WFA":
            width += 2
        else:
            width += 1
    return width


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text.strip()))


@dataclass(frozen=True)
class Paragraph:
    """One re-joined paragraph, with where it came from."""

    text: str  # the joined text; spaces inside the original lines are kept
    line: int  # 1-based number of its first line in the input
    end_line: int  # 1-based number of its last line
    page_start: bool = False  # its first line opens a printed page
    stub_before: bool = False  # an image stub right before it, on the same page
    stub_after: bool = False  # an image stub right after it, on the same page


@dataclass
class _Line:
    number: int  # 1-based
    text: str  # without surrounding whitespace
    lead: bool  # began with whitespace
    trail: bool  # ended with whitespace
    width: float
    page_start: bool = False
    stub_after: bool = False


def _explode(lines: str | Iterable[str]) -> list[str]:
    """Input lines, each ``\\f`` (page break) a line of its own."""
    pieces = [lines] if isinstance(lines, str) else lines
    out: list[str] = []
    for piece in pieces:
        for line in _LINE_BREAK.split(piece):
            if "\f" in line:
                parts = line.split("\f")
                for index, part in enumerate(parts):
                    if index:
                        out.append("\f")
                    if part or index == 0:
                        out.append(part)
            else:
                out.append(line)
    return out


def _ends_sentence(text: str) -> bool:
    """Whether ``text`` ends a sentence. (Read from the end: the pattern
    ``[。！？…]+[”’）]*$`` searched for would try each of a long run of 。 in turn.)"""
    if text.endswith("\n"):  # where ``$`` matches too
        text = text[:-1]
    if text.endswith("."):
        return True
    body = text.rstrip(_CLOSERS)
    return body != "" and body[-1] in _SENTENCE_ENDS


class _Conventions:
    """Which line-end convention the text follows, measured on its lines."""

    def __init__(self, lines: list[_Line]) -> None:
        body = [line for line in lines if "\t" not in line.text and len(line.text) > 1]
        count = len(body)
        trailing = sum(line.trail for line in body)
        self.end_marks = count >= 8 and 0.10 <= trailing / count <= 0.97
        self.width = self.first_width = 0.0
        if not self.end_marks and count >= 10:
            widths = Counter(round(line.width) for line in body)
            mode, _ = widths.most_common(1)[0]
            near = sum(n for w, n in widths.items() if abs(w - mode) <= 2)
            if mode >= 20 and near >= 0.3 * count:
                self.width = float(mode)
                first = [(n, w) for w, n in widths.items() if mode - 8 <= w <= mode - 3]
                best = max(first, default=(0, mode))
                self.first_width = float(best[1]) if best[0] >= 0.05 * count else self.width


def _continues(prev: _Line, nxt: _Line, prev_is_first: bool, conv: _Conventions) -> bool:
    """Whether ``nxt`` is the same paragraph as ``prev`` (the last line read)."""
    if "\t" in prev.text or "\t" in nxt.text or _STRUCTURAL.match(nxt.text):
        return False
    if _ALONE.match(prev.text):
        return False
    if prev.text[-1] in _GOES_ON:
        return True
    if conv.end_marks:
        return not prev.trail
    if conv.width:
        return _continues_at_width(prev, nxt, prev_is_first, conv.width, conv.first_width)
    # One paragraph a line: only a line cut mid-sentence goes on.
    if _ends_sentence(prev.text):
        return False
    if _LATIN_GOES_ON.search(prev.text) and nxt.text[:1].islower():
        return True  # English wrapped by hand: "… the lazy dog, and then" / "it runs away."
    return bool(_SENTENCE_INSIDE.search(prev.text)) or prev.width >= 100


def _continues_at_width(
    prev: _Line, nxt: _Line, prev_is_first: bool, width: float, first: float
) -> bool:
    """Fixed-width lines: ``width`` a full line, ``first`` a full indented first line."""
    full = prev.width >= width - 2.5
    if prev_is_first and not full:
        if prev.width < first - 2.5:
            return False  # a short first line: a heading or a one-line paragraph
        if not _ends_sentence(prev.text):
            # An indented first line going on: the next line is full, or the paragraph's tail.
            return nxt.width >= width - 4 or _ends_sentence(nxt.text)
    elif not full:
        return False
    elif (
        prev_is_first
        and first < width
        and not _PROSE_PUNCT.search(prev.text)
        and abs(nxt.width - first) <= 1.5
    ):
        return False  # a full-width title, then an indented paragraph
    if not _ends_sentence(prev.text):
        return True
    # A full line that ends a sentence: the paragraph may end exactly at the line end.
    if first < width and abs(nxt.width - first) <= 1.5:
        return False  # the next line is indented like a first line
    if nxt.width >= first + 1.5:
        return True
    return _ends_sentence(nxt.text)  # a short tail goes on; a short heading does not


def _read_lines(raw_lines: list[str]) -> tuple[list[_Line | str], _Conventions]:
    """The input as a sequence of content lines and markers ("blank", "stub", "page"), with
    junk lines dropped, and the line-end convention it follows."""
    items: list[_Line | str] = []
    for number, raw in enumerate(raw_lines, start=1):
        if raw == "\f":
            items.append("page")
        elif not raw.strip():
            items.append("stub" if raw else "blank")
        elif "\t" in raw:  # a table row: its leading tabs are empty cells
            text = raw.strip(" \u3000\u00a0")
            items.append(_Line(number, text, lead=False, trail=False, width=display_width(text)))
        else:
            text = raw.strip()
            items.append(
                _Line(
                    number,
                    text,
                    lead=raw[:1].isspace(),
                    trail=raw[-1:].isspace(),
                    width=display_width(text),
                )
            )
    content = [
        item
        for item in items
        if isinstance(item, _Line)
        and not _URL_LINE.match(item.text)
        and not is_page_number(item.text)
    ]
    conv = _Conventions(content)
    # A single leading space marks a page's first line (the seeds' converter) when few lines
    # have one; where most lines are indented it is only indentation.
    leading = sum(line.lead for line in content)
    lead_marks_page = 0 < leading <= 0.15 * len(content)

    def isolated(index: int) -> bool:
        """Blank lines (or a page break) on both sides."""
        before = items[index - 1] if index else "page"
        after = items[index + 1] if index + 1 < len(items) else "page"
        return isinstance(before, str) and isinstance(after, str)

    def page_edge(index: int) -> bool:
        """The first or last line of a page."""
        return _next_marker(items, index, -1) == "page" or _next_marker(items, index, 1) == "page"

    kept: list[_Line | str] = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            kept.append(item)
            continue
        if _URL_LINE.match(item.text):
            continue
        if is_page_number(item.text) and (
            page_edge(index) or (isolated(index) and (item.trail or not conv.end_marks))
        ):
            # With end marks, a number without one goes on (a table's row number cut off).
            kept.append("page")
            continue
        if lead_marks_page and item.lead:
            item.page_start = True
        kept.append(item)
    return _drop_running_heads(kept), conv


def _next_marker(items: list[_Line | str], index: int, step: int) -> str | None:
    """The first page break or content line from ``index`` on in direction ``step``: "page"
    (or the document's edge) when no content line comes first, else None."""
    index += step
    while 0 <= index < len(items):
        item = items[index]
        if isinstance(item, _Line):
            return None
        if item == "page":
            return "page"
        index += step
    return "page"


def _drop_running_heads(items: list[_Line | str]) -> list[_Line | str]:
    """Lines repeated at 3+ page starts or page ends (a running head or foot) leave."""
    positions: dict[int, str] = {}
    after_page = True
    last_line: int | None = None
    for index, item in enumerate(items):
        if item == "page":
            if last_line is not None:
                positions[last_line] = _head_key(items[last_line])  # type: ignore[arg-type]
            after_page = True
            last_line = None
        elif isinstance(item, _Line):
            if after_page or item.page_start:
                positions[index] = _head_key(item)
            after_page = False
            last_line = index
    # A running head stands on a good share of the pages (odd and even pages may differ), not
    # on three pages by chance.
    counts = Counter(key for key in positions.values() if len(key) >= 4)
    breaks = sum(1 for item in items if item == "page")
    marked = sum(1 for item in items if isinstance(item, _Line) and item.page_start)
    pages = max(breaks, marked) + 1
    heads = {key for key, n in counts.items() if n >= max(3, 0.3 * pages)}
    if not heads:
        return items
    out: list[_Line | str] = []
    for index, item in enumerate(items):
        if index in positions and positions[index] in heads:
            if isinstance(item, _Line) and item.page_start:
                # the page's next line opens it instead
                out.append("page")
            continue
        out.append(item)
    return out


def _head_key(line: _Line) -> str:
    return re.sub(r"[\d\s]", "", line.text)


def split_paragraphs(lines: str | Iterable[str]) -> list[Paragraph]:
    """Re-join ``lines`` (a text, or its lines) into paragraphs, junk lines removed."""
    items, conv = _read_lines(_explode(lines))

    # Page starts and stubs, as flags on the content lines.
    page_pending = False
    lines_in_order: list[_Line] = []
    stub_before: dict[int, bool] = {}
    stub_pending = False
    for item in items:
        if item == "page":
            page_pending = True
            stub_pending = False
        elif item == "stub":
            stub_pending = True
            if lines_in_order and not page_pending:
                lines_in_order[-1].stub_after = True
        elif isinstance(item, _Line):
            if page_pending:
                item.page_start = True
                page_pending = False
            if item.page_start:
                stub_pending = False
            stub_before[item.number] = stub_pending
            stub_pending = False
            lines_in_order.append(item)

    paragraphs: list[Paragraph] = []
    current: list[_Line] = []

    def flush() -> None:
        if not current:
            return
        text = join_all(line.text for line in current)
        first, last = current[0], current[-1]
        paragraphs.append(
            Paragraph(
                text=text,
                line=first.number,
                end_line=last.number,
                page_start=first.page_start,
                stub_before=stub_before.get(first.number, False),
                stub_after=last.stub_after,
            )
        )
        current.clear()

    for line in lines_in_order:
        if current and _continues(current[-1], line, len(current) == 1, conv):
            current.append(line)
        else:
            flush()
            current.append(line)
    flush()
    return paragraphs


def join_broken_lines(lines: str | Iterable[str]) -> list[str]:
    """Paragraph texts of ``lines`` — a pasted text or a list of lines — with broken lines
    re-joined and page numbers, running heads, URL dumps and image stubs removed."""
    return [paragraph.text for paragraph in split_paragraphs(lines)]
