"""The registry's public pages: the filterable list with its downloads, a community, an
organisation."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from articles.mentions import mention_cards
from communities import export, summary
from communities.facets import active_filters
from communities.filters import SORT_CHOICES, CommunityFilter
from communities.models import Organization
from communities.queries import communities_with_lead_units
from core.pagecache import published_page

PER_PAGE = 50


def _filterset(request: HttpRequest) -> CommunityFilter:
    return CommunityFilter(request.GET, queryset=communities_with_lead_units())


@published_page
def community_list(request: HttpRequest) -> HttpResponse:
    filterset = _filterset(request)
    listing = summary.list_page(filterset, request.GET.get("page"), per_page=PER_PAGE)
    return render(
        request,
        "communities/list.html",
        {
            "page": listing.page,
            "filterset": filterset,
            "chosen": filterset.valid_data,
            "facets": listing.facets,
            "active": active_filters(filterset, listing.facets, request.GET),
            "chosen_words": "、".join(value for _, value in export.chosen_filters(filterset)),
            "chart": listing.chart,
            "drawn": listing.drawn,
            "sort": filterset.chosen_sort,
            "sort_choices": SORT_CHOICES,
            "registry": listing.registry,
        },
    )


def download_csv(request: HttpRequest) -> HttpResponse:
    return export.as_csv(_filterset(request), request=request)


def download_json(request: HttpRequest) -> HttpResponse:
    return export.as_json(_filterset(request), request=request)


@published_page
def community_detail(request: HttpRequest, number: int) -> HttpResponse:
    community = get_object_or_404(
        communities_with_lead_units().select_related("registry"), number=number
    )
    return render(
        request,
        "communities/detail.html",
        {"community": community, "mentions": mention_cards(community=community)},
    )


@published_page
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=pk)
    communities = communities_with_lead_units().filter(lead_units=organization)
    return render(
        request,
        "communities/organization.html",
        {
            "organization": organization,
            "communities": communities,
            "mentions": mention_cards(organization=organization),
        },
    )
