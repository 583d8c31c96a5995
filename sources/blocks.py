"""A candidate article's body: blocks (paragraphs, headings, lists, tables) and their HTML.

Pure Python, no Django. Every piece of text is HTML-escaped; the only tags produced are p, h3, h4,
ul/ol/li and table/thead/tbody/tr/th/td, all of which the site's sanitiser
(:mod:`articles.sanitize`) keeps.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = ["Block", "BlockKind", "render_html"]

BlockKind = Literal["paragraph", "heading", "list", "table"]


@dataclass(frozen=True)
class Block:
    """One piece of a body.

    * ``paragraph``: ``text``.
    * ``heading``: ``text`` and ``level`` (3, or 4 for second-level numbering such as （一）, 1.).
    * ``list``: ``items`` (``ordered`` for 1. 2. …).
    * ``table``: ``rows``, the first being the header.
    """

    kind: BlockKind
    text: str = ""
    level: int = 0
    items: tuple[str, ...] = ()
    ordered: bool = False
    rows: tuple[tuple[str, ...], ...] = ()

    @property
    def plain(self) -> str:
        """The block as plain text: list items one a line, table rows one a line (cells tab-
        separated)."""
        if self.kind == "list":
            return "\n".join(self.items)
        if self.kind == "table":
            return "\n".join("\t".join(row) for row in self.rows)
        return self.text


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def render_html(blocks: Sequence[Block]) -> str:
    """The blocks as HTML, one element a line."""
    out: list[str] = []
    for block in blocks:
        if block.kind == "heading":
            level = 4 if block.level == 4 else 3
            out.append(f"<h{level}>{_escape(block.text)}</h{level}>")
        elif block.kind == "paragraph":
            out.append(f"<p>{_escape(block.text)}</p>")
        elif block.kind == "list":
            tag = "ol" if block.ordered else "ul"
            items = "".join(f"<li>{_escape(item)}</li>" for item in block.items)
            out.append(f"<{tag}>{items}</{tag}>")
        elif block.rows:
            head, *body = block.rows
            header = "".join(f"<th>{_escape(cell)}</th>" for cell in head)
            rows = "".join(
                "<tr>" + "".join(f"<td>{_escape(cell)}</td>" for cell in row) + "</tr>"
                for row in body
            )
            out.append(f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>")
    return "\n".join(out)
