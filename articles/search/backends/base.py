"""How both search backends work, and what they share (sqlite.py and postgres.py fill in the SQL).

They work on the index table ``articles_searchdocument`` (see ../models.py) in the same steps:

1. Candidates from the database's full-text index: every piece of every term (FTS5 MATCH on
   SQLite, ``@@`` over the GIN-indexed tsvector on PostgreSQL). A query of punctuation only has
   no pieces: then every document is a candidate (a scan, as slow as LIKE, still exact).
2. Exactness: where the index cannot tell by itself whether the text contains a term, the
   candidates' normalised text is checked (``instr``/``strpos`` on ``norm``): results equal a
   substring scan. SQLite's index keeps positions, so a run of Han characters is looked up as a
   phrase of its bigrams and needs no check; PostgreSQL caps positions at 16,383, so there a run
   longer than two characters is an AND of bigrams plus the check.
3. Order. Up to ``RANK_LIMIT`` candidates ("ranked"): first by how many terms the title holds,
   then by BM25 (SQLite) or ts_rank (PostgreSQL), title weighted above source and tags, those
   above the body; counts and facet counts are exact.

   More candidates than that ("broad": a word in a large part of the archive): results whose
   title holds every term first, each group newest (highest id) first, read straight off the
   index and stopped after one page; no facet counts. Counts come from the index alone: on
   SQLite exact, or an upper bound where step 2 needed a check (``approximate``); on PostgreSQL,
   where counting reads every matching row, counting stops past RANK_LIMIT (``lower_bound``).
   Scoring tens of thousands of documents for one page is what made such queries slow (0.1–1 s
   at 100 000 documents), and a common word's scores hardly differ anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection

from articles.search.tokens import MAX_QUERY_TOKENS, Piece, Query

__all__ = ["RANK_LIMIT", "Backend", "Filters", "Plan", "RawPage", "budget", "kind_token"]

TABLE = "articles_searchdocument"
FTS_TABLE = "articles_searchindex"
GIN_INDEX = "articles_searchdocument_vector_gin"
TITLE_GIN_INDEX = "articles_searchdocument_title_gin"

#: More candidates than this and a query is "broad" (see the module doc).
RANK_LIMIT = 1000
# FTS5 column weights for bm25() in column order tok_title, tok_meta, tok_body, tok_sub: a title
# hit counts most; word suffixes (tok_sub, with the kind token) exist only to be found.
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
    #: Counts are upper bounds (a broad query whose terms need the substring check).
    approximate: bool = False
    #: Broad query: ordered by title then newest, no facet counts.
    broad: bool = False
    #: Kinds whose count is only known to exceed the number given (PostgreSQL, broad queries).
    lower_bound: set[str] = field(default_factory=set)


@dataclass
class Plan:
    """How one query goes to one database's index."""

    match: str = ""  # the index condition for all terms ("" when nothing can be looked up)
    title: str = ""  # the same, restricted to the title
    checks: list[tuple[str, bool]] = field(default_factory=list)  # (term, must occur) by substring
    titles: list[str] = field(default_factory=list)  # positive terms, for the title tier
    excludes: bool = False  # ``match`` excludes terms itself (NOT / !)


