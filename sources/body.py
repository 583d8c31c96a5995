"""A candidate article's body: its paragraphs and tables (units) → :class:`~sources.blocks.Block`
headings, paragraphs, lists and tables. Pure Python, no Django.

Numbered headings are h3 (``一、``) or h4 (``（一）``, ``1.``, ``1 组织实施…``); a short
unpunctuated line is an h3, and two in a row are one heading set on two lines; a numbered
paragraph's run-in heading (``（一）聚焦…联合体。重点围绕…``) becomes a heading of its own; a
notice's signature lines and date stay paragraphs; an attachment label joins its title
(``附：广东省工作任务清单``), once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from importer.markup import ENUMERATOR, fold_cjk_spaces
from sources.blocks import Block
from sources.kinds import (
    BULLET,
    DATE_ONLY,
    DOC_NUMBER,
    HEADING_MAX,
    LABEL,
    MD_HEADING,
    MINOR,
    enumerated,
    heading_like,
    title_like,
    title_text,
)
from sources.lines import Paragraph
from sources.tables import fold_spaced_out

__all__ = ["Unit", "body_blocks"]


@dataclass
class Unit:
    """A paragraph (``text``, collapsed), an aligned table or a table kept as rows."""

    kind: Literal["para", "table", "rows"]
    text: str = ""
    line: int = 0
    para: Paragraph | None = None
    rows: tuple[tuple[str, ...], ...] = ()


def _signature_lines(units: Sequence[Unit]) -> set[int]:
    """Indexes of a notice's signature: short name lines right above a date line."""
    found: set[int] = set()
    for index, unit in enumerate(units):
        if unit.kind == "para" and DATE_ONLY.match(unit.text):
            back = index - 1
            while back >= 0 and units[back].kind == "para":
                text = units[back].text
                if back in found or len(text) > 25 or enumerated(text) or not title_like(text):
                    break  # (found: an earlier date line's walk went on from there already)
                found.add(back)
                back -= 1
    return found


def _heading(text: str) -> Block:
    text = fold_spaced_out(text)
    return Block("heading", text=text, level=4 if MINOR.match(text) else 3)


def body_blocks(units: Sequence[Unit]) -> list[Block]:
    signature = _signature_lines(units)
    blocks: list[Block] = []
    # The last block while it grows, kept in parts and put together once it is done (rebuilt at
    # each part, a long run would cost the square of its length): a list's items, or the lines
    # of a heading set on several lines. ``blocks[-1]`` holds the list's first item or the
    # heading's first line meanwhile.
    items: list[str] | None = None
    lines: list[str] | None = None
    lines_size = 0  # len(" ".join(lines))
    lines_enumerated = False  # enumerated(" ".join(lines))

    def settle() -> None:
        nonlocal items, lines
        if items is not None:
            blocks[-1] = Block("list", items=tuple(items))
            items = None
        if lines is not None:
            blocks[-1] = Block("heading", text=" ".join(lines), level=3)
            lines = None

    def add(block: Block) -> None:
        settle()
        blocks.append(block)

    skip = False
    for index, unit in enumerate(units):
        if skip:
            skip = False
            continue
        if unit.kind == "table":
            add(Block("table", rows=unit.rows))
            continue
        if unit.kind == "rows":  # cells not in columns: one paragraph a row
            settle()
            blocks.extend(
                Block("paragraph", text=" | ".join(c for c in row if c)) for row in unit.rows
            )
            continue
        text = unit.text
        after = units[index + 1] if index + 1 < len(units) else None
        markdown = MD_HEADING.match(text)
        bullet = BULLET.match(text)
        if markdown:
            add(_heading(markdown[1]))
        elif bullet:
            item = fold_cjk_spaces(bullet[1])
            if blocks and blocks[-1].kind == "list":
                if items is None:
                    items = list(blocks[-1].items)
                items.append(item)
            else:
                add(Block("list", items=(item,)))
                items = [item]
        elif LABEL.match(text) and after is not None and after.kind == "para" and after.text:
            label = text.rstrip("：: ")
            heading = Block("heading", text=f"{label}：{title_text(after.text)}", level=3)
            settle()
            if not (blocks and blocks[-1] == heading):  # 附：… announced, then its own heading
                blocks.append(heading)
            skip = True
        elif index in signature or DATE_ONLY.match(text) or DOC_NUMBER.search(text):
            add(Block("paragraph", text=fold_cjk_spaces(text)))
        elif heading_like(text):
            heading = _heading(text)
            if lines is not None:  # blocks[-1] is the heading " ".join(lines)
                if lines_size == len(heading.text) and " ".join(lines) == heading.text:
                    continue  # 附：… announced, then the attachment's own heading
                if heading.level == 3 and not lines_enumerated and not enumerated(text):
                    lines.append(heading.text)  # a heading set on (yet) another line
                    lines_size += 1 + len(heading.text)
                    continue
                add(heading)
                continue
            previous = blocks[-1] if blocks else None  # (a list's kind is all that is read)
            if (
                previous is not None
                and previous.kind == "heading"
                and previous.text == heading.text
            ):
                continue  # 附：… announced, then the attachment's own heading
            if (
                previous is not None
                and previous.kind == "heading"
                and previous.level == 3
                and heading.level == 3
                and not enumerated(previous.text)
                and not enumerated(text)
            ):  # a heading set on two lines
                lines = [previous.text, heading.text]
                lines_size = len(previous.text) + 1 + len(heading.text)
                # enumerated() reads a line's start: that of the first line and one character
                # of the next decide it, however many lines follow.
                lines_enumerated = enumerated(f"{previous.text} {heading.text}")
            else:
                add(heading)
        elif ENUMERATOR.match(text) and "。" in text[:-1]:
            cut = text.index("。") + 1
            if cut <= HEADING_MAX:  # a run-in heading: （一）聚焦…联合体。重点围绕…
                add(_heading(text[:cut]))
                blocks.append(Block("paragraph", text=fold_cjk_spaces(text[cut:])))
            else:
                add(Block("paragraph", text=fold_cjk_spaces(text)))
        else:
            add(Block("paragraph", text=fold_cjk_spaces(text)))
    settle()
    return blocks
