"""The PostgreSQL backend: tsvectors written as literals, GIN indexes (see articles.0002/0003)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from core.tokens import Term, is_cjk
from search.backends import base
from search.backends.base import (
    TABLE,
    Backend,
    Candidates,
    Plan,
    RawPage,
    budget,
    kind_token,
)

GIN_INDEX = "articles_searchdocument_vector_gin"
TITLE_GIN_INDEX = "articles_searchdocument_title_gin"

# tsvector limits: positions above 16383 are stored as 16383, at most 256 positions per lexeme,
# and the whole value must stay under 1 MB.
_MAX_POS = 16383
_MAX_POSITIONS = 255
_MAX_VECTOR_BYTES = 900_000


def _capped() -> str:
    # Counting visits every matching row (GIN has no index-only scans): stop past the limit;
    # beyond it the query is broad and its counts are lower bounds.
    return f"""(SELECT count(*) FROM (
        SELECT 1 FROM {TABLE} WHERE vector @@ %s::tsquery LIMIT {base.RANK_LIMIT + 1}
    ) AS capped)"""


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


def _term(term: Term) -> str:
    """A term as a tsquery: an AND of its bigrams, lone characters and word prefixes. Positions
    may be capped (see above), so a longer run also gets the substring check (make_plan)."""
    parts = []
    for piece in budget(term.pieces)[0]:
        if piece.prefix and is_cjk(piece.prefix):
            parts.append(_lexeme(piece.prefix))  # every character is a lexeme (see above)
        elif piece.prefix:
            parts.append(f"{_lexeme(piece.prefix)}:*")
        else:
            parts.extend(_lexeme(b) for b in dict.fromkeys(piece.bigrams))
    return "(" + " & ".join(parts) + ")"


def _match(plan: Plan) -> str:
    return " & ".join([*map(_term, plan.lookups), *("!" + _term(t) for t in plan.excluded)])


def _with_kinds(match: str, kinds: tuple[str, ...]) -> str:
    return f"({match}) & (" + " | ".join(_lexeme(kind_token(k)) for k in kinds) + ")"


class PostgresBackend(Backend):
    contains = "strpos({}, %s)"
    # Read off a long value's TOAST header: the text is not decompressed.
    octets = "octet_length({})"
    least = "LEAST({})"
    has_tag = "d.tags @> jsonb_build_array(%s::text)"
    each_tag = "m, jsonb_array_elements_text(m.tags) AS t"

    def columns(self, *, kind, title, meta, body, sub):
        chars = _chars(title, meta, body)
        return {
            "vector": tsvector_literal(
                title=title, meta=meta, body=body, sub=sub, kind=kind, chars=chars
            ),
            "title_vector": tsvector_literal(
                title=title, meta=[], body=[], sub=[], chars=_chars(title)
            ),
        }

    def after_rebuild(self):
        self.after_bulk_write()

    def after_bulk_write(self):
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")

    def missing(self):
        wanted = [GIN_INDEX, TITLE_GIN_INDEX]
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname IN (%s, %s)", wanted)
            found = {row[0] for row in cursor.fetchall()}
        return [name for name in wanted if name not in found]

    def candidates(self, plan, *, kinds=(), title=False):
        if not plan.lookups:
            return Candidates(f"{TABLE} d", "1 = 1", [])
        match = _match(plan)
        if title:
            # Not `vector @@ …` as well: each row would have its (large) vector read, and the
            # planner, expecting few rows, would read every title hit instead of the newest few.
            # The kind is d.kind in the caller's condition; only exclusions need the full vector.
            titles = " & ".join(map(_term, plan.lookups))
            if plan.excluded:
                where = "d.title_vector @@ %s::tsquery AND d.vector @@ %s::tsquery"
                return Candidates(f"{TABLE} d", where, [titles, match])
            return Candidates(f"{TABLE} d", "d.title_vector @@ %s::tsquery", [titles])
        return Candidates(
            f"{TABLE} d", "d.vector @@ %s::tsquery", [_with_kinds(match, kinds) if kinds else match]
        )

    def broad_guard(self, plan):
        # All kinds at once, which most queries leave at that: with each kind's token as well,
        # every count would read that kind's long posting list too.
        return _capped(), [_match(plan)]

    def broad_counts(self, plan, *, now):
        match = _match(plan)
        kinds = ("article", "community", "organization")
        # Only asked once the guard found more candidates than RANK_LIMIT.
        counts = list(
            self.rows(
                "SELECT " + ", ".join([_capped()] * len(kinds)),
                [_with_kinds(match, (k,)) for k in kinds],
            )[0]
        )
        if sum(counts) <= base.RANK_LIMIT:
            return None
        page = RawPage(counts=dict(zip(kinds, counts, strict=True)))
        page.lower_bound = {k for k, n in page.counts.items() if n > base.RANK_LIMIT}
        scheduled = (
            f"SELECT d.kind, count(*) FROM {TABLE} d WHERE d.visible_from > %s "
            "AND d.vector @@ %s::tsquery GROUP BY d.kind"
        )
        self.subtract_scheduled(page, scheduled, [match], now)
        return page

    # The planner does not know that `vector @@` on a sequential scan reads each row's vector
    # from TOAST: for a common word it would rather scan the table than use the GIN index.
    # Switched off for the search's own statements only (set_config's is_local). A plan that
    # must scan all the same (a query of punctuation, which no index can look up) then costs
    # more than jit_above_cost, and compiling it took far longer than running it: JIT off too.
    # Sent with each statement: several statements in one query string are one transaction,
    # which ends with the statement, so the settings need no round trips of their own.
    settings_sql = (
        "SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true);\n"
    )
    fence = "OFFSET 0"

    @contextmanager
    def session(self) -> Iterator[None]:
        if connection.get_autocommit() and not connection.in_atomic_block:
            yield
            return
        # In a caller's transaction the settings would last until it ends: the search writes
        # nothing, so it runs in a savepoint rolled back at its end, which puts them back.
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