class Backend:
    vendor = ""
    contains = ""  # SQL: position of %s in {} (0 if absent)

    # --- writing ---------------------------------------------------------------------------------

    def document_columns(
        self, *, kind: str, title: list[str], meta: list[str], body: list[str], sub: list[str]
    ) -> dict[str, object]:
        raise NotImplementedError

    def after_rebuild(self) -> None:
        """Tidy the index after writing every row (FTS5 segments merged, planner statistics)."""

    # --- the query, per database -----------------------------------------------------------------

    def plan(self, query: Query) -> Plan:
        raise NotImplementedError

    def match_from(self, plan: Plan, match: str) -> tuple[str, str, list]:
        """(FROM clause, WHERE condition, params) for documents ``d`` matching ``match``."""
        raise NotImplementedError

    def rank_sql(self, plan: Plan) -> tuple[str, list]:
        raise NotImplementedError

    def with_kinds(self, match: str, kinds: tuple[str, ...]) -> str:
        raise NotImplementedError

    def index_count(self, match: str) -> int:
        """Documents matching in the index; may stop counting past RANK_LIMIT."""
        raise NotImplementedError

    def broad_counts(self, plan: Plan) -> RawPage | None:
        """A page with the counts per kind if the query is broad (from the index alone), else
        None."""
        raise NotImplementedError

    def title_from(self, plan: Plan, kinds: tuple[str, ...]) -> tuple[str, str, list]:
        """Like match_from, for documents whose title (per the index) holds the terms."""
        raise NotImplementedError

    def scheduled_sql(self, match: str) -> tuple[str, list]:
        """Counts per kind of matching documents not visible before a moment (%s, first)."""
        raise NotImplementedError

    def order_by_id(self) -> str:
        """ORDER BY clause reading documents newest first off the index (broad queries)."""
        return "d.id DESC"

    def tag_filter_sql(self) -> str:
        raise NotImplementedError

    def tag_facet_from(self) -> str:
        raise NotImplementedError

    # --- shared SQL ------------------------------------------------------------------------------

    def _checks_sql(self, plan: Plan, now: datetime) -> tuple[str, list]:
        conds = ["(d.visible_from IS NULL OR d.visible_from <= %s)"]
        params: list = [connection.ops.adapt_datetimefield_value(now)]
        for text, present in plan.checks:
            conds.append(self.contains.format("d.norm") + (" > 0" if present else " = 0"))
            params.append(text)
        return " AND ".join(conds), params

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

    def _title_sql(self, plan: Plan) -> tuple[str, list]:
        """0/1 for each positive term the title holds, as a sum."""
        hit = "(" + self.contains.format("d.title_norm") + " > 0)"
        if self.vendor == "postgresql":
            hit += "::int"
        return " + ".join([hit] * len(plan.titles)) or "0", list(plan.titles)

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
        plan = self.plan(query)
        if plan.match and not filters:
            page = self.broad_counts(plan)
            if page is not None:
                return self._broad(plan, page, kinds=kinds, offset=offset, limit=limit, now=now)
        return self._ranked(plan, kinds=kinds, filters=filters, offset=offset, limit=limit, now=now)

    def _ranked(self, plan, *, kinds, filters, offset, limit, now) -> RawPage:
        from_sql, match, params = self.match_from(plan, plan.match)
        checks, cparams = self._checks_sql(plan, now)
        fsql, fparams = self._filters_sql(filters)
        where = f"{match} AND {checks} AND (d.kind <> 'article' OR ({fsql}))"
        wparams = [*params, *cparams, *fparams]
        page = RawPage()
        # Counts per kind and facet counts: the matches are found once (materialised) and grouped
        # five ways, in one round trip.
        aggregate = f"""
            WITH m AS MATERIALIZED (
                SELECT d.kind, d.issue_year, d.issue_number, d.section, d.source, d.tags
                FROM {from_sql} WHERE {where}
            )
            SELECT 'kind', kind, count(*) FROM m GROUP BY kind
            UNION ALL
            SELECT 'issue', CAST(issue_year AS TEXT) || '-' || CAST(issue_number AS TEXT), count(*)
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
        title_sql, title_params = self._title_sql(plan)
        rank_sql, rank_params = self.rank_sql(plan)
        marks = ", ".join(["%s"] * len(kinds))
        ranked = f"""
            SELECT d.id, {title_sql} AS tier, {rank_sql} AS r
            FROM {from_sql}
            WHERE {where} AND d.kind IN ({marks})
            ORDER BY tier DESC, r DESC, d.id
            LIMIT %s OFFSET %s
        """
        with connection.cursor() as cursor:
            cursor.execute(aggregate, wparams)
            for group, key, count in cursor.fetchall():
                if group == "kind":
                    page.counts[key] = count
                else:
                    page.facets.setdefault(group, []).append((key, count))
            if sum(page.counts.get(k, 0) for k in kinds) > offset:
                cursor.execute(
                    ranked, [*title_params, *rank_params, *wparams, *kinds, limit, offset]
                )
                rows = [(i, int(tier), max(float(r), 0.0)) for i, tier, r in cursor.fetchall()]
                page.rows = [(i, tier + r / (1.0 + r)) for i, tier, r in rows]
        for values in page.facets.values():
            values.sort(key=lambda kv: (-kv[1], kv[0]))
        return page

    def _broad(self, plan, page, *, kinds, offset, limit, now) -> RawPage:
        checks, cparams = self._checks_sql(plan, now)
        # The title is part of the text: a title holding a term settles that check.
        excludes = Plan(checks=[c for c in plan.checks if not c[1]])
        title_checks, title_cparams = self._checks_sql(excludes, now)
        title_sql, title_params = self._title_sql(plan)
        every = f"({title_sql}) = {len(plan.titles)}"
        marks = ", ".join(["%s"] * len(kinds))

        def rows(title_first: bool, count: bool = False):
            if title_first:
                from_sql, cond, params = self.title_from(plan, kinds)
                checks_sql, checks_params = title_checks, title_cparams
            else:
                from_sql, cond, params = self.match_from(plan, self.with_kinds(plan.match, kinds))
                checks_sql, checks_params = checks, cparams
            tier = every if title_first else f"NOT {every}"
            select = "count(*)" if count else "d.id"
            tail = "" if count else f"ORDER BY {self.order_by_id()} LIMIT %s OFFSET %s"
            sql = f"""
                SELECT {select} FROM {from_sql}
                WHERE {cond} AND {checks_sql} AND {tier} AND d.kind IN ({marks}) {tail}
            """
            return sql, [*params, *checks_params, *title_params, *kinds]

        with connection.cursor() as cursor:
            # Scheduled documents (few) are in the index before they are visible.
            later, later_params = self.scheduled_sql(plan.match)
            cursor.execute(later, [connection.ops.adapt_datetimefield_value(now), *later_params])
            for kind, n in cursor.fetchall():
                if kind not in page.lower_bound:
                    page.counts[kind] -= n
            # Title hits first, read newest first straight off the index; then the others.
            sql, p = rows(True)
            cursor.execute(sql, [*p, limit, offset])
            ids = [(i, 1.0) for (i,) in cursor.fetchall()]
            if len(ids) < limit:
                if ids or offset == 0:
                    in_title = offset + len(ids)
                else:  # a page past the title hits: how many were there?
                    sql, p = rows(True, count=True)
                    cursor.execute(sql, p)
                    in_title = cursor.fetchone()[0]
                sql, p = rows(False)
                cursor.execute(sql, [*p, limit - len(ids), max(0, offset - in_title)])
                ids += [(i, 0.0) for (i,) in cursor.fetchall()]
        page.rows = ids
        return page


def budget(pieces: tuple[Piece, ...]) -> tuple[list[Piece], bool]:
    """The pieces to look up, at most MAX_QUERY_TOKENS lookups, and whether that is all of them.

    A pasted paragraph would otherwise be a query of hundreds of lookups. What is cut only widens
    the candidates (the substring check then decides); a run stays consecutive bigrams (a valid
    phrase): its beginning and its end are kept.
    """
    cost = sum(1 if p.prefix else len(p.bigrams) for p in pieces)
    if cost <= MAX_QUERY_TOKENS:
        return list(pieces), True
    kept = [p for p in pieces if p.prefix][: MAX_QUERY_TOKENS // 4]
    runs = [p.bigrams for p in pieces if not p.prefix]
    room = MAX_QUERY_TOKENS - len(kept)
    if runs:
        head = runs[0][: room // 2]
        kept += [Piece(bigrams=head), Piece(bigrams=runs[-1][-(room - len(head)) :])]
    return kept, False


def kind_token(kind: str) -> str:
    """The index token of a document's kind: U+E000 and the kind. Tokens from text are letters,
    digits and CJK (tokens.py), never a private-use character, so no text matches it."""
    return "\ue000" + kind
