"""The search SQL, one backend per database; nothing outside articles/search knows which is in use.

Both do the same three things over the index table ``articles_searchdocument`` (see models.py):

1. Find candidates with the database's full-text index: every token of the query, ANDed (FTS5 MATCH
   on SQLite, ``@@`` over the GIN-indexed tsvector on PostgreSQL). A query of punctuation only
   has no tokens: then every document is a candidate (a scan, as slow as LIKE, still exact).
2. Keep the candidates whose normalised text really contains each term and none of the excluded
   ones (``instr``/``strpos`` on ``norm``): the result equals a substring scan.
3. Rank: first by how many terms the title contains, then by BM25 (SQLite) or ts_rank (PostgreSQL)
   with the title weighted above source and tags, and those above the body.

One statement returns the counts per kind and the facet counts, a second the ranked page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection

from articles.search.tokens import Query

__all__ = ["Backend", "Filters", "RawPage", "get_backend"]

TABLE = "articles_searchdocument"
FTS_TABLE = "articles_searchindex"
GIN_INDEX = "articles_searchdocument_vector_gin"

# FTS5 column weights for bm25() in column order tok_title, tok_meta, tok_body, tok_sub: a title
# hit counts most; word suffixes (tok_sub) exist only so that a part of a word is found at all.
BM25_WEIGHTS = (10.0, 4.0, 1.0, 0.2)
# ts_rank weights {D, C, B, A}: suffixes, body, source and tags, title (PostgreSQL's order).
TS_WEIGHTS = "{0.02, 0.2, 0.4, 1.0}"


@dataclass(frozen=True)
class Filters:
    """Facet filters; they narrow articles only (communities have no issue, section or tag)."""

    issue: tuple[int, int] | None = None
    section: str = ""
    source: str = ""
    tag: str = ""

    def __bool__(self) -> bool:
        return bool(self.issue or self.section or self.source or self.tag)


@dataclass
class RawPage:
    counts: dict[str, int] = field(default_factory=dict)
    # facet name → [(value, count)], values as stored ("2024-2" for an issue)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # (document id, score), best first
    rows: list[tuple[int, float]] = field(default_factory=list)


class Backend:
    vendor = ""
    #: SQL for "text contains term" and "title contains term" as a 0/1 number.
    contains = ""
    title_hit = ""
    text_cast = "CAST({} AS TEXT)"

    # --- writing ---------------------------------------------------------------------------------

    def document_columns(
        self, *, title: list[str], meta: list[str], body: list[str], sub: list[str]
    ) -> dict[str, object]:
        raise NotImplementedError

    # --- reading ---------------------------------------------------------------------------------

    def match_sql(self, query: Query) -> tuple[str, str, list]:
        """(FROM … clause, WHERE condition, params) selecting the index candidates ``d``."""
        raise NotImplementedError

    def rank_sql(self, query: Query) -> tuple[str, list]:
        """An expression, larger is better, for rows of ``match_sql``."""
        raise NotImplementedError

    def tag_filter_sql(self) -> str:
        raise NotImplementedError

    def tag_facet_from(self) -> str:
        raise NotImplementedError

    def index_present(self) -> bool:
        raise NotImplementedError

    def _where(self, query: Query, *, now: datetime) -> tuple[str, str, list]:
        from_sql, match, params = self.match_sql(query)
        conds = [match, "(d.visible_from IS NULL OR d.visible_from <= %s)"]
        params.append(connection.ops.adapt_datetimefield_value(now))
        for term in query.terms:
            if term.negative:
                conds.append(self.contains.format("d.norm") + " = 0")
                params.append(term.text)
            elif not term.exact:
                conds.append(self.contains.format("d.norm") + " > 0")
                params.append(term.text)
        return from_sql, " AND ".join(conds), params

    def _filters_sql(self, filters: Filters) -> tuple[str, list]:
        conds: list[str] = []
        params: list = []
        if filters.issue:
            conds.append("d.issue_year = %s AND d.issue_number = %s")
            params.extend(filters.issue)
        if filters.section:
            conds.append("d.section = %s")
            params.append(filters.section)
        if filters.source:
            conds.append("d.source = %s")
            params.append(filters.source)
        if filters.tag:
            conds.append(self.tag_filter_sql())
            params.append(filters.tag)
        return (" AND ".join(conds) or "1 = 1"), params

    def _tier_sql(self, query: Query) -> tuple[str, list]:
        terms = [t.text for t in query.positive]
        sql = " + ".join([self.title_hit] * len(terms)) or "0"
        return sql, terms

    def search(
        self,
        *,
        query: Query,
        kinds: tuple[str, ...],
        filters: Filters,
        offset: int,
        limit: int,
        now: datetime,
    ) -> RawPage:
        from_sql, where, params = self._where(query, now=now)
        fsql, fparams = self._filters_sql(filters)
        ok = f"(d.kind <> 'article' OR ({fsql}))"
        page = RawPage()
        cast = self.text_cast
        # Counts per kind and facet counts: the matches are found once (materialised) and grouped
        # five ways, in one round trip.
        aggregate = f"""
            WITH m AS MATERIALIZED (
                SELECT d.kind, d.issue_year, d.issue_number, d.section, d.source, d.tags
                FROM {from_sql} WHERE {where} AND {ok}
            )
            SELECT 'kind', kind, count(*) FROM m GROUP BY kind
            UNION ALL
            SELECT 'issue', {cast.format("issue_year")} || '-' || {cast.format("issue_number")},
                   count(*)
            FROM m WHERE kind = 'article' AND issue_year IS NOT NULL
            GROUP BY issue_year, issue_number
            UNION ALL
            SELECT 'section', section, count(*) FROM m
            WHERE kind = 'article' AND section <> '' GROUP BY section
            UNION ALL
            SELECT 'source', source, count(*) FROM m
            WHERE kind = 'article' AND source <> '' GROUP BY source
            UNION ALL
            SELECT 'tag', t.value, count(*) FROM {self.tag_facet_from()}
            WHERE kind = 'article' GROUP BY t.value
        """
        tier_sql, tier_params = self._tier_sql(query)
        rank_sql, rank_params = self.rank_sql(query)
        kind_marks = ", ".join(["%s"] * len(kinds))
        ranked = f"""
            SELECT d.id, {tier_sql} AS tier, {rank_sql} AS r
            FROM {from_sql}
            WHERE {where} AND {ok} AND d.kind IN ({kind_marks})
            ORDER BY tier DESC, r DESC, d.id
            LIMIT %s OFFSET %s
        """
        with connection.cursor() as cursor:
            cursor.execute(aggregate, [*params, *fparams])
            for group, key, count in cursor.fetchall():
                if group == "kind":
                    page.counts[key] = count
                else:
                    page.facets.setdefault(group, []).append((key, count))
            if sum(page.counts.get(k, 0) for k in kinds) > offset:
                cursor.execute(
                    ranked,
                    [*tier_params, *rank_params, *params, *fparams, *kinds, limit, offset],
                )
                rows = [(i, int(tier), max(float(r), 0.0)) for i, tier, r in cursor.fetchall()]
                page.rows = [(i, tier + r / (1.0 + r)) for i, tier, r in rows]
        for values in page.facets.values():
            values.sort(key=lambda kv: (-kv[1], kv[0]))
        return page


class SqliteBackend(Backend):
    vendor = "sqlite"
    contains = "instr({}, %s)"
    title_hit = "(instr(d.title_norm, %s) > 0)"

    def document_columns(self, *, title, meta, body, sub):
        return {
            "tok_title": " ".join(title),
            "tok_meta": " ".join(meta),
            "tok_body": " ".join(body),
            "tok_sub": " ".join(sub),
        }

    def match_sql(self, query):
        if not query.indexed:
            return f"{TABLE} d", "1 = 1", []
        tokens, prefixes = query.index_tokens()
        # Every token is letters, digits or CJK (see tokens.py), quoted as an FTS5 string: nothing
        # a user types can become FTS5 syntax.
        expr = " AND ".join([f'"{t}"' for t in tokens] + [f'"{p}" *' for p in prefixes])
        return (
            f"{FTS_TABLE} JOIN {TABLE} d ON d.id = {FTS_TABLE}.rowid",
            f"{FTS_TABLE} MATCH %s",
            [expr],
        )

    def rank_sql(self, query):
        if not query.indexed:
            return "0.0", []
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        # bm25() is smaller for better matches; negated so that larger is better, as on PostgreSQL.
        return f"-bm25({FTS_TABLE}, {weights})", []

    def tag_filter_sql(self):
        return "EXISTS (SELECT 1 FROM json_each(d.tags) WHERE json_each.value = %s)"

    def tag_facet_from(self):
        return "m, json_each(m.tags) AS t"

    def index_present(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = %s AND sql LIKE %s",
                [FTS_TABLE, "%fts5%"],
            )
            return cursor.fetchone()[0] == 1


# tsvector limits: positions above 16383 are stored as 16383, at most 256 positions per lexeme,
# and the whole value must stay under 1 MB.
_MAX_POS = 16383
_MAX_POSITIONS = 255
_MAX_VECTOR_BYTES = 900_000


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(*, title: list[str], meta: list[str], body: list[str], sub: list[str]) -> str:
    """A tsvector in its text form with positions and weights, e.g. ``'产教':1A '教融':2A,9C``.

    Written as a literal (and cast) rather than made by to_tsvector(): PostgreSQL's text-search
    parser depends on the database's locale and could split or drop CJK tokens.
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
    return " ".join(f"{_lexeme(t)}:{','.join(p)}" for t, p in positions.items())


