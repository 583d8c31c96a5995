"""Snippets with the query terms marked, cut from the original text (pure Python, no Django).

The databases' own snippet functions would print the token strings ("[产教 教融 融合]") and
PostgreSQL's ts_headline is slow on long texts; here the original text is normalised with offsets,
the (normalised) terms are found in it and mapped back, and the result is escaped HTML with <mark>.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from core.tokens import OffsetMap, match_text_with_offsets, original_index

__all__ = ["mark", "snippet"]


def _spans(
    norm: str, origin: OffsetMap, terms: Iterable[str], *, start: int = 0, stop: int | None = None
) -> list[list[int]]:
    """Original-text spans [start, end) of the terms' occurrences that begin at normalised index
    ``start`` or later and end by original index ``stop``, merged."""
    found: list[list[int]] = []
    for term in terms:
        at = norm.find(term, start)
        while at >= 0 and len(found) < 100:
            begin, end = origin[at], origin[at + len(term) - 1] + 1
            if stop is not None and end > stop:
                break
            found.append([begin, end])
            at = norm.find(term, at + len(term))
    found.sort()
    merged: list[list[int]] = []
    for span in found:
        if merged and span[0] <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], span[1])
        else:
            merged.append(span)
    return merged


def _render(text: str, spans: list[list[int]], *, offset: int = 0) -> str:
    out: list[str] = []
    pos = 0
    for start, end in spans:
        start, end = start - offset, end - offset
        out.append(html.escape(text[pos:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _cut(text: str, start: int, end: int, spans: list[list[int]]) -> str:
    """``text[start:end]`` rendered with the marks ``spans`` (in ``text``'s positions), and "…"
    where the text goes on."""
    body = _render(text[start:end], spans, offset=start)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def mark(text: str, terms: Iterable[str]) -> str:
    """The whole (short) text, escaped, with every occurrence of the terms marked."""
    terms = [t for t in terms if t]
    if not terms:
        return html.escape(text)
    norm, origin = match_text_with_offsets(text)
    return _render(text, _spans(norm, origin, terms))


def _window(first: int, last: int, length: int, width: int) -> tuple[int, int]:
    # Some context before the hit, the rest after; a hit longer than the window is shown whole.
    start = max(0, first - width // 3)
    end = max(last, start + width)
    if end > length:
        start = max(0, start - (end - length))
        end = length
    return start, end


def _from_first(text: str, terms: list[str], width: int, first: int) -> str | None:
    """The snippet, when ``first`` is where the first hit starts in ``match_text(text)``: only the
    window from that hit on is normalised. None where positions do not lead back to it."""
    at = original_index(text, first)
    if at is None:
        return None
    # Cut well past the window's end: what a space at the cut would fold into is not known yet.
    stop = min(len(text), at + 2 * width + max(map(len, terms)) + 16)
    norm, origin = match_text_with_offsets(text[at:stop])
    hit = min((t for t in terms if norm.startswith(t)), default=None)
    if hit is None:
        return None
    start, end = _window(at, at + origin[len(hit) - 1] + 1, len(text), width)
    if end + 2 > stop and stop < len(text):
        return None
    spans = [[a + at, b + at] for a, b in _spans(norm, origin, terms, stop=end - at)]
    return _cut(text, start, end, spans)


def snippet(text: str, terms: Iterable[str], *, width: int = 60, first: int | None = None) -> str:
    """About ``width`` characters of ``text`` around the first occurrence of any term, escaped, with
    the terms marked and "…" where the text was cut. Without an occurrence: the text's start.
    ``first``: where that occurrence starts in ``match_text(text)``, if the caller knows (the
    ranking does, for an article, whose text is the body it reads): then the text before it is
    not normalised, which on a results page was most of the work."""
    terms = [t for t in terms if t]
    if (
        terms
        and first is not None
        and (found := _from_first(text, terms, width, first)) is not None
    ):
        return found
    # Normalise a growing prefix until it holds the first hit and its window: a common term
    # occurs early, and a results page should not normalise twenty whole articles. Normalising
    # mostly keeps positions (it folds some spaces and expands a few characters), so a prefix a
    # little past ``first`` and the window usually holds both.
    longest = max(map(len, terms), default=0)
    limit = 4 * width
    if first is not None:
        limit = max(width, (first + 2 * width + 16) // 4)
    while terms:
        limit = min(limit * 4, len(text))
        norm, origin = match_text_with_offsets(text[:limit])
        hits = sorted((at, t) for t in terms if (at := norm.find(t)) >= 0)
        if hits:
            at, term = hits[0]
            start, end = _window(origin[at], origin[at + len(term) - 1] + 1, len(text), width)
            # Away from the prefix's end, where a space before a cut-off Han character has not
            # been folded yet, the prefix's normal form is the whole text's; and a longer term
            # starting before the hit would have ended inside the prefix, so none does.
            inside = end + 2 <= limit and at + longest + 2 <= len(norm)
            if inside or limit == len(text):
                # No term occurs before the first hit, so the marks are found from there on.
                return _cut(text, start, end, _spans(norm, origin, terms, start=at, stop=end))
        if limit == len(text):
            break
    end = min(len(text), width)
    return html.escape(text[:end]) + ("…" if end < len(text) else "")
