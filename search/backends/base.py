"""How both search backends work, and what they share (sqlite.py and postgres.py say how their
index is written and asked; everything else is here, once).

They work on the index table ``articles_searchdocument`` (see ../models.py) in the same steps:

1. Candidates from the database's full-text index: every piece of every term (FTS5 MATCH on
   SQLite, ``@@`` over the GIN-indexed tsvector on PostgreSQL). A query of punctuation only has
   no pieces: then every document is a candidate (a scan, as slow as LIKE, still exact).
2. Exactness: where the index cannot tell by itself whether the text contains a term, the
   candidates' normalised text is checked (``instr``/``strpos`` on the head, then on the body):
   results equal a substring scan. SQLite's index keeps positions, so a run of Han characters is
   looked up as a phrase of its bigrams and needs no check; PostgreSQL caps positions at 16,383,
   so there a run longer than two characters is an AND of bigrams plus the check.
3. Order. Up to ``RANK_LIMIT`` candidates ("ranked"): title hits, then source and tag hits,
   then the rest; within each, by how often and how early the body says the terms; then newest
   (ranking.py has the rule and its SQL); counts and facet counts are exact.

   More candidates than that ("broad": a word in a large part of the archive): results whose
   title holds every term first, each group newest (highest id) first, read straight off the
   index and stopped after one page; no facet counts, and no source and tag tier (PostgreSQL has
   no index of the labels alone to read it off). Counts come from the index alone: on SQLite
   exact, or an upper bound where step 2 needed a check (``approximate``); on PostgreSQL, where
   counting reads every matching row, counting stops past RANK_LIMIT (``lower_bound``). Ranking
   every candidate of a common word for one page is what made such queries slow.

A backend differs only in writing a row's index columns (``columns``), in the candidate query
(``candidates``; ``broad_counts`` from the index alone; the ``session`` its statements run in),
in tidying after a rebuild, and in a few spellings of SQL (``contains``, ``octets``, ``least``,
``has_tag``, ``each_tag``). Planning a query (``make_plan``) and the ranked and broad SQL are
written here once.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.db import connection

from core.tokens import MAX_QUERY_TOKENS, Piece, Query, Term
from search.backends import ranking

__all__ = [
    "RANK_LIMIT",
    "ROW_FIELDS",
    "TABLE",
    "Backend",
    "Candidates",
    "Filters",
    "Plan",
    "RawPage",
    "Row",
    "budget",
    "kind_token",
    "make_plan",
]

TABLE = "articles_searchdocument"

#: More candidates than this and a query is "broad" (see the module doc).
RANK_LIMIT = 1000


class Row(NamedTuple):
    """What a result shows of its index row, read with the page (``RawPage.docs``)."""

    kind: str
    object_id: int
    title: str
    location: str
    issue_year: int | None
    issue_number: int | None
    number: str
    text: str


ROW_FIELDS = Row._fields


@dataclass(frozen=True)
class Filters:
    """Facet filters; they narrow articles only (communities have no issue, section or tag)."""

    issue: tuple[int, int] | None = None
    section: str = ""
    source: str = ""
    place: str = ""
    tag: str = ""

    def __bool__(self) -> bool:
        return bool(self.issue or self.section or self.source or self.place or self.tag)


@dataclass
class RawPage:
    counts: dict[str, int] = field(default_factory=dict)
    # facet name → [(value, count)], values as stored ("2024-2" for an issue)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # (document id, score), best first
    rows: list[tuple[int, float]] = field(default_factory=list)
    #: Document id → where its body first says a term (0-based, normalised text), where known:
    #: a hint for the snippet, which cuts the original text.
    firsts: dict[int, int] = field(default_factory=dict)
    #: Document id → its row's fields (the page's rows, read with them).
    docs: dict[int, Row] = field(default_factory=dict)
    #: Counts are upper bounds (a broad query whose terms need the substring check).
    approximate: bool = False
    #: Broad query: ordered by title then newest, no facet counts.
    broad: bool = False
    #: Kinds whose count is only known to exceed the number given (PostgreSQL, broad queries).
    lower_bound: set[str] = field(default_factory=set)


@dataclass
class Plan:
    """How one query goes to the index: what the index looks up, what the text check settles."""

    lookups: list[Term] = field(default_factory=list)  # positive terms: all must match
    excluded: list[Term] = field(default_factory=list)  # negative terms the index excludes exactly
    checks: list[tuple[str, bool]] = field(default_factory=list)  # (term, must occur) by substring
    titles: list[str] = field(default_factory=list)  # positive terms, for the title tier


def make_plan(query: Query, *, phrases: bool) -> Plan:
    """Which terms the index settles alone and which the substring check decides.

    ``phrases``: the index keeps positions, so a term of one run is a phrase and exact
    (SQLite); otherwise only a term of one or two characters or one word is (PostgreSQL).
    """
    plan = Plan(titles=[t.text for t in query.positive])
    for term in query.terms:
        if not term.indexed:
            plan.checks.append((term.text, not term.negative))
            continue
        exact = (term.one_piece if phrases else term.exact) and budget(term.pieces)[1]
        if term.negative:
            if exact:
                plan.excluded.append(term)
            else:
                plan.checks.append((term.text, False))
            continue
        plan.lookups.append(term)
        if not exact:
            plan.checks.append((term.text, True))
    if not plan.lookups:
        # Nothing to look up (a punctuation-only query), so every document is a candidate and an
        # exclusion can only be the check.
        plan.checks += [(t.text, False) for t in plan.excluded]
        plan.excluded = []
    return plan


@dataclass(frozen=True)
class Candidates:
    """The documents ``d`` the index finds: ``FROM {tables} WHERE {where}`` with ``params``."""

    tables: str
    where: str
    params: list
    #: ORDER BY reading the candidates newest first straight off the index (broad queries).
    newest: str = "d.id DESC"


class Backend:
    """What one database does its own way; ``search()`` is the same for both."""

    #: The index keeps positions: a run of Han characters is looked up as a phrase (see make_plan).
    phrases = False
    # SQL spelled differently: the position of %s in {} (1-based, 0 if absent); the length of {}
    # in bytes; the least of {} (several values); the article's tags hold %s; each of a match m's
    # tags as t.value (a FROM clause).
    contains = ""
    octets = ""
    least = ""
    has_tag = ""
    each_tag = ""

    # --- writing ---------------------------------------------------------------------------------

    def columns(
        self, *, kind: str, title: list[str], meta: list[str], body: list[str], sub: list[str]
    ) -> dict[str, object]:
        """A row's index columns, from the tokens of its title, meta, body and word suffixes."""
        raise NotImplementedError

    def after_rebuild(self) -> None:
        """Tidy the index after writing every row (FTS5 segments merged, planner statistics)."""

    def after_bulk_write(self) -> None:
        """After writing many rows in one unit (a large import): what the planner needs."""

    def missing(self) -> list[str]:
        """The parts of the index the migrations make that the database lacks (system check)."""
        raise NotImplementedError

    # --- the candidate query ---------------------------------------------------------------------

    def candidates(
        self, plan: Plan, *, kinds: tuple[str, ...] = (), title: bool = False
    ) -> Candidates:
        """The documents the index finds for ``plan`` (every document if it looks nothing up);
        of ``kinds`` only, if given (by the index: the caller checks d.kind as well); with
        ``title``, only those whose title (per the index) holds the terms."""
        raise NotImplementedError

    def broad_counts(self, plan: Plan, *, now: datetime) -> RawPage | None:
        """If the query is broad (see the module doc), a page with the counts per kind of the
        documents visible at ``now``, from the index alone (and ``lower_bound``); else None."""
        raise NotImplementedError

    def broad_guard(self, plan: Plan) -> tuple[str, list] | None:
        """SQL of one number, more than RANK_LIMIT exactly when ``broad_counts`` finds the query
        broad, that the ranked query can read first and stop at (one round trip instead of two
        for a query that is not broad); None to ask ``broad_counts`` first."""
        return None

    #: Statements that set the planner up for the search's statement after them, sent with it
    #: in one round trip (``rows``); empty where the defaults serve.
    settings_sql = ""
    #: What ends a subquery the planner must plan as it is, not merged into the query around it.
    fence = ""

    def session(self) -> AbstractContextManager:
        """What the search's own statements run in (where their settings end)."""
        return nullcontext()

    def rows(self, sql: str, params: list) -> list[tuple]:
        """The rows of one of the search's statements, run after ``settings_sql`` in the same
        round trip."""
        with connection.cursor() as cursor:
            cursor.execute(self.settings_sql + sql, params)
            if self.settings_sql:
                cursor.nextset()
            return cursor.fetchall()

    def subtract_scheduled(self, page: RawPage, sql: str, params: list, now: datetime) -> None:
        """Take the matching documents not visible before ``now`` off the page's counts (except
        lower bounds). Such documents (few) are in the index before they are visible, and broad
        counts are read off the index. ``sql`` selects (kind, count), the moment its first
        parameter."""
        moment = connection.ops.adapt_datetimefield_value(now)
        for kind, n in self.rows(sql, [moment, *params]):
            if kind not in page.lower_bound:
                page.counts[kind] -= n

    # --- the search, the same for both ----------------------------------------------------------

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
        plan = make_plan(query, phrases=self.phrases)
        may_be_broad = bool(plan.lookups) and not filters
        guard = self.broad_guard(plan) if may_be_broad else None
        with self.session():
            if may_be_broad and guard is None:
                counts = self.broad_counts(plan, now=now)
                if counts is not None:
                    return self._broad(
                        plan, counts, kinds=kinds, offset=offset, limit=limit, now=now
                    )
            ranked = dict(kinds=kinds, filters=filters, offset=offset, limit=limit, now=now)
            page = self._ranked(plan, **ranked, guard=guard)
            if page is not None:
                return page
            # The guard found the query broad.
            counts = self.broad_counts(plan, now=now)
            if counts is None:
                return self._ranked(plan, **ranked)
            return self._broad(plan, counts, kinds=kinds, offset=offset, limit=limit, now=now)

    def _checks_sql(self, checks: list[tuple[str, bool]], now: datetime) -> tuple[str, list]:
        conds = ["(d.visible_from IS NULL OR d.visible_from <= %s)"]
        params: list = [connection.ops.adapt_datetimefield_value(now)]
        head, body = self.contains.format("d.head_norm"), self.contains.format("d.body_norm")
        for text, present in checks:
            conds.append(f"({head} > 0 OR {body} > 0)" if present else f"{head} = 0 AND {body} = 0")
            params += [text, text]
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
        if filters.place:
            conds.append("d.place = %s")
            params.append(filters.place)
        if filters.tag:
            conds.append(self.has_tag)
            params.append(filters.tag)
        return (" AND ".join(conds) or "1 = 1"), params

    @property
    def spelling(self) -> ranking.Spelling:
        return ranking.Spelling(position=self.contains, octets=self.octets, least=self.least)

    def _ranked(self, plan, *, kinds, filters, offset, limit, now, guard=None) -> RawPage | None:
        found = self.candidates(plan)
        checks, cparams = self._checks_sql(plan.checks, now)
        fsql, fparams = self._filters_sql(filters)
        where = f"{found.where} AND {checks} AND (d.kind <> 'article' OR ({fsql}))"
        matches = f"FROM {found.tables} WHERE {where}", [*found.params, *cparams, *fparams]
        aggregated = self._aggregate(plan, matches, kinds, guard)
        if aggregated is None:
            return None
        page, tiers = aggregated
        shown = ranking.page_tiers(tiers, offset, limit)
        if shown:
            sql, params = self._page_sql(plan, matches, kinds, shown)
            found_rows = self.rows(sql, [*params, limit, offset])
            page.rows = [
                (i, ranking.score(tier, n, first, len(plan.titles)))
                for i, tier, n, first, *_ in found_rows
            ]
            page.firsts = {i: f - 1 for i, _, _, f, *_ in found_rows if f < ranking.NOWHERE}
            page.docs = {row[0]: Row(*row[4:]) for row in found_rows}
        return page

    def _aggregate(self, plan, matches, kinds, guard) -> tuple[RawPage, dict[int, int]] | None:
        """Counts per kind and facet counts of the matches (``FROM … WHERE …`` and parameters),
        and how many of ``kinds`` there are in each tier: the matches are found once
        (materialised) and grouped seven ways, in one round trip. With a ``guard`` (see
        ``broad_guard``), its number first, and nothing else if it is over RANK_LIMIT: then
        None."""
        tier, tparams = ranking.tier_sql(plan.titles, self.spelling)
        gsql, gparams = guard or (f"{RANK_LIMIT}", [])
        # A condition of no row, so the database tests it once before the branch and never
        # reads the matches of a broad query.
        ranked = f"(SELECT n FROM g) <= {RANK_LIMIT}"
        sql = f"""
            WITH g AS (SELECT {gsql} AS n),
            m AS MATERIALIZED (
                SELECT d.kind, d.issue_year, d.issue_number, d.section, d.source, d.place, d.tags,
                    {tier} AS tier
                {matches[0]}
            )
            SELECT 'guard', '', n FROM g
            UNION ALL
            SELECT 'kind', kind, count(*) FROM m WHERE {ranked} GROUP BY kind
            UNION ALL
            SELECT 'tier', kind || ' ' || CAST(tier AS TEXT), count(*) FROM m WHERE {ranked}
            GROUP BY kind, tier
            UNION ALL
            SELECT 'issue', CAST(issue_year AS TEXT) || '-' || CAST(issue_number AS TEXT), count(*)
            FROM m WHERE {ranked} AND kind = 'article' AND issue_year IS NOT NULL
            GROUP BY issue_year, issue_number
            UNION ALL
            SELECT 'section', section, count(*) FROM m
            WHERE {ranked} AND kind = 'article' AND section <> '' GROUP BY section
            UNION ALL
            SELECT 'source', source, count(*) FROM m
            WHERE {ranked} AND kind = 'article' AND source <> '' GROUP BY source
            UNION ALL
            SELECT 'place', place, count(*) FROM m
            WHERE {ranked} AND kind = 'article' AND place <> '' GROUP BY place
            UNION ALL
            SELECT 'tag', t.value, count(*) FROM {self.each_tag}
            WHERE {ranked} AND kind = 'article' GROUP BY t.value
        """
        page = RawPage()
        tiers: dict[int, int] = {}
        for group, key, count in self.rows(sql, [*gparams, *tparams, *matches[1]]):
            if group == "guard":
                if count > RANK_LIMIT:
                    return None
            elif group == "kind":
                page.counts[key] = count
            elif group == "tier":
                kind, value = key.split(" ")
                if kind in kinds:
                    tiers[int(value)] = tiers.get(int(value), 0) + count
            else:
                page.facets.setdefault(group, []).append((key, count))
        for values in page.facets.values():
            values.sort(key=lambda kv: (-kv[1], kv[0]))
        return page, tiers

    def _page_sql(self, plan, matches, kinds, shown) -> tuple[str, list]:
        """One page of the ranked matches (LIMIT and OFFSET the last parameters, to add). The body
        is counted in only for the rows of the tiers ``shown`` (the lowest and the highest on the
        page): the others are all before the page or all after it."""
        tier, tparams = ranking.tier_sql(plan.titles, self.spelling)
        n, nparams, first, fparams = ranking.body_sql(plan.titles, self.spelling, "q.body_norm")
        on_page = f"q.tier BETWEEN {int(shown[0])} AND {int(shown[1])}"
        marks = ", ".join(["%s"] * len(kinds))
        # The page's rows are read with it, once it is cut (sorting every match's text would
        # cost more than the page). The tier is worked out once, in q (behind the fence, which
        # keeps the planner from copying its expression into each use: half its planning).
        fields = ", ".join(f"d.{f}" for f in ROW_FIELDS)
        sql = f"""
            SELECT p.id, p.tier, p.n, p.f, {fields} FROM (
                SELECT q.id, q.issue_year, q.issue_number, q.tier,
                    CASE WHEN {on_page} THEN {n} ELSE 0 END AS n,
                    CASE WHEN {on_page} THEN {first} ELSE {ranking.NOWHERE} END AS f
                FROM (
                    SELECT d.id, d.issue_year, d.issue_number, d.body_norm, {tier} AS tier
                    {matches[0]} AND d.kind IN ({marks}) {self.fence}
                ) q
                ORDER BY {ranking.ORDER.replace("d.", "q.")}
                LIMIT %s OFFSET %s
            ) p JOIN {TABLE} d ON d.id = p.id
            ORDER BY {ranking.ORDER.replace("d.", "p.")}
        """
        params = [*nparams, *fparams, *tparams, *matches[1], *kinds]
        return sql, params

    def _broad(self, plan, page, *, kinds, offset, limit, now) -> RawPage:
        checks = self._checks_sql(plan.checks, now)
        # The title is part of the text: a title holding a term settles that check.
        title_checks = self._checks_sql([c for c in plan.checks if not c[1]], now)
        title_sql, title_params = ranking.title_sql(plan.titles, self.spelling)
        every = f"({title_sql}) = {len(plan.titles)}"
        marks = ", ".join(["%s"] * len(kinds))

        def statement(title_first: bool, count: bool = False):
            found = self.candidates(plan, kinds=kinds, title=title_first)
            checks_sql, checks_params = title_checks if title_first else checks
            tier = every if title_first else f"NOT {every}"
            select = "count(*)" if count else ", ".join(["d.id", *(f"d.{f}" for f in ROW_FIELDS)])
            tail = "" if count else f"ORDER BY {found.newest} LIMIT %s OFFSET %s"
            sql = f"""
                SELECT {select} FROM {found.tables}
                WHERE {found.where} AND {checks_sql} AND {tier} AND d.kind IN ({marks}) {tail}
            """
            return sql, [*found.params, *checks_params, *title_params, *kinds]

        # Title hits first, read newest first straight off the index; then the others.
        sql, p = statement(True)
        in_titles = self.rows(sql, [*p, limit, offset])
        others = []
        if len(in_titles) < limit:
            if in_titles or offset == 0:
                in_title = offset + len(in_titles)
            else:  # a page past the title hits: how many were there?
                sql, p = statement(True, count=True)
                in_title = self.rows(sql, p)[0][0]
            sql, p = statement(False)
            others = self.rows(sql, [*p, limit - len(in_titles), max(0, offset - in_title)])
        page.rows = [(row[0], 1.0) for row in in_titles] + [(row[0], 0.0) for row in others]
        page.docs = {row[0]: Row(*row[1:]) for row in [*in_titles, *others]}
        page.broad, page.approximate = True, bool(plan.checks)
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
