"""Snippets with the query terms marked, cut from the original text (pure Python, no Django).

The databases' own snippet functions would print the token strings ("[产教 教融 融合]") and
PostgreSQL's ts_headline is slow on long texts; here the original text is normalised with offsets,
the (normalised) terms are found in it and mapped back, and the result is escaped HTML with <mark>.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from articles.search.tokens import OffsetMap, match_text_with_offsets

__all__ = ["mark", "snippet"]


def _spans(norm: str, origin: OffsetMap, terms: Iterable[str], *, limit: int) -> list[list[int]]:
    """Original-text spans [start, end) of the terms' occurrences, merged, at most ``limit``."""
    found: list[list[int]] = []
    for term in terms:
        if not term:
            continue
        at = norm.find(term)
        while at >= 0 and len(found) < limit * 4:
            found.append([origin[at], origin[at + len(term) - 1] + 1])
            at = norm.find(term, at + len(term))
    found.sort()
    merged: list[list[int]] = []
    for span in found:
        if merged and span[0] <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], span[1])
        else:
            merged.append(span)
    return merged[:limit]


def _render(text: str, spans: list[list[int]]) -> str:
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out.append(html.escape(text[pos:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def mark(text: str, terms: Iterable[str]) -> str:
    """The whole (short) text, escaped, with every occurrence of the terms marked."""
    norm, origin = match_text_with_offsets(text)
    return _render(text, _spans(norm, origin, terms, limit=50))


def snippet(text: str, terms: Iterable[str], *, width: int = 60) -> str:
    """About ``width`` characters of ``text`` around the first occurrence of any term, escaped, with
    the terms marked and "…" where the text was cut. Without an occurrence: the text's start."""
    terms = [t for t in terms if t]
    first = -1
    if terms:
        # Only the part of the text around the first occurrence is normalised and searched:
        # a one-character query can occur thousands of times in a long article.
        norm, origin = match_text_with_offsets(text)
        hits = [(norm.find(t), t) for t in terms]
        hits = [(at, t) for at, t in hits if at >= 0]
        if hits:
            at, term = min(hits)
            first, last = origin[at], origin[at + len(term) - 1] + 1
    if first < 0:
        start, end = 0, min(len(text), width)
    else:
        # Some context before the hit, the rest after; a hit longer than the window is shown whole.
        start = max(0, first - width // 3)
        end = max(last, start + width)
        if end > len(text):
            start = max(0, start - (end - len(text)))
            end = len(text)
    window = text[start:end]
    norm, origin = match_text_with_offsets(window)
    body = _render(window, _spans(norm, origin, terms, limit=20))
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
