"""Facet counts for the registry page: how many communities each filter value would leave.

Each facet is counted over the list filtered by every *other* chosen value, so choosing 广东 as
lead province still shows how many communities every other province has (and a value can be
changed without first clearing it). One query per facet, whatever the number of communities.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from communities.filters import CommunityFilter
from communities.models import LeadUnit, OrganizationKind, Scope


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue] = field(default_factory=list)

    @property
    def selected(self) -> FacetValue | None:
        return next((v for v in self.values if v.selected), None)


def _community_counts(queryset: QuerySet, field_name: str) -> dict:
    rows = queryset.order_by().values(field_name).annotate(n=Count("pk"))
    return {row[field_name]: row["n"] for row in rows if row[field_name] not in (None, "")}


def _lead_unit_counts(queryset: QuerySet, field_name: str) -> dict:
    # A community with two lead units in 广东 counts once for 广东.
    rows = (
        LeadUnit.objects.filter(community__in=queryset.order_by().values("pk"))
        .order_by()
        .values(f"organization__{field_name}")
        .annotate(n=Count("community", distinct=True))
    )
    key = f"organization__{field_name}"
    return {row[key]: row["n"] for row in rows if row[key]}


def _by_count(counts: dict) -> list:
    return sorted(counts, key=lambda v: (-counts[v], str(v)))


def registry_facets(filterset: CommunityFilter) -> list[Facet]:
    chosen = filterset.valid_data
    facets: list[Facet] = []

    def add(name: str, counts: dict, order: list, labels: dict | None = None) -> None:
        label = str(filterset.filters[name].label)
        values = [
            FacetValue(
                value=str(v),
                label=(labels or {}).get(v, str(v)),
                count=counts.get(v, 0),
                selected=chosen.get(name) == v,
            )
            for v in order
            if counts.get(v) or chosen.get(name) == v
        ]
        facets.append(Facet(name=name, label=label, values=values))

    counts = _community_counts(filterset.filtered(without="scope"), "scope")
    add("scope", counts, list(Scope.values), dict(Scope.choices))
    counts = _community_counts(filterset.filtered(without="province"), "province")
    add("province", counts, _by_count(counts))
    counts = _lead_unit_counts(filterset.filtered(without="lead_province"), "province")
    add("lead_province", counts, _by_count(counts))
    counts = _community_counts(filterset.filtered(without="industry"), "industry")
    add("industry", counts, _by_count(counts))
    counts = _community_counts(filterset.filtered(without="founded_year"), "founded_year")
    add("founded_year", counts, sorted(counts))
    counts = _community_counts(filterset.filtered(without="founded_month"), "founded_month")
    add("founded_month", counts, sorted(counts), {m: f"{m}月" for m in range(1, 13)})
    counts = _lead_unit_counts(filterset.filtered(without="kind"), "kind")
    add("kind", counts, list(OrganizationKind.values), dict(OrganizationKind.choices))
    return facets


def foundings_by_month(queryset: QuerySet) -> list[tuple[int, int, int]]:
    """``[(year, month, count), …]`` for the months in which communities of ``queryset`` were
    founded, in time order."""
    rows = (
        queryset.order_by()
        .values("founded_year", "founded_month")
        .annotate(n=Count("pk"))
        .order_by("founded_year", "founded_month")
    )
    return [(r["founded_year"], r["founded_month"], r["n"]) for r in rows]


def registry_figures() -> dict:
    """The registry in figures, for the home page: a handful of aggregate queries."""
    from communities.models import Community, Organization

    by_scope = _community_counts(Community.objects.all(), "scope")
    industries = _community_counts(Community.objects.all(), "industry")
    return {
        "communities": sum(by_scope.values()),
        "by_scope": [(label, by_scope.get(value, 0), value) for value, label in Scope.choices],
        "organizations": Organization.objects.filter(lead_unit_links__isnull=False)
        .distinct()
        .count(),
        "industries": [(name, industries[name]) for name in _by_count(industries)][:6],
        "months": foundings_by_month(Community.objects.all()),
    }


@dataclass
class ActiveFilter:
    label: str
    value: str
    remove_query: str  # the current query string without this filter (and back to page 1)


def active_filters(filterset: CommunityFilter, facets: list[Facet], query) -> list[ActiveFilter]:
    """The chosen values, each with the link that removes it."""

    def without(name: str) -> str:
        params = query.copy()
        for key in (name, "page"):
            params.pop(key, None)
        return "?" + params.urlencode() if params else "?"

    chosen = filterset.valid_data
    active = []
    if chosen.get("q"):
        active.append(ActiveFilter(str(filterset.filters["q"].label), chosen["q"], without("q")))
    for facet in facets:
        selected = facet.selected
        if selected:
            active.append(ActiveFilter(facet.label, selected.label, without(facet.name)))
    return active
