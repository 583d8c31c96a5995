"""The PostgreSQL backend: tsvectors written as literals, GIN indexes (see articles.0002/0003)."""

from __future__ import annotations

from django.db import connection, transaction

from articles.search.backends import base
from articles.search.backends.base import (
    TABLE,
    TS_WEIGHTS,
    Backend,
    Plan,
    RawPage,
    budget,
    kind_token,
)
from articles.search.tokens import Query, Term, is_cjk

# tsvector limits: positions above 16383 are stored as 16383, at most 256 positions per lexeme,
# and the whole value must stay under 1 MB.
_MAX_POS = 16383
_MAX_POSITIONS = 255
_MAX_VECTOR_BYTES = 900_000


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _chars(*token_lists: list[str]) -> set[str]:
    """Every CJK character of the tokens (bigrams and last characters)."""
    return {c for tokens in token_lists for t in tokens if is_cjk(t[0]) for c in t}


def tsvector_literal(
    *,
    title: list[str],
    meta: list[str],
    body: list[str],
    sub: list[str],
    kind: str = "",
    chars: set[str] = frozenset(),
) -> str:
    """A tsvector in its text form with positions and weights, e.g. ``'产教':1A '教融':2A,9C``.

    Written as a literal (and cast) rather than made by to_tsvector(): PostgreSQL's text-search
    parser depends on the database's locale and could split or drop CJK tokens. The document's
    kind is a lexeme of its own, so that broad queries count per kind from the index alone.
    """
    positions: dict[str, list[str]] = {}
    pos = 0
    for weight, tokens in (("A", title), ("B", meta), ("C", body), ("D", sub)):
        for token in tokens:
            pos += 1
            at = positions.setdefault(token, [])
            if len(at) < _MAX_POSITIONS:
                at.append(f"{min(pos, _MAX_POS)}{weight}")
    size = sum(len(t.encode()) + 2 * len(p) + 8 for t, p in positions.items())
    if size > _MAX_VECTOR_BYTES:
        # Only an enormous text gets here: keep one position (the first, with its weight) per
        # lexeme, which keeps every lexeme and therefore every match.
        positions = {t: p[:1] for t, p in positions.items()}
    lexemes = [f"{_lexeme(t)}:{','.join(p)}" for t, p in positions.items()]
    # Every CJK character as a lexeme of its own (without positions): a one-character query is
    # then one lexeme, not a prefix query, which GIN answers by merging the lists of every bigram
    # that starts with the character (thousands, for 的).
    lexemes += [_lexeme(c) for c in sorted(chars) if c not in positions]
    if kind:
        lexemes.append(_lexeme(kind_token(kind)))
    return " ".join(lexemes)


