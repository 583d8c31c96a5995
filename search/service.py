"""The one public search function: ``search(query=…, kinds=…, filters=…, page=…, per_page=…)``.

Views, the API and the benchmark call it; it parses the query (tokens.py), asks the database's
backend (backends/) for counts, facets and the ranked page, and dresses the page's rows as
results with URLs, locations and highlighted snippets (highlight.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch
from django.utils import timezone

from core.tokens import Query, parse_query
from search.backends import Filters, get_backend
from search.backends.base import Row
from search.documents import source
from search.highlight import mark, snippet
from search.models import Kind

__all__ = ["KINDS", "FacetValue", "Filters", "IssueRef", "Result", "SearchPage", "search"]

KINDS: tuple[str, ...] = tuple(Kind.values)
MAX_PER_PAGE = 100
# Deeper pages than this are not served (they would only be asked for by crawlers).
MAX_PAGE = 1000
FACETS = ("issue", "section", "source", "place", "tag")


@dataclass(frozen=True)
class IssueRef:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.number:02d}期"


@dataclass(frozen=True)
class Result:
    type: str  # article | community | organization
    title: str
    title_html: str  # escaped, query terms in <mark>
    url: str
    snippet: str  # escaped, query terms in <mark>
    score: float
    location: str  # 2024年第02期 › 1 职教动态 › 1.1 重要通知 › 1.1.3
    issue: IssueRef | None = None
    number: str = ""  # the article's 1.1.3, the community's registry number


@dataclass(frozen=True)
class FacetValue:
    value: str  # as it goes in the URL (issue: "2024-2")
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class SearchPage:
    query: Query
    kinds: tuple[str, ...]
    filters: Filters
    results: list[Result]
    count: int  # matches of the requested kinds (the results are one page of them)
    counts: dict[str, int]  # matches per kind, whatever was requested
    facets: dict[str, list[FacetValue]]
    page: int
    per_page: int
    notices: tuple[str, ...] = field(default=())
    #: A word in a large part of the archive: ordered by title, then newest; no facet counts.
    broad: bool = False
    #: ``count`` and ``counts`` may be a little high (terms the index cannot settle alone).
    approximate: bool = False
    #: Kinds whose count is only known to be at least the number given.
    lower_bound: frozenset[str] = frozenset()

    @property
    def count_at_least(self) -> bool:
        """``count`` is a lower bound: there are more (broad query, PostgreSQL)."""
        return bool(set(self.kinds) & self.lower_bound)

    @property
    def count_is_exact(self) -> bool:
        return not self.approximate and not self.count_at_least

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def _issue_label(value: str) -> str:
    year, number = value.split("-")
    return IssueRef(int(year), int(number)).label


def _facets(raw: dict[str, list[tuple[str, int]]], filters: Filters) -> dict[str, list[FacetValue]]:
    chosen = {
        "issue": f"{filters.issue[0]}-{filters.issue[1]}" if filters.issue else "",
        "section": filters.section,
        "source": filters.source,
        "place": filters.place,
        "tag": filters.tag,
    }
    out: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        values = raw.get(name, [])
        if name == "issue":
            # Newest issue first, as the archive lists them.
            values = sorted(values, key=lambda kv: tuple(-int(x) for x in kv[0].split("-")))
        out[name] = [
            FacetValue(
                value=value,
                label=_issue_label(value) if name == "issue" else value,
                count=count,
                selected=value == chosen[name],
            )
            for value, count in values
        ]
    return out


def _url(doc: Row) -> str:
    # From the row's own fields (the app's documents module knows its URL names): building model
    # instances only to call get_absolute_url cost more than the rest of a result.
    try:
        return source(doc.kind).url(doc)
    except (NoReverseMatch, ValueError):
        return ""


def _result(doc: Row, score: float, terms: list[str], first: int | None) -> Result:
    issue = None
    if doc.issue_year is not None and doc.issue_number is not None:
        issue = IssueRef(doc.issue_year, doc.issue_number)
    return Result(
        type=doc.kind,
        title=doc.title,
        title_html=mark(doc.title, terms),
        url=_url(doc),
        snippet=snippet(doc.text, terms, first=first if source(doc.kind).text_is_body else None),
        score=round(score, 6),
        location=doc.location,
        issue=issue,
        number=doc.number,
    )


def search(
    *,
    query: str,
    kinds: Iterable[str] = KINDS,
    filters: Filters | None = None,
    page: int = 1,
    per_page: int = 20,
) -> SearchPage:
    """Search published articles, communities and organisations.

    ``query`` is what the user typed (any string: see tokens.parse_query for the syntax). ``kinds``
    restricts the results (not ``counts``) to some of article, community, organization. ``filters``
    narrow articles by issue, section, source and tag. Results are ranked: those whose title holds
    more of the terms first, then those whose source or tags do, then the rest; within each, by
    how often and how early the body says the terms; then newest (backends/ranking.py). Never
    raises for bad input; what could not be used is explained in ``notices``.
    """
    parsed = parse_query(query)
    kinds = tuple(k for k in KINDS if k in set(kinds)) or KINDS
    filters = filters or Filters()
    per_page = min(max(int(per_page), 1), MAX_PER_PAGE)
    page = min(max(int(page), 1), MAX_PAGE)
    empty = SearchPage(
        query=parsed,
        kinds=kinds,
        filters=filters,
        results=[],
        count=0,
        counts=dict.fromkeys(KINDS, 0),
        facets=_facets({}, filters),
        page=page,
        per_page=per_page,
        notices=parsed.notices,
    )
    if not parsed.searchable:
        return empty
    raw = get_backend().search(
        query=parsed,
        kinds=kinds,
        filters=filters,
        offset=(page - 1) * per_page,
        limit=per_page,
        now=timezone.now(),
    )
    docs = raw.docs
    terms = [t.text for t in parsed.positive]
    results = [
        _result(docs[i], score, terms, raw.firsts.get(i)) for i, score in raw.rows if i in docs
    ]
    return SearchPage(
        query=parsed,
        kinds=kinds,
        filters=filters,
        results=results,
        count=sum(raw.counts.get(k, 0) for k in kinds),
        counts={k: raw.counts.get(k, 0) for k in KINDS},
        facets=_facets(raw.facets, filters),
        page=page,
        per_page=per_page,
        notices=parsed.notices,
        broad=raw.broad,
        approximate=raw.approximate,
        lower_bound=frozenset(raw.lower_bound),
    )
