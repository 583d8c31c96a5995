"""Text of an issue (markdown-like or plain) → blocks → escaped HTML, for the issue parser.

Pure Python, no Django. The two seed issues show what this has to cope with:

* markdown-like text whose ``#`` levels mean nothing (``##### （一）`` next to ``## （二）``), and
  plain text where sub-headings are bare lines (``一、总体要求``, ``（一）指导思想``);
* ``**bold**`` that CommonMark would not close next to CJK punctuation (``**一、…。**一是``), so
  bold is paired by hand instead of with a markdown library;
* paragraphs cut in two by a page break (``…推动实现标准共建、等级`` / blank / ``共评、证书共管…``);
* a Word file read one paragraph a line, where every line is its own blank-separated block.

Every piece of text is HTML-escaped; the only tags produced are p, h3, h4, strong, ul/li and
table/tbody/tr/td.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "para", "list", "table"]

_HEADING = re.compile(r"^#{1,6}(?!#)[ \t]*(.*)$")
_LIST_ITEM = re.compile(r"^[-*+•][ \t]+(.*)$")
_SPACES = re.compile(r"[ \t\u3000\u00a0]+")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])[ \t\u3000\u00a0]+(?=[{_CJK}])")

#: Numbering that opens a sub-heading: 一、 （一） (一) 1. 1、 （1） ① 第一，
ENUMERATOR = re.compile(
    r"^(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百\d]+[）)]|\d+[.、．](?!\d)"
    r"|[①-⑳]|第[一二三四五六七八九十]+[，、:：\s])"
)
# Numbering of the second level: （一） (一) 1. 1、 （1） ① → <h4>; everything else → <h3>.
_MINOR_ENUMERATOR = re.compile(r"^(?:[（(][一二三四五六七八九十百\d]+[）)]|\d+[.、．](?!\d)|[①-⑳])")
# A paragraph ending in one of these is complete; one ending otherwise may go on after a page break.
_CLOSERS = set("。！？!?；;：:…”’」』）)》】.")
# Punctuation that a heading-like short line does not contain.
_SENTENCE_PUNCT = set("。，；！？：,;!?:")
# "国民经济核算司司长 赵同录": a byline (role, space, name) — a paragraph, not a heading.
_BYLINE = re.compile(rf"^[{_CJK}]{{2,}}[ \t\u3000]+[{_CJK}]{{2,4}}$")

# Limits, in characters of text without markup.
_BOLD_HEADING_MAX = 40
_ENUM_HEADING_MAX = 40
_PLAIN_HEADING_MAX = 25
_CONTINUED_MIN = 30  # a page break cuts long paragraphs; shorter unpunctuated lines are captions
# A paragraph longer than this (with its markup) is never a sub-heading, which has at most 40
# characters of text; so once a paragraph taking continuations gets this long it is not looked
# at again (rebuilding and re-reading it after each piece was quadratic).
_HEADING_TEXT_MAX = 400
_SUBTITLE_MAX = 80


@dataclass
class Block:
    """A run of text: a ``#`` heading line, a paragraph, a ``- `` list or tab-separated rows."""

    kind: BlockKind
    line: int  # 1-based line in the file where the block starts
    text: str = ""  # heading / paragraph text, ** markup still in it
    items: list[str] = field(default_factory=list)  # list items, ** markup still in them
    rows: list[list[str]] = field(default_factory=list)  # table cells

    @property
    def plain(self) -> str:
        return strip_markup(self.text)

    @property
    def bold_only(self) -> bool:
        """The whole paragraph is one ``**…**`` span (a heading or a lead-in set in bold)."""
        text = self.text.strip()
        return (
            self.kind == "para"
            and len(text) > 4
            and text.startswith("**")
            and text.endswith("**")
            and text.count("**") == 2
        )


def strip_markup(text: str) -> str:
    """Text without leading ``#`` and ``**``, runs of whitespace folded to one space."""
    text = _HEADING.sub(r"\1", text.strip()).replace("**", "")
    return _SPACES.sub(" ", text).strip()


def fold_cjk_spaces(text: str) -> str:
    """``刘 乐`` → ``刘乐``: spaces between two Chinese characters are typesetting, not content."""
    return _CJK_GAP.sub("", _SPACES.sub(" ", text).strip())


def join_lines(first: str, second: str) -> str:
    """Join two pieces of one paragraph: no space in Chinese, one space between Latin words."""
    if first and second and _is_latin(first[-1]) and _is_latin(second[0]):
        return f"{first} {second}"
    return first + second


def _is_latin(char: str) -> bool:
    return char.isascii() and not char.isspace()


