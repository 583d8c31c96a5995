from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from communities.models import Community, Organization


def community_list(request: HttpRequest) -> HttpResponse:
    communities = Community.objects.prefetch_related("lead_unit_links__organization")
    page = Paginator(communities, 50).get_page(request.GET.get("page"))
    return render(request, "communities/list.html", {"page": page})


def community_detail(request: HttpRequest, number: int) -> HttpResponse:
    community = get_object_or_404(
        Community.objects.prefetch_related("lead_unit_links__organization"), number=number
    )
    return render(request, "communities/detail.html", {"community": community})


def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=pk)
    communities = organization.communities.order_by("number")
    return render(request, "communities/organization.html",
                  {"organization": organization, "communities": communities})
