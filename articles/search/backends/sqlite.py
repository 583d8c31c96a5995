"""The SQLite backend: an FTS5 table over the token columns (see migration articles.0002)."""

from __future__ import annotations

from django.db import connection

from articles.search.backends import base
from articles.search.backends.base import (
    BM25_WEIGHTS,
    FTS_TABLE,
    TABLE,
    Backend,
    Plan,
    RawPage,
    budget,
    kind_token,
)
from articles.search.tokens import Query, Term

# --- SQLite --------------------------------------------------------------------------------------


def _fts_string(token: str) -> str:
    # Tokens are letters, digits or CJK (tokens.py); quoted as an FTS5 string all the same, so that
    # nothing a user types can become FTS5 syntax.
    return '"' + token.replace('"', '""') + '"'


class SqliteBackend(Backend):
    vendor = "sqlite"
    contains = "instr({}, %s)"

    def document_columns(self, *, kind, title, meta, body, sub):
        return {
            "tok_title": " ".join(title),
            "tok_meta": " ".join(meta),
            "tok_body": " ".join(body),
            "tok_sub": " ".join([*sub, kind_token(kind)]),
        }

    def _term_expr(self, term: Term) -> tuple[str, bool]:
        """(FTS5 expression, exact?) for one term: a run is a phrase of its bigrams (adjacent
        in the document), a lone character or a word a prefix query."""
        pieces, whole = budget(term.pieces)
        parts = [
            _fts_string(p.prefix) + " *" if p.prefix else _fts_string(" ".join(p.bigrams))
            for p in pieces
        ]
        return "(" + " AND ".join(parts) + ")", term.one_piece and whole

    def plan(self, query: Query) -> Plan:
        plan = Plan(titles=[t.text for t in query.positive])
        positive: list[str] = []
        title: list[str] = []
        negative: list[str] = []
        for term in query.terms:
            if not term.indexed:
                plan.checks.append((term.text, not term.negative))
                continue
            expr, exact = self._term_expr(term)
            if term.negative:
                if exact:
                    negative.append(expr)
                else:
                    plan.checks.append((term.text, False))
                continue
            positive.append(expr)
            title.append(expr)
            if not exact:
                plan.checks.append((term.text, True))
        plan.excludes = bool(negative)
        if positive:
            plan.match = " AND ".join(positive) + "".join(f" NOT {n}" for n in negative)
            plan.title = "{tok_title} : (" + " AND ".join(title) + ") AND (" + plan.match + ")"
        return plan

    def match_from(self, plan, match):
        if not match:
            return f"{TABLE} d", "1 = 1", []
        return (
            f"{FTS_TABLE} JOIN {TABLE} d ON d.id = {FTS_TABLE}.rowid",
            f"{FTS_TABLE} MATCH %s",
            [match],
        )

    def with_kinds(self, match, kinds):
        return f"({match}) AND (" + " OR ".join(_fts_string(kind_token(k)) for k in kinds) + ")"

    def index_count(self, match):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])
            return cursor.fetchone()[0]

    def broad_counts(self, plan):
        total = self.index_count(plan.match)
        if total <= base.RANK_LIMIT:
            return None
        # FTS5 counts even a common word's documents in a few milliseconds. Articles by
        # subtraction: intersecting a common word with the few communities and organisations is
        # quick, with (at scale) the many articles it is not.
        page = RawPage(broad=True, approximate=bool(plan.checks))
        for kind in ("community", "organization"):
            page.counts[kind] = self.index_count(self.with_kinds(plan.match, (kind,)))
        page.counts["article"] = total - page.counts["community"] - page.counts["organization"]
        return page

    def title_from(self, plan, kinds):
        return self.match_from(plan, self.with_kinds(plan.title, kinds))

    def scheduled_sql(self, match):
        # Driven by the (partial) index on visible_from: few rows, each looked up in the FTS table.
        # (Left to itself the planner reads the whole table in kind order, for the GROUP BY.)
        return (
            f"""SELECT d.kind, count(*) FROM {TABLE} d INDEXED BY searchdocument_scheduled
            WHERE d.visible_from > %s AND EXISTS (
                SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = d.id
            ) GROUP BY d.kind""",
            [match],
        )

    def order_by_id(self):
        # The FTS5 table hands out rowids in order, so LIMIT stops the scan after one page.
        return f"{FTS_TABLE}.rowid DESC"

    def rank_sql(self, plan):
        if not plan.match:
            return "0.0", []
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        # bm25() is smaller for better matches; negated so that larger is better, as on PostgreSQL.
        return f"-bm25({FTS_TABLE}, {weights})", []

    def after_rebuild(self):
        with connection.cursor() as cursor:
            # Many small writes leave many index segments; one merged b-tree is faster to query.
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
            cursor.execute(f"ANALYZE {TABLE}")

    def tag_filter_sql(self):
        return "EXISTS (SELECT 1 FROM json_each(d.tags) WHERE json_each.value = %s)"

    def tag_facet_from(self):
        return "m, json_each(m.tags) AS t"
