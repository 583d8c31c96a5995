"""Article bodies (sanitised HTML) as typed blocks for the Typst template: pure, no Django models.

The template never parses user text: it receives paragraphs, sub-headings, lists, tables, quotes
and images as JSON data and prints every string as text. So ``#``, ``$``, ``<script>`` or Typst
syntax in an article is printed as written, whatever it looks like.

Block shapes (dicts, ready for ``json.dumps``):

- ``{"t": "p", "c": [span, ...]}``; ``{"t": "h", "level": 2..6, "c": [...]}``
- ``{"t": "list", "ordered": bool, "start": int, "items": [[block, ...], ...]}``
- ``{"t": "quote", "c": [block, ...]}``; ``{"t": "pre", "text": str}``; ``{"t": "hr"}``
- ``{"t": "table", "columns": int, "header": int, "rows": [[cell, ...], ...], "caption": [...]}``
  with cells ``{"c": [span, ...], "colspan": int, "rowspan": int, "th": bool}``; every row is padded
  to ``columns`` (rowspans counted), because Typst fills a short row from the next one.
- ``{"t": "image", "src": str, "alt": str, "caption": [...]}``

A span is ``{"x": text}`` plus any of ``b`` ``i`` ``u`` ``s`` ``sub`` ``sup`` ``code`` (true),
``href`` (str) and, on a link's last span, ``note`` (its address, printed as a footnote), or
``{"br": true}`` for a line break. An image block may get ``key`` (its file, see printing/data.py)
or ``missing`` (why it is not printed).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

Block = dict[str, Any]
Span = dict[str, Any]

_INLINE_FLAGS = {
    "strong": "b",
    "b": "b",
    "em": "i",
    "i": "i",
    "u": "u",
    "s": "s",
    "sub": "sub",
    "sup": "sup",
    "code": "code",
}
_HEADINGS = {"h1": 2, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Tags that close an open paragraph and start something of their own.
_BLOCK_TAGS = {
    "p",
    "ul",
    "ol",
    "li",
    "table",
    "blockquote",
    "figure",
    "figcaption",
    "hr",
    "pre",
    "caption",
    "tr",
    "td",
    "th",
    "thead",
    "tbody",
    "tfoot",
    *_HEADINGS,
}
_ROW_TAGS = {"td", "th", "tr", "thead", "tbody", "tfoot"}
_WS = re.compile(r"[ \t\r\n\f]+")
# Runs of characters with no break opportunity (URLs, "aaaa…", long numbers). Typst cannot break
# them and would run them off the page; a zero-width space every few characters lets it wrap there.
_UNBREAKABLE = re.compile(r"[^\s\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]{40,}")
_ZWSP = "\u200b"
MAX_TABLE_COLUMNS = 30


def _soft_wrap(text: str) -> str:
    return _UNBREAKABLE.sub(
        lambda m: _ZWSP.join(m.group(0)[i : i + 20] for i in range(0, len(m.group(0)), 20)), text
    )


def _int_attr(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))


class _Container:
    """Where blocks go: the body, a list item, a quote, a figure."""

    def __init__(self, kind: str, node: Block | None = None) -> None:
        self.kind = kind
        self.node = node
        self.blocks: list[Block] = []


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Container("root")
        self.stack: list[_Container] = [self.root]
        self.spans: list[Span] | None = None  # the open paragraph-like run of inline content
        self.span_target: Block | None = None  # the block that owns ``spans`` (p, h, cell …)
        self.flags: list[tuple[str, str | None]] = []  # open inline tags: (flag, href)
        self.table: Block | None = None
        self.tables: list[Block] = []
        self.row: list[dict] | None = None
        self.in_pre = False
        self.pre_text: list[str] = []
        self.cell: dict | None = None  # the open table cell: block tags inside it become breaks
        self.nested_tables = 0  # tables inside a cell are flattened into the cell's text

    # --- helpers -------------------------------------------------------------------------------
    @property
    def container(self) -> _Container:
        return self.stack[-1]

    def _close_run(self) -> None:
        """Finish the open paragraph (or heading): tidy its spaces and keep it if it has text."""
        if self.span_target is None:
            return
        target, spans = self.span_target, self.spans or []
        self.span_target, self.spans = None, None
        tidy = _tidy_spans(spans)
        if target["t"] == "cell":
            target["c"] = tidy
            return
        if target["t"] == "caption":
            if self.table is not None:
                self.table["caption"] = tidy
            return
        if target["t"] == "figcaption":
            figure = self.container.node if self.container.kind == "figure" else None
            if figure is not None:
                figure["caption"] = tidy
            elif tidy:
                self.container.blocks.append({"t": "p", "c": tidy})
            return
        if tidy:
            target["c"] = tidy
            self.container.blocks.append(target)

    def _open_run(self, block: Block) -> None:
        self._close_run()
        self.span_target, self.spans = block, []

    def _ensure_run(self) -> list[Span]:
        if self.span_target is None:
            if self.row is not None:  # text loose in a table row: a cell of its own
                cell = {"t": "cell", "c": [], "colspan": 1, "rowspan": 1, "th": False}
                self.row.append(cell)
                self.span_target, self.spans = cell, []
            else:  # loose text in the body or a list item: an implicit paragraph
                self.span_target, self.spans = {"t": "p"}, []
        assert self.spans is not None
        return self.spans

    def _span(self, **extra: Any) -> Span:
        span: Span = {}
        for flag, href in self.flags:
            if flag == "a":
                if href:
                    span["href"] = href
            else:
                span[flag] = True
        span.update(extra)
        return span

    # --- parser callbacks ----------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if self.in_pre and tag != "br":
            return
        if self.cell is not None and tag in _BLOCK_TAGS:
            if self.nested_tables == 0 and tag in _ROW_TAGS:
                self._close_run()  # a new cell or row while the last cell is unclosed
                self.cell = None
            else:
                self._block_in_cell(tag)
                return
        if tag in _INLINE_FLAGS:
            self.flags.append((_INLINE_FLAGS[tag], None))
        elif tag == "a":
            href = attr.get("href") or ""
            self.flags.append(
                ("a", href if href.startswith(("http://", "https://", "mailto:")) else None)
            )
        elif tag == "br":
            if self.in_pre:
                self.pre_text.append("\n")
            else:
                self._ensure_run().append({"br": True})
        elif tag == "img":
            self._image(attr)
        elif tag == "p":
            self._open_run({"t": "p"})
        elif tag in _HEADINGS:
            self._open_run({"t": "h", "level": _HEADINGS[tag]})
        elif tag in ("ul", "ol"):
            self._close_run()
            start = _int_attr(attr.get("start"), 1, -(10**6), 10**6)
            block = {"t": "list", "ordered": tag == "ol", "start": start, "items": []}
            self.container.blocks.append(block)
            self.stack.append(_Container("list", block))
        elif tag == "li":
            self._close_run()
            if self.container.kind == "item":
                self._pop("item")
            if self.container.kind != "list":  # an <li> outside a list: treat as a one-item list
                block = {"t": "list", "ordered": False, "start": 1, "items": []}
                self.container.blocks.append(block)
                self.stack.append(_Container("list", block))
            self.stack.append(_Container("item"))
        elif tag == "blockquote":
            self._close_run()
            block = {"t": "quote", "c": []}
            self.container.blocks.append(block)
            self.stack.append(_Container("quote", block))
        elif tag == "figure":
            self._close_run()
            self.stack.append(_Container("figure", {"t": "figure"}))
        elif tag == "figcaption":
            self._open_run({"t": "figcaption"})
        elif tag == "hr":
            self._close_run()
            self.container.blocks.append({"t": "hr"})
        elif tag == "pre":
            self._close_run()
            self.in_pre, self.pre_text = True, []
        elif tag == "table":
            self._close_run()
            if self.table is not None:
                self.tables.append(self.table)
            self.table = {"t": "table", "rows": [], "header": 0, "caption": [], "_thead": False}
            self.row = None
        elif tag == "thead" and self.table is not None:
            self.table["_thead"] = True
        elif tag in ("tbody", "tfoot") and self.table is not None:
            self.table["_thead"] = False
        elif tag == "tr" and self.table is not None:
            self._close_run()
            self.row = []
            self.table["rows"].append({"cells": self.row, "head": self.table["_thead"]})
        elif tag in ("td", "th") and self.table is not None:
            if self.row is None:
                self.row = []
                self.table["rows"].append({"cells": self.row, "head": self.table["_thead"]})
            cell = {
                "t": "cell",
                "c": [],
                "colspan": _int_attr(attr.get("colspan"), 1, 1, MAX_TABLE_COLUMNS),
                "rowspan": _int_attr(attr.get("rowspan"), 1, 1, 1000),
                "th": tag == "th",
            }
            self.row.append(cell)
            self._open_run(cell)
            self.cell = cell
        elif tag == "caption" and self.table is not None:
            self._open_run({"t": "caption"})
        # span and anything else: transparent.

    def _block_in_cell(self, tag: str) -> None:
        """A paragraph, list or nested table inside a cell: keep its text, on a new line."""
        if tag == "table":
            self.nested_tables += 1
        if self.spans and not self.spans[-1].get("br"):
            self.spans.append(self._span(x=" ") if tag in ("td", "th") else {"br": True})

    def handle_endtag(self, tag: str) -> None:
        if self.cell is not None and tag in _BLOCK_TAGS:
            if self.nested_tables:
                if tag == "table":
                    self.nested_tables -= 1
                return
            if tag not in _ROW_TAGS and tag != "table":
                return
            self.cell = None
        if self.in_pre:
            if tag == "pre":
                self.in_pre = False
                text = "".join(self.pre_text).strip("\n")
                if text.strip():
                    self.container.blocks.append({"t": "pre", "text": text})
            return
        if tag in _INLINE_FLAGS or tag == "a":
            flag = "a" if tag == "a" else _INLINE_FLAGS[tag]
            for i in range(len(self.flags) - 1, -1, -1):
                if self.flags[i][0] == flag:
                    del self.flags[i]
                    break
        elif tag in ("p", "figcaption", "caption", "td", "th", *_HEADINGS):
            self._close_run()
        elif tag == "tr":
            self._close_run()
            self.row = None
        elif tag == "table" and self.table is not None:
            self._close_run()
            self.row = None
            block = _finish_table(self.table)
            self.table = self.tables.pop() if self.tables else None
            if block is not None:
                self.container.blocks.append(block)
        elif tag == "li":
            self._close_run()
            self._pop("item")
        elif tag in ("ul", "ol"):
            self._close_run()
            self._pop("item")
            self._pop("list")
        elif tag == "blockquote":
            self._close_run()
            self._pop("quote")
        elif tag == "figure":
            self._close_run()
            self._pop_figure()

    def handle_data(self, data: str) -> None:
        if self.in_pre:
            self.pre_text.append(data)
            return
        if self.table is not None and self.span_target is None and not data.strip():
            return  # whitespace between table tags
        if self.span_target is None and not data.strip():
            return
        self._ensure_run().append(self._span(x=data))

    # --- structure -----------------------------------------------------------------------------
    def _pop(self, kind: str) -> None:
        if self.container.kind != kind:
            return
        done = self.stack.pop()
        if kind == "item" and self.container.kind == "list":
            assert self.container.node is not None
            self.container.node["items"].append(done.blocks)
        elif kind == "quote":
            assert done.node is not None
            done.node["c"] = done.blocks

    def _pop_figure(self) -> None:
        if self.container.kind != "figure":
            return
        done = self.stack.pop()
        assert done.node is not None
        images = [b for b in done.blocks if b["t"] == "image"]
        caption = done.node.get("caption", [])
        if images and caption:
            images[-1]["caption"] = caption
        elif caption:
            done.blocks.append({"t": "p", "c": caption})
        self.container.blocks.extend(done.blocks)

    def _image(self, attr: dict[str, str | None]) -> None:
        src = (attr.get("src") or "").strip()
        alt = _WS.sub(" ", attr.get("alt") or attr.get("title") or "").strip()
        target = self.span_target["t"] if self.span_target is not None else None
        own = src.startswith("/") and not src.startswith("//")  # the site's own file
        if self.row is not None or target not in (None, "p", "h") or (target and not own):
            # In a table cell or a caption, or another site's image (never printed) in a
            # sentence: its description, in the text.
            self._ensure_run().append(self._span(x=f"［图片：{alt}］" if alt else "［图片］"))
            return
        # The site's own image inside a paragraph ends it, to print; the text after it goes on in
        # a paragraph of its own.
        self._close_run()
        self.container.blocks.append({"t": "image", "src": src, "alt": alt, "caption": []})

    def close(self) -> None:
        super().close()
        self._close_run()
        while self.table is not None:
            self.handle_endtag("table")
        while len(self.stack) > 1:
            kind = self.container.kind
            if kind == "figure":
                self._pop_figure()
            else:
                self._pop(kind)
                if len(self.stack) > 1 and self.container.kind == kind:  # could not pop
                    self.stack.pop()


def _style(span: Span) -> dict[str, Any]:
    return {k: v for k, v in span.items() if k != "x"}


def _tidy_spans(spans: list[Span]) -> list[Span]:
    """Collapse white space as a browser would, merge neighbours with the same style, trim ends."""
    out: list[Span] = []
    for span in spans:
        if span.get("br"):
            if out and "x" in out[-1]:
                out[-1]["x"] = out[-1]["x"].rstrip(" ")
            out.append({"br": True})
            continue
        text = _WS.sub(" ", span["x"])
        if not out or out[-1].get("br") or out[-1]["x"].endswith(" "):
            text = text.lstrip(" ")
        if not text:
            continue
        style = _style(span)
        if out and not out[-1].get("br") and _style(out[-1]) == style:
            out[-1]["x"] += text
        else:
            out.append({**style, "x": text})
    while out and (out[-1].get("br") or not out[-1]["x"].strip()):
        out.pop()
    if out:
        out[-1]["x"] = out[-1]["x"].rstrip(" ")
    while out and out[0].get("br"):
        out.pop(0)
    _note_addresses(out)
    for span in out:
        if "x" in span:
            span["x"] = _soft_wrap(span["x"])
    return out


def _address(href: str) -> str:
    return href.removeprefix("mailto:")


def _note_addresses(spans: list[Span]) -> None:
    """Mark the last span of each link with its address (``note``), printed as a footnote;
    a link whose text is its address already is not repeated."""
    i = 0
    while i < len(spans):
        href = spans[i].get("href")
        if not href:
            i += 1
            continue
        j = i
        while j + 1 < len(spans) and spans[j + 1].get("href") == href:
            j += 1
        shown = "".join(s.get("x", "") for s in spans[i : j + 1]).strip()
        address = _address(href)
        bare = re.sub(r"^https?://", "", address).rstrip("/")
        if shown.rstrip("/") not in (address.rstrip("/"), bare):
            spans[j]["note"] = _soft_wrap(address)
        i = j + 1


def _finish_table(table: Block) -> Block | None:
    """Lay the rows on a grid: count columns (rowspans included) and pad short rows."""
    rows = [r for r in table["rows"] if r["cells"]]
    if not rows:
        if table["caption"]:
            return {"t": "p", "c": table["caption"]}
        return None
    # Columns occupied in each row by cells spanning down from the rows above.
    carried: dict[int, int] = {}
    widths: list[int] = []
    for index, row in enumerate(rows):
        used = carried.get(index, 0) + sum(c["colspan"] for c in row["cells"])
        widths.append(used)
        for cell in row["cells"]:
            for below in range(index + 1, min(index + cell["rowspan"], len(rows))):
                carried[below] = carried.get(below, 0) + cell["colspan"]
    columns = max(1, min(MAX_TABLE_COLUMNS, max(widths)))
    out_rows = []
    for index, row in enumerate(rows):
        cells, free = [], columns - carried.get(index, 0)
        for cell in row["cells"]:
            if free <= 0:
                break
            span = min(cell["colspan"], free)
            free -= span
            cells.append(
                {
                    "c": cell["c"],
                    "colspan": span,
                    "rowspan": max(1, min(cell["rowspan"], len(rows) - index)),
                    "th": cell["th"],
                }
            )
        cells.extend({"c": [], "colspan": 1, "rowspan": 1, "th": False} for _ in range(free))
        out_rows.append(cells)
    # Leading rows from <thead>, or made only of <th>, repeat at the top of every page.
    header = 0
    for row in rows:
        if row["head"] or all(c["th"] for c in row["cells"]):
            header += 1
        else:
            break
    if header == len(rows):
        header = 0
    return {
        "t": "table",
        "columns": columns,
        "header": header,
        "rows": out_rows,
        "caption": table["caption"],
    }


def html_to_blocks(html: str) -> list[Block]:
    """Convert an article body (already sanitised by ``articles.sanitize``) to typed blocks."""
    if not html or not html.strip():
        return []
    parser = _Converter()
    parser.feed(html)
    parser.close()
    return parser.root.blocks


def blocks_text(blocks: list[Block]) -> str:
    """The plain text of some blocks, in reading order (for tests and search snippets)."""
    parts: list[str] = []

    def spans(items: list[Span]) -> None:
        parts.append("".join(s.get("x", "\n") for s in items).replace(_ZWSP, ""))

    def walk(items: list[Block]) -> None:
        for block in items:
            kind = block["t"]
            if kind in ("p", "h"):
                spans(block["c"])
            elif kind == "list":
                for item in block["items"]:
                    walk(item)
            elif kind == "quote":
                walk(block["c"])
            elif kind == "pre":
                parts.append(block["text"])
            elif kind == "table":
                spans(block["caption"])
                for row in block["rows"]:
                    for cell in row:
                        spans(cell["c"])
            elif kind == "image":
                parts.append(block["alt"])
                spans(block["caption"])

    walk(blocks)
    return "\n".join(p for p in parts if p)
