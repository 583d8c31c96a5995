"""Three-way merge of an article's fields: the version both editors opened (base), the one saved
in between (theirs) and the one being saved (mine). Pure functions, no database.

A field only one side changed takes that side's value; a field both changed differently needs
the editor's choice. The body is merged paragraph by paragraph first: two editors who changed
different paragraphs lose nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from html.parser import HTMLParser
from itertools import pairwise
from typing import Any

# Elements that have no end tag: they never open a nesting level.
_VOID = {"br", "hr", "img", "wbr", "input", "meta", "link", "source", "col", "area", "base"}


@dataclass(frozen=True)
class FieldMerge:
    name: str
    value: Any  # what is saved when there is no conflict
    conflict: bool = False
    merged: Any = None  # both sides' changes together, where they do not overlap (body)


def merge_field(name: str, base: Any, theirs: Any, mine: Any, *, known_base: bool) -> FieldMerge:
    if mine == theirs:
        return FieldMerge(name, mine)
    if known_base and mine == base:
        return FieldMerge(name, theirs)
    if known_base and theirs == base:
        return FieldMerge(name, mine)
    return FieldMerge(name, mine, conflict=True)


def merge(
    base: Mapping[str, Any] | None,
    theirs: Mapping[str, Any],
    mine: Mapping[str, Any],
    *,
    blocks: Sequence[str] = ("body",),
) -> dict[str, FieldMerge]:
    """Each field of ``mine`` merged; without a base every difference is a conflict. For the
    fields named in ``blocks`` (HTML), a conflict carries the paragraph-level merge if clean."""
    out = {}
    for name, mine_value in mine.items():
        base_value = base.get(name) if base is not None else None
        result = merge_field(
            name, base_value, theirs.get(name), mine_value, known_base=base is not None
        )
        if result.conflict and name in blocks and base is not None:
            joined = merge_html_blocks(base_value or "", theirs.get(name) or "", mine_value or "")
            if joined is not None:
                result = FieldMerge(name, mine_value, conflict=True, merged=joined)
        out[name] = result
    return out


# --- the body, block by block ---------------------------------------------------------------------


class _BlockSplitter(HTMLParser):
    """Offsets where top-level elements start."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self.line_starts = [0]
        for i, ch in enumerate(html):
            if ch == "\n":
                self.line_starts.append(i + 1)
        self.depth = 0
        self.starts: list[int] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            self.starts.append(self._offset())
        if tag not in _VOID:
            self.depth += 1

    def handle_startendtag(self, tag, attrs):
        if self.depth == 0:
            self.starts.append(self._offset())

    def handle_endtag(self, tag):
        if tag not in _VOID:
            self.depth = max(0, self.depth - 1)


def split_blocks(html: str) -> list[str]:
    """Top-level elements of body HTML (paragraphs, headings, lists, tables), stripped; text
    outside any element stays with the block before it."""
    parser = _BlockSplitter(html)
    parser.feed(html)
    parser.close()
    cuts = [0, *[s for s in parser.starts if s > 0], len(html)]
    blocks = [html[a:b].strip() for a, b in pairwise(cuts)]
    return [b for b in blocks if b]


def _hunks(base: list[str], side: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
    matcher = SequenceMatcher(None, base, side, autojunk=False)
    return [
        (i1, i2, tuple(side[j1:j2]))
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
        if op != "equal"
    ]


def merge_sequences(base: list[str], theirs: list[str], mine: list[str]) -> list[str] | None:
    """Both sides' changes applied to ``base``; None where they touch the same blocks."""
    ours, others = _hunks(base, mine), _hunks(base, theirs)
    for a in ours:
        for b in others:
            if a == b:
                continue
            same_point = a[0] == a[1] == b[0] == b[1]
            if same_point or (a[0] < b[1] and b[0] < a[1]):
                return None
    hunks = sorted(set(ours) | set(others), key=lambda h: (h[0], h[1]))
    out: list[str] = []
    position = 0
    for start, end, replacement in hunks:
        out.extend(base[position:start])
        out.extend(replacement)
        position = end
    out.extend(base[position:])
    return out


def merge_html_blocks(base: str, theirs: str, mine: str) -> str | None:
    merged = merge_sequences(split_blocks(base), split_blocks(theirs), split_blocks(mine))
    return None if merged is None else "\n".join(merged)
