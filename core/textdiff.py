"""Readable diffs of text for people: the history list and the edit-conflict form.

diff-match-patch compares characters, not words: Chinese has no spaces between words, so a
word-level diff (difflib over split()) would mark a whole paragraph changed for one character.
Its semantic clean-up then merges the tiny equalities into phrases a reader can follow.
"""

from __future__ import annotations

from diff_match_patch import diff_match_patch
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

EQUAL, DELETE, INSERT = 0, -1, 1
# Unchanged text between changes is shortened to this much on each side.
CONTEXT = 80


def diff(old: str, new: str) -> list[tuple[int, str]]:
    """(operation, text) pairs turning ``old`` into ``new``, cleaned up for reading."""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 1.0  # a worst case stays quick; the result is still a valid diff
    ops = dmp.diff_main(old or "", new or "")
    dmp.diff_cleanupSemantic(ops)
    return ops


def _equal(text: str, *, first: bool, last: bool) -> str:
    """Unchanged text, shortened around the middle when long (the changes are what matters)."""
    if len(text) <= 2 * CONTEXT + 20:
        return escape(text)
    head = "" if first else text[:CONTEXT]
    tail = "" if last else text[-CONTEXT:]
    if first and last:
        head = text[:CONTEXT]
    skipped = len(text) - len(head) - len(tail)
    gap = f'<span class="diff-gap">⋯（{skipped} 字未改）⋯</span>'
    return escape(head) + gap + escape(tail)


def _render(ops, tags: dict[int, str]) -> SafeString:
    parts = []
    for i, (op, text) in enumerate(ops):
        if op == EQUAL:
            parts.append(_equal(text, first=i == 0, last=i == len(ops) - 1))
        elif op in tags:
            tag = tags[op]
            parts.append(f"<{tag}>{escape(text)}</{tag}>")
    return mark_safe("".join(parts))


def inline_html(old: str, new: str) -> SafeString:
    """One column: deletions struck through, insertions marked, long unchanged runs shortened."""
    return _render(diff(old, new), {DELETE: "del", INSERT: "ins"})


def side_by_side_html(old: str, new: str) -> tuple[SafeString, SafeString]:
    """Two columns: ``old`` and ``new``, each with what only it has marked (neither is a
    deletion: without a common ancestor, nobody knows which side changed)."""
    ops = diff(old, new)
    return _render(ops, {DELETE: "mark"}), _render(ops, {INSERT: "mark"})
