"""The SQLite backend: an FTS5 table over the token columns (see migration articles.0002)."""

from __future__ import annotations

from django.db import connection

from core.tokens import Term
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

FTS_TABLE = "articles_searchindex"


def _fts_string(token: str) -> str:
    # Tokens are letters, digits or CJK (tokens.py); quoted as an FTS5 string all the same, so that
    # nothing a user types can become FTS5 syntax.
    return '"' + token.replace('"', '""') + '"'


def _term(term: Term) -> str:
    """A term as FTS5: a run is a phrase of its bigrams (adjacent in the document), a lone
    character or a word a prefix query."""
    parts = [
        _fts_string(p.prefix) + " *" if p.prefix else _fts_string(" ".join(p.bigrams))
        for p in budget(term.pieces)[0]
    ]
    return "(" + " AND ".join(parts) + ")"


def _match(plan: Plan) -> str:
    return " AND ".join(map(_term, plan.lookups)) + "".join(
        f" NOT {_term(t)}" for t in plan.excluded
    )


def _with_kinds(match: str, kinds: tuple[str, ...]) -> str:
    return f"({match}) AND (" + " OR ".join(_fts_string(kind_token(k)) for k in kinds) + ")"


def _count(match: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])
        return cursor.fetchone()[0]


class SqliteBackend(Backend):
    phrases = True
    contains = "instr({}, %s)"
    # A text's length() counts characters, reading all of it; a blob's is its size.
    octets = "length(CAST({} AS BLOB))"
    least = "min({})"
    has_tag = "EXISTS (SELECT 1 FROM json_each(d.tags) WHERE json_each.value = %s)"
    each_tag = "m, json_each(m.tags) AS t"

    def columns(self, *, kind, title, meta, body, sub):
        return {
            "tok_title": " ".join(title),
            "tok_meta": " ".join(meta),
            "tok_body": " ".join(body),
            "tok_sub": " ".join([*sub, kind_token(kind)]),
        }

    def after_rebuild(self):
        with connection.cursor() as cursor:
            # Many small writes leave many index segments; one merged b-tree is faster to query.
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
            cursor.execute(f"ANALYZE {TABLE}")

    def missing(self):
        # The FTS table and the triggers that keep it in step with the rows (a migration that
        # rebuilds the table drops them).
        wanted = [FTS_TABLE, f"{FTS_TABLE}_ai", f"{FTS_TABLE}_ad", f"{FTS_TABLE}_au"]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name IN "
                "(%s, %s, %s, %s)",
                wanted,
            )
            found = {row[0] for row in cursor.fetchall()}
        return [name for name in wanted if name not in found]

    def candidates(self, plan, *, kinds=(), title=False):
        if not plan.lookups:
            return Candidates(f"{TABLE} d", "1 = 1", [])
        match = _match(plan)
        if title:
            titles = " AND ".join(map(_term, plan.lookups))
            match = "{tok_title} : (" + titles + ") AND (" + match + ")"
        if kinds:
            match = _with_kinds(match, kinds)
        return Candidates(
            f"{FTS_TABLE} JOIN {TABLE} d ON d.id = {FTS_TABLE}.rowid",
            f"{FTS_TABLE} MATCH %s",
            [match],
            # The FTS5 table hands out rowids in order, so LIMIT stops the scan after one page.
            newest=f"{FTS_TABLE}.rowid DESC",
        )

    def broad_counts(self, plan, *, now):
        match = _match(plan)
        total = _count(match)
        if total <= base.RANK_LIMIT:
            return None
        # FTS5 counts even a common word's documents in a few milliseconds. Articles by
        # subtraction: intersecting a common word with the few communities and organisations is
        # quick, with (at scale) the many articles it is not.
        page = RawPage()
        for kind in ("community", "organization"):
            page.counts[kind] = _count(_with_kinds(match, (kind,)))
        page.counts["article"] = total - page.counts["community"] - page.counts["organization"]
        # Driven by the (partial) index on visible_from: few rows, each looked up in the FTS table.
        # (Left to itself the planner reads the whole table in kind order, for the GROUP BY.)
        scheduled = f"""SELECT d.kind, count(*) FROM {TABLE} d INDEXED BY searchdocument_scheduled
            WHERE d.visible_from > %s AND EXISTS (
                SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = d.id
            ) GROUP BY d.kind"""
        self.subtract_scheduled(page, scheduled, [match], now)
        return page