def split_blocks(lines: Sequence[str], first_line: int) -> list[Block]:
    """Cut ``lines`` (line ``first_line`` of the file onwards) into blocks.

    Consecutive text lines make one paragraph. List items and table rows separated only by blank
    lines stay in one list or table, so a Word file (a blank line after every paragraph) gives
    the same blocks as the text file.
    """
    blocks: list[Block] = []
    para: list[str] = []
    para_line = 0

    def flush() -> None:
        nonlocal para
        if para:
            # join_lines piece by piece, without rebuilding the text each time (quadratic)
            pieces = [para[0]]
            for piece in para[1:]:
                if _is_latin(pieces[-1][-1]) and _is_latin(piece[0]):
                    pieces.append(" ")
                pieces.append(piece)
            blocks.append(Block("para", para_line, text="".join(pieces)))
            para = []

    for offset, raw in enumerate(lines):
        line_no = first_line + offset
        stripped = raw.strip(" \t\u3000\u00a0")
        if not stripped:
            flush()
            continue
        if "\t" in stripped:
            flush()
            cells = [c.strip(" \u3000\u00a0").replace("**", "") for c in raw.split("\t")]
            while cells and not cells[-1]:
                cells.pop()
            if blocks and blocks[-1].kind == "table":
                blocks[-1].rows.append(cells)
            else:
                blocks.append(Block("table", line_no, rows=[cells]))
            continue
        heading = _HEADING.match(stripped)
        if heading:
            flush()
            if heading.group(1).strip():
                blocks.append(Block("heading", line_no, text=heading.group(1).strip()))
            continue
        item = _LIST_ITEM.match(stripped)
        if item:
            flush()
            if blocks and blocks[-1].kind == "list":
                blocks[-1].items.append(item.group(1).strip())
            else:
                blocks.append(Block("list", line_no, items=[item.group(1).strip()]))
            continue
        if not para:
            para_line = line_no
        para.append(stripped)
    flush()
    return blocks


def block_plain_text(block: Block) -> str:
    """A block as plain text (for the issue's notes): markup gone, list items one a line."""
    if block.kind == "list":
        return "\n".join(strip_markup(item) for item in block.items)
    if block.kind == "table":
        return "\n".join("\t".join(row) for row in block.rows)
    return block.plain


# --- subtitle ------------------------------------------------------------------------------------


def _is_dash(char: str) -> bool:
    return char in "—–－-~～"


def _subtitle_line(block: Block) -> str | None:
    """The block's text if it reads as a title line: short, unnumbered, no sentence end."""
    if block.kind not in ("heading", "para"):
        return None
    text = block.plain
    if not text or len(text) > _SUBTITLE_MAX or "。" in text:
        return None
    if text[-1] in "；;：:，,、" or ENUMERATOR.match(text):
        return None
    return text