class PostgresBackend(Backend):
    vendor = "postgresql"
    contains = "strpos({}, %s)"

    def document_columns(self, *, kind, title, meta, body, sub):
        chars = _chars(title, meta, body)
        return {
            "vector": tsvector_literal(
                title=title, meta=meta, body=body, sub=sub, kind=kind, chars=chars
            ),
            "title_vector": tsvector_literal(
                title=title, meta=[], body=[], sub=[], chars=_chars(title)
            ),
        }

    def _term_query(self, term: Term) -> str:
        parts = []
        for piece in budget(term.pieces)[0]:
            if piece.prefix and is_cjk(piece.prefix):
                parts.append(_lexeme(piece.prefix))  # every character is a lexeme (see above)
            elif piece.prefix:
                parts.append(f"{_lexeme(piece.prefix)}:*")
            else:
                parts.extend(_lexeme(b) for b in dict.fromkeys(piece.bigrams))
        return "(" + " & ".join(parts) + ")"

    def plan(self, query: Query) -> Plan:
        plan = Plan(titles=[t.text for t in query.positive])
        positive: list[str] = []
        title: list[str] = []
        negative: list[str] = []
        for term in query.terms:
            if not term.indexed:
                plan.checks.append((term.text, not term.negative))
                continue
            # Positions may be capped (see above), so only a single bigram, a lone character or
            # a word is exact in the index; anything longer is an AND plus the substring check.
            exact = term.exact and budget(term.pieces)[1]
            if term.negative:
                if exact:
                    negative.append("!" + self._term_query(term))
                else:
                    plan.checks.append((term.text, False))
                continue
            positive.append(self._term_query(term))
            title.append(self._term_query(term))
            if not exact:
                plan.checks.append((term.text, True))
        plan.excludes = bool(negative)
        if positive:
            plan.match = " & ".join(positive + negative)
            plan.title = " & ".join(title)  # on title_vector
        return plan

    def match_from(self, plan, match):
        if not match:
            return f"{TABLE} d", "1 = 1", []
        return f"{TABLE} d", "d.vector @@ %s::tsquery", [match]

    def with_kinds(self, match, kinds):
        return f"({match}) & (" + " | ".join(_lexeme(kind_token(k)) for k in kinds) + ")"

    def index_count(self, match):
        return self._capped_counts([match])[0]

    def _capped_counts(self, matches: list[str]) -> list[int]:
        # Counting visits every matching row (GIN has no index-only scans): stop past the limit;
        # beyond it the query is broad and its counts are lower bounds.
        capped = f"""(SELECT count(*) FROM (
            SELECT 1 FROM {TABLE} WHERE vector @@ %s::tsquery LIMIT {base.RANK_LIMIT + 1}
        ) AS capped)"""
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join([capped] * len(matches)), matches)
            return list(cursor.fetchone())

    def broad_counts(self, plan):
        kinds = ("article", "community", "organization")
        counts = self._capped_counts([self.with_kinds(plan.match, (k,)) for k in kinds])
        if sum(counts) <= base.RANK_LIMIT:
            return None
        page = RawPage(broad=True, approximate=bool(plan.checks))
        page.counts = dict(zip(kinds, counts, strict=True))
        page.lower_bound = {k for k, n in page.counts.items() if n > base.RANK_LIMIT}
        return page

    def title_from(self, plan, kinds):
        # Not `vector @@ …` as well: each row would have its (large) vector read, and the
        # planner, expecting few rows, would read every title hit instead of the newest few.
        # The kind is d.kind in the caller's condition; only exclusions need the full vector.
        if plan.excludes:
            return (
                f"{TABLE} d",
                "d.title_vector @@ %s::tsquery AND d.vector @@ %s::tsquery",
                [plan.title, plan.match],
            )
        return f"{TABLE} d", "d.title_vector @@ %s::tsquery", [plan.title]

    def search(self, **kwargs):
        # The planner does not know that `vector @@` on a sequential scan reads each row's vector
        # from TOAST: for a common word it would rather scan the table than use the GIN index.
        # Switched off for the search's own statements only, then put back as it was (the
        # caller's transaction may go on).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('enable_seqscan'), "
                "set_config('enable_seqscan', 'off', true)"
            )
            before = cursor.fetchone()[0]
            try:
                return super().search(**kwargs)
            finally:
                cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [before])

    def scheduled_sql(self, match):
        return (
            f"SELECT d.kind, count(*) FROM {TABLE} d WHERE d.visible_from > %s "
            "AND d.vector @@ %s::tsquery GROUP BY d.kind",
            [match],
        )

    def rank_sql(self, plan):
        if not plan.match:
            return "0.0", []
        # Normalisation 1: divide by 1 + log(length), so a long article does not win by length.
        return f"ts_rank('{TS_WEIGHTS}', d.vector, %s::tsquery, 1)", [plan.match]

    def after_rebuild(self):
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")

    def tag_filter_sql(self):
        return "d.tags @> jsonb_build_array(%s::text)"

    def tag_facet_from(self):
        return "m, jsonb_array_elements_text(m.tags) AS t"
