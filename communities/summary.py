"""What the registry's pages show that derives from the registry alone, kept under the registry's
token (core/kept.py, the part "registry" of ``settings.ZHIJIAO_KEPT_PARTS``): the facet counts,
the chart and the order of the list for each choice of filters, the list's rows, the home page's
figures. Articles are edited every day and the registry hardly ever, so these outlive every
article edit and are read again only after a unit that wrote a community, an organisation, a
lead unit or the registry itself.

The registry has no drafts: every community is public, so one kept copy serves every reader.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from communities.chart import Chart, monthly_chart
from communities.facets import Facet, foundings_by_month, registry_facets, registry_figures
from communities.filters import CommunityFilter
from communities.models import Registry, Scope
from communities.queries import communities_with_lead_units
from core.kept import kept
from core.links import reverse

PART = "registry"


@dataclass(frozen=True)
class Lead:
    name: str
    url: str


@dataclass(frozen=True)
class CommunityRow:
    """A community as the list prints it: plain values, read once per registry token."""

    number: int
    name: str
    url: str
    leads: tuple[Lead, ...]
    lead_units_text: str
    founded_year: int
    founded_month: int
    scope_label: str
    province: str
    industry: str


def _rows(numbers: list[int]) -> list[CommunityRow]:
    scopes = dict(Scope.choices)
    found = {
        c.number: CommunityRow(
            number=c.number,
            name=c.name,
            url=c.get_absolute_url(),
            leads=tuple(
                Lead(link.organization.name, link.organization.get_absolute_url())
                for link in c.lead_unit_links.all()
            ),
            lead_units_text=c.lead_units_text,
            founded_year=c.founded_year,
            founded_month=c.founded_month,
            scope_label=scopes.get(c.scope, c.scope),
            province=c.province,
            industry=c.industry,
        )
        for c in communities_with_lead_units().filter(number__in=numbers)
    }
    return [found[n] for n in numbers if n in found]


class Rows(Sequence):
    """A listing's rows, read a slice at a time (what the paginator takes: one page)."""

    def __init__(self, numbers: list[int]) -> None:
        self.numbers = numbers

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return _rows(self.numbers[index])
        return _rows([self.numbers[index]])[0]

    def __iter__(self) -> Iterator[CommunityRow]:
        return iter(self[:])


@dataclass(frozen=True)
class ListPage:
    """One page of the list for one choice of filters and sort: its rows (``page``, over the
    numbers of every community chosen, in order), the facet counts, the chart of the chosen
    communities' foundings, and the registry they come from."""

    page: Page
    facets: list[Facet]
    chart: Chart | None
    registry: Registry | None
    #: The chart and the rows as the list prints them (communities/_rows.html): most of the
    #: page's markup, drawn once with what is kept rather than at every request.
    drawn: str


def _list_page(filterset: CommunityFilter, page_number: str | None, per_page: int) -> ListPage:
    numbers = list(filterset.qs.values_list("number", flat=True))
    page = Paginator(Rows(numbers), per_page).get_page(page_number)
    page.object_list = list(page.object_list)  # read now: this is what is kept
    chart = monthly_chart(foundings_by_month(filterset.filtered()))
    drawn = render_to_string("communities/_rows.html", {"page": page, "chart": chart})
    return ListPage(
        page=page,
        facets=registry_facets(filterset),
        chart=chart,
        registry=Registry.objects.order_by("pk").first(),
        drawn=mark_safe(drawn),  # our own template's output
    )


#: Pages further into a list than this are worked out each time, not kept: any ``page=`` a link
#: or a crawler makes up would otherwise take an entry each, pushing out the ones readers use.
MAX_KEPT_PAGE = 20


def list_page(filterset: CommunityFilter, page_number: str | None, *, per_page: int) -> ListPage:
    """The list's page for the filterset's valid values and sort and the ``page`` parameter:
    one query (the registry's token) when kept, twelve when not."""
    number = (page_number or "").strip()
    # As Paginator.get_page reads it: anything but a number is the first page.
    number = str(int(number)) if number.isdecimal() else "1"
    if int(number) > MAX_KEPT_PAGE:
        return _list_page(filterset, number, per_page)
    chosen = sorted((name, repr(value)) for name, value in filterset.valid_data.items())
    # The list's address too: the rows drawn with the page link with it (as ``figures``).
    key = repr(
        ("list", chosen, filterset.chosen_sort, number, per_page, reverse("communities:list"))
    )
    return kept(PART, key, lambda: _list_page(filterset, number, per_page))


def figures() -> dict:
    """The registry in figures, for the home page, with its chart (``figures["chart"]``) and
    the block that shows both, rendered (``figures["html"]``): the registry alone decides it,
    so it is drawn once per registry token, not at every article edit."""
    list_url = reverse("communities:list")  # the block's links; part of the key

    def compute() -> dict:
        figures = registry_figures()
        figures["chart"] = monthly_chart(figures["months"])
        html = render_to_string(
            "communities/_figures.html", {"figures": figures, "chart": figures["chart"]}
        )
        return {**figures, "html": mark_safe(html)}  # our own template's output

    return kept(PART, f"figures {list_url}", compute)