class PostgresBackend(Backend):
    vendor = "postgresql"
    contains = "strpos({}, %s)"
    title_hit = "(strpos(d.title_norm, %s) > 0)::int"

    def document_columns(self, *, title, meta, body, sub):
        return {"vector": tsvector_literal(title=title, meta=meta, body=body, sub=sub)}

    def _tsquery(self, query: Query) -> str:
        tokens, prefixes = query.index_tokens()
        return " & ".join([_lexeme(t) for t in tokens] + [f"{_lexeme(p)}:*" for p in prefixes])

    def match_sql(self, query):
        if not query.indexed:
            return f"{TABLE} d", "1 = 1", []
        return f"{TABLE} d", "d.vector @@ %s::tsquery", [self._tsquery(query)]

    def rank_sql(self, query):
        if not query.indexed:
            return "0.0", []
        # Normalisation 1: divide by 1 + log(length), so a long article does not win by length.
        return f"ts_rank('{TS_WEIGHTS}', d.vector, %s::tsquery, 1)", [self._tsquery(query)]

    def tag_filter_sql(self):
        return "d.tags @> jsonb_build_array(%s::text)"

    def tag_facet_from(self):
        return "m, jsonb_array_elements_text(m.tags) AS t"

    def index_present(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = %s", [GIN_INDEX])
            return cursor.fetchone()[0] == 1


_BACKENDS = {"sqlite": SqliteBackend, "postgresql": PostgresBackend}


def get_backend() -> Backend:
    """The backend for the default database; ImproperlyConfigured-like error for any other."""
    try:
        return _BACKENDS[connection.vendor]()
    except KeyError:
        raise NotImplementedError(
            f"Search supports SQLite and PostgreSQL, not {connection.vendor}"
        ) from None
