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

from issues.importer.markup import ENUMERATOR, fold_cjk_spaces
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
                if len(text) > 25 or enumerated(text) or not title_like(text):
                    break
                found.add(back)
                back -= 1
    return found


def _heading(text: str) -> Block:
    text = fold_spaced_out(text)
    return Block("heading", text=text, level=4 if MINOR.match(text) else 3)


def body_blocks(units: Sequence[Unit]) -> list[Block]:
    signature = _signature_lines(units)
    blocks: list[Block] = []
    skip = False
    for index, unit in enumerate(units):
        if skip:
            skip = False
            continue
        if unit.kind == "table":
            blocks.append(Block("table", rows=unit.rows))
            continue
        if unit.kind == "rows":  # cells not in columns: one paragraph a row
            blocks.extend(
                Block("paragraph", text=" | ".join(c for c in row if c)) for row in unit.rows
            )
            continue
        text = unit.text
        after = units[index + 1] if index + 1 < len(units) else None
        markdown = MD_HEADING.match(text)
        bullet = BULLET.match(text)
        if markdown:
            blocks.append(_heading(markdown[1]))
        elif bullet:
            item = fold_cjk_spaces(bullet[1])
            if blocks and blocks[-1].kind == "list":
                blocks[-1] = Block("list", items=(*blocks[-1].items, item))
            else:
                blocks.append(Block("list", items=(item,)))
        elif LABEL.match(text) and after is not None and after.kind == "para" and after.text:
            label = text.rstrip("：: ")
            heading = Block("heading", text=f"{label}：{title_text(after.text)}", level=3)
            if not (blocks and blocks[-1] == heading):  # 附：… announced, then its own heading
                blocks.append(heading)
            skip = True
        elif index in signature or DATE_ONLY.match(text) or DOC_NUMBER.search(text):
            blocks.append(Block("paragraph", text=fold_cjk_spaces(text)))
        elif heading_like(text):
            heading = _heading(text)
            previous = blocks[-1] if blocks else None
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
                blocks[-1] = Block("heading", text=f"{previous.text} {heading.text}", level=3)
            else:
                blocks.append(heading)
        elif ENUMERATOR.match(text) and "。" in text[:-1]:
            cut = text.index("。") + 1
            if cut <= HEADING_MAX:  # a run-in heading: （一）聚焦…联合体。重点围绕…
                blocks.append(_heading(text[:cut]))
                blocks.append(Block("paragraph", text=fold_cjk_spaces(text[cut:])))
            else:
                blocks.append(Block("paragraph", text=fold_cjk_spaces(text)))
        else:
            blocks.append(Block("paragraph", text=fold_cjk_spaces(text)))
    return blocks
