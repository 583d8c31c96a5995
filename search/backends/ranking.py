"""The order of ranked results, as SQL both backends share (base.py runs it):

1. Tier: results whose title holds more of the terms first; then those whose title or labels
   (an article's source, 信息来源 and tags; a community's lead units) hold more of them; then the
   rest (found in the body or another heading only).
2. Within a tier, how often the body says the terms (all occurrences, summed), then how early
   (the first occurrence of any of them, in characters).
3. Ties: the newest issue first, then the printed position (the row id: an issue's rows are
   written in printed order and keep their ids, see ../indexing.py).

All of it is read from the row's normalised text (the layout is in ../models.py), exactly and the
same way on both databases. Tiers read only the short ``head_norm``, for every match; counting in
``body_norm``, the long text, is done only for the tiers the page shows (``page_tiers``): reading
the bodies of every match for one page would cost more than the rest of the search.
"""

from __future__ import annotations

from dataclasses import dataclass

from search.models import LABELS_END, TITLE_END

__all__ = [
    "NOWHERE",
    "ORDER",
    "Spelling",
    "body_sql",
    "page_tiers",
    "score",
    "tier_sql",
    "title_sql",
]

#: The position given to a term the body does not hold (after any real one).
NOWHERE = 2**31 - 1

#: After tier, count and first position (the SELECT's ``tier``, ``n``, ``f``).
ORDER = (
    "tier DESC, n DESC, f, COALESCE(d.issue_year, 0) DESC, COALESCE(d.issue_number, 0) DESC, d.id"
)


@dataclass(frozen=True)
class Spelling:
    """How a database spells what the SQL needs: the position of %s in {} (1-based, 0 if absent),
    the length of {} in bytes, and the least of several values."""

    position: str
    octets: str
    least: str


def _in_title(sql: Spelling) -> str:
    # The title comes first in head_norm, so a term it holds is first found before its end: the
    # term's position, then TITLE_END's (the parameters).
    at = sql.position.format("d.head_norm")
    return f"{at} BETWEEN 1 AND {at}"


def title_sql(terms: list[str], sql: Spelling) -> tuple[str, list]:
    """How many of the terms the title holds."""
    one = f"CASE WHEN {_in_title(sql)} THEN 1 ELSE 0 END"
    return " + ".join([one] * len(terms)) or "0", [p for t in terms for p in (t, TITLE_END)]


def tier_sql(terms: list[str], sql: Spelling) -> tuple[str, list]:
    """The tier as one number, larger first: how many terms the title holds, times one more than
    there are terms, plus how many the title or the labels hold (so the first count decides)."""
    at = sql.position.format("d.head_norm")
    title_weight = len(terms) + 2  # a title hit is also one in the title or labels
    # Else before LABELS_END: in the labels.
    one = (
        f"CASE WHEN {_in_title(sql)} THEN {title_weight} "
        f"WHEN {at} BETWEEN 1 AND {at} THEN 1 ELSE 0 END"
    )
    params = [p for t in terms for p in (t, TITLE_END, t, LABELS_END)]
    return " + ".join([one] * len(terms)) or "0", params


def body_sql(
    terms: list[str], sql: Spelling, column: str = "d.body_norm"
) -> tuple[str, list, str, list]:
    """How often the body (``column``) says the terms (summed) and where it first says one of
    them (1-based, ``NOWHERE`` if it holds none): (count SQL, its parameters, position SQL, its
    parameters)."""
    # Occurrences: the bytes replace() takes out, over the term's bytes (bytes, not characters:
    # counting characters would read the whole text once more).
    body = sql.octets.format(column)
    gone = sql.octets.format(f"replace({column}, %s, '')")
    one = sql.octets.format("%s")
    count = " + ".join([f"({body} - {gone}) / {one}"] * len(terms))
    at = sql.position.format(column)
    firsts = [f"COALESCE(NULLIF({at}, 0), {NOWHERE})"] * len(terms)
    first = sql.least.format(", ".join(firsts)) if len(firsts) > 1 else "".join(firsts)
    return (
        count or "0",
        [t for t in terms for _ in range(2)],
        first or str(NOWHERE),
        list(terms),
    )


def page_tiers(counts: dict[int, int], offset: int, limit: int) -> tuple[int, int] | None:
    """The lowest and the highest tier with a result on the page (``counts``: results per tier),
    or None if the page is past the results."""
    seen = 0
    shown: list[int] = []
    for tier in sorted(counts, reverse=True):
        if seen < offset + limit and seen + counts[tier] > offset:
            shown.append(tier)
        seen += counts[tier]
    return (shown[-1], shown[0]) if shown else None


def score(tier: int, n: int, first: int, terms: int) -> float:
    """One number that falls as the order does, for the API: the number of terms the title holds,
    plus a fraction for the rest (more labels, more often, earlier)."""
    often = n + 1 / (1 + first)  # the count decides, an earlier first occurrence breaks its ties
    return (tier + often / (1 + often)) / (terms + 1)