def fold_title(text: str) -> str:
    """``text`` for comparing titles: width and case folded, no spaces and no punctuation
    (``“文化+”，打造`` and ``“文化+”打造`` are one title; so are ``（一）`` and ``(一)``)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in text if unicodedata.category(c)[0] not in "PZC" and not c.isspace())


def restates_title(line: str, title: str, label: str = "") -> bool:
    """Whether a line under the heading only says the heading again: the title itself, or
    ``label：title`` (``广东省统计局：2024年上半年…`` under ``4.1.2 广东省统计局：2024年上半年…``).

    Such a line is no 副标题; one that adds to the title (``…——代表委员热议…``) is.
    """
    folded = fold_title(line)
    if not folded:
        return False
    return folded == fold_title(title) or (bool(label) and folded == fold_title(label + title))


def take_subtitle(blocks: list[Block]) -> tuple[str, list[Block]]:
    """Split off the 副标题: the title-like line(s) right under an article's heading.

    The first block counts when it reads as a title line (see :func:`_subtitle_line`), whether it
    restates the heading (``#### 教育部办公厅关于…的通知``) or extends it: either way it leaves the
    body, and the parser keeps it as the 副标题 only when it extends (:func:`restates_title`). A
    second such line is part of it when it opens with a dash or a bracket (``——代表委员热议…``,
    ``（公开征求意见稿）``) or is an unmarked line (a deck such as ``面板月产能居全国第一 擦亮…``);
    a second ``#`` line without a dash is the article's first sub-heading
    (``##### 国民经济稳中有进``).
    """
    if not blocks:
        return "", blocks
    first = _subtitle_line(blocks[0])
    if first is None:
        return "", blocks
    if len(blocks) < 2:
        return first, blocks[1:]
    head, tail = blocks[0], blocks[1]
    second = _subtitle_line(tail)
    plain_line = tail.kind == "para" and not tail.text.lstrip().startswith("**")
    if second is None or not (_is_dash(second[0]) or second[0] in "（(" or plain_line):
        return first, blocks[1:]
    if _is_dash(second[0]) or head.text.count("**") % 2:
        # After a dash, or inside one bold span cut over two lines (a Word file): no space.
        return join_lines(first, second), blocks[2:]
    return f"{first} {second}", blocks[2:]


# --- HTML ----------------------------------------------------------------------------------------


_SUPERSCRIPT = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")
_SUBSCRIPT = str.maketrans("0123456789+-", "₀₁₂₃₄₅₆₇₈₉₊₋")
_SUP_SUB = re.compile(r"<(sup|sub)>([0-9+-]{1,4})</\1>", re.I)


def _scripts(text: str) -> str:
    """``m<sup>2</sup>`` (HTML left in the conversion) → ``m²``; other tags stay escaped text."""
    return _SUP_SUB.sub(
        lambda m: m[2].translate(_SUPERSCRIPT if m[1].lower() == "sup" else _SUBSCRIPT), text
    )


def _escape(text: str) -> str:
    return html.escape(_scripts(text), quote=False)


def inline_html(text: str) -> str:
    """Escape ``text`` and turn ``**…**`` pairs into <strong>; an unpaired ``**`` is dropped."""
    parts = text.split("**")
    if len(parts) % 2 == 0:  # an odd number of markers: the last one has no partner
        parts = [*parts[:-2], parts[-2] + parts[-1]]
    out: list[str] = []
    for index, part in enumerate(parts):
        escaped = _escape(part)
        if index % 2 and part.strip():
            out.append(f"<strong>{escaped}</strong>")
        else:
            out.append(escaped)
    return "".join(out)


def heading_level(text: str) -> int:
    """4 for headings numbered as a second level (（一）, 1.), else 3; ``#`` counts mean nothing."""
    return 4 if _MINOR_ENUMERATOR.match(text) else 3


def _para_is_heading(block: Block) -> bool:
    """Whether a paragraph acts as a sub-heading although it has no ``#``."""
    text = block.plain
    if not text:
        return False
    if block.bold_only:
        return len(text) <= _BOLD_HEADING_MAX and text[-1] not in "。；，、：:;,"
    if "**" in block.text:
        return False
    if ENUMERATOR.match(text):
        return (
            len(text) <= _ENUM_HEADING_MAX
            and text[-1] not in _SENTENCE_PUNCT
            and "。" not in text
            and "；" not in text
        )
    bracketed = text[0] in "（(" and text[-1] in "）)"
    return (
        len(text) <= _PLAIN_HEADING_MAX
        and not _SENTENCE_PUNCT.intersection(text)
        and not bracketed
        and not _BYLINE.match(text)
        and not text.isdigit()
    )


def _continues(previous: Block, block: Block, *, long_tail: str | None = None) -> bool:
    """Whether ``block`` is the rest of ``previous``, cut off by a page break.

    ``long_tail``: ``previous`` has taken continuations and is past ``_HEADING_TEXT_MAX``; it is
    then no heading, and this is the last character of its text (that of its last piece).
    """
    if previous.kind != "para" or block.kind != "para":
        return False
    if long_tail is not None:
        if long_tail in _CLOSERS:
            return False
    else:
        if _para_is_heading(previous):
            return False
        before = previous.plain
        if len(before) < _CONTINUED_MIN or before[-1] in _CLOSERS:
            return False
    after = block.text.lstrip()
    return not (after.startswith("**") or ENUMERATOR.match(block.plain))


def merge_continuations(blocks: list[Block]) -> list[Block]:
    """Join paragraphs cut by a page break (the first ends mid-sentence, the second goes on).

    Linear in the text: the pieces of a paragraph are joined once, at its end.
    """
    merged: list[Block] = []
    pieces: list[str] = []  # the text of merged[-1] while it takes continuations
    size = 0
    long_tail: str | None = None  # see _continues

    def finish() -> None:
        if long_tail is not None:
            merged[-1] = Block("para", merged[-1].line, text="".join(pieces))

    for block in blocks:
        if merged and _continues(merged[-1], block, long_tail=long_tail):
            previous = merged[-1]
            if not pieces:
                pieces, size = [previous.text], len(previous.text)
            if _is_latin(pieces[-1][-1]) and _is_latin(block.text[0]):
                pieces.append(" ")  # as join_lines does
                size += 1
            pieces.append(block.text)
            size += len(block.text)
            if long_tail is None and size <= _HEADING_TEXT_MAX:
                merged[-1] = Block("para", previous.line, text="".join(pieces))
            else:
                # The end of the text is the end of its last piece with any text left in it
                # (no ** pair spans two pieces: join_lines puts a space between * and *).
                plain = block.plain
                if plain:
                    long_tail = plain[-1]
                elif long_tail is None:
                    long_tail = previous.plain[-1]
        else:
            finish()
            pieces, size, long_tail = [], 0, None
            merged.append(block)
    finish()
    return merged


def render_html(blocks: Sequence[Block]) -> str:
    """The blocks as HTML, one element a line."""
    out: list[str] = []
    for block in merge_continuations(list(blocks)):
        if block.kind == "heading" or (block.kind == "para" and _para_is_heading(block)):
            text = block.plain
            level = heading_level(text)
            out.append(f"<h{level}>{_escape(text)}</h{level}>")
        elif block.kind == "para":
            out.append(f"<p>{inline_html(block.text)}</p>")
        elif block.kind == "list":
            items = "".join(f"<li>{inline_html(item)}</li>" for item in block.items)
            out.append(f"<ul>{items}</ul>")
        else:
            rows = "".join(
                "<tr>" + "".join(f"<td>{_escape(cell)}</td>" for cell in row) + "</tr>"
                for row in block.rows
            )
            out.append(f"<table><tbody>{rows}</tbody></table>")
    return "\n".join(out)
