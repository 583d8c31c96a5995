"""The registry in the JSON API: the page's filters, the documented fields, 404 for bad values."""

from __future__ import annotations

import pytest
from django.db.models import Count
from django.urls import reverse

from communities.models import Community, Organization
from tests.seeds import SEED_COMMUNITY

pytestmark = pytest.mark.django_db


def _get(client, name, *args, **params):
    return client.get(reverse(name, args=args), params)


def test_community_list_is_paginated_and_complete(client):
    data = _get(client, "api:communities").json()
    assert data["count"] == Community.objects.count()
    assert [c["number"] for c in data["results"]] == list(
        Community.objects.order_by("number").values_list("number", flat=True)[:20]
    )
    assert data["next"] and data["previous"] is None


def test_community_has_the_documented_fields(client):
    community = Community.objects.get(number=SEED_COMMUNITY)
    data = _get(client, "api:community", SEED_COMMUNITY).json()
    links = list(community.lead_unit_links.select_related("organization").order_by("position"))
    assert data["number"] == SEED_COMMUNITY and data["name"] == community.name
    assert data["lead_units"] == [link.organization.name for link in links]
    assert data["founded"] == f"{community.founded_year}-{community.founded_month:02d}"
    assert data["scope"] == community.scope and data["province"] == community.province
    provinces = [link.organization.province for link in links if link.organization.province]
    assert data["lead_provinces"] == list(dict.fromkeys(provinces))
    assert data["industry"] == community.industry
    assert data["url"].endswith(community.get_absolute_url())
    assert [o["id"] for o in data["organizations"]] == [link.organization_id for link in links]


@pytest.mark.parametrize(
    "params",
    [
        {"lead_province": "广东"},
        {"scope": "regional"},
        {"industry": "交通物流", "sort": "-founded"},
        {"q": "职业技术学院", "kind": "enterprise"},
        {"founded_year": 2023, "founded_month": 10},
    ],
)
def test_api_filters_match_the_page(client, params):
    page = client.get(reverse("communities:list"), params)
    expected = [c.number for c in page.context["page"].paginator.object_list]
    numbers, url = [], reverse("api:communities")
    query = params
    while url:
        data = client.get(url, query).json()
        numbers += [c["number"] for c in data["results"]]
        url, query = data["next"], None
    assert numbers == expected and numbers


def test_lead_province_guangdong_from_organisation_names(client):
    data = _get(client, "api:communities", lead_province="广东").json()
    expected = Community.objects.filter(lead_units__province="广东").distinct().count()
    assert data["count"] == expected
    assert all("广东" in c["lead_provinces"] for c in data["results"])


@pytest.mark.parametrize(
    "params",
    [
        {"scope": "galactic"},
        {"founded_month": 13},
        {"founded_year": "abc"},
        {"kind": "alien"},
        {"province": "火星"},
        {"sort": "random"},
        {"q": "长" * 101},
        {"page": -1},
        {"page": "abc"},
        {"page": 10**9},
    ],
)
def test_bad_values_are_404_not_400_or_500(client, params):
    response = _get(client, "api:communities", **params)
    assert response.status_code == 404
    assert "detail" in response.json()


def test_organization_lists_the_communities_it_leads(client):
    organization = Organization.objects.annotate(n=Count("communities")).order_by("-n", "pk")[0]
    data = _get(client, "api:organization", organization.pk).json()
    assert data["name"] == organization.name and data["kind"] == organization.kind
    assert [c["number"] for c in data["communities"]] == list(
        organization.communities.order_by("number").values_list("number", flat=True)
    )


def test_unknown_objects_are_404(client):
    assert _get(client, "api:community", 9999).status_code == 404
    assert _get(client, "api:organization", 10**12).status_code == 404
    assert _get(client, "api:article", 10**12).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/nothing/",
        "/api/issues/2024/two/",
        f"/api/communities/{SEED_COMMUNITY}",
        "/api/articles/x/",
    ],
)
def test_any_other_api_path_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and response.json()["detail"]


def test_schema_and_docs_are_served_locally(client):
    schema = _get(client, "api:schema", format="json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/issues/",
        "/api/issues/{year}/{number}/",
        "/api/articles/{id}/",
        "/api/communities/",
        "/api/communities/{number}/",
        "/api/organizations/{id}/",
    ):
        assert path in paths
    parameters = {p["name"] for p in paths["/api/communities/"]["get"]["parameters"]}
    assert {
        "q",
        "scope",
        "province",
        "lead_province",
        "industry",
        "founded_year",
        "founded_month",
        "kind",
        "sort",
        "page",
    } <= parameters
    docs = _get(client, "api:docs").content.decode()
    assert "swagger-ui" in docs and "//cdn" not in docs and "unpkg" not in docs


@pytest.mark.parametrize(
    "name, args, limit",
    [
        ("api:communities", [], 4),
        ("api:community", [SEED_COMMUNITY], 4),
        ("api:organization", [], 5),
    ],
)
def test_api_uses_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, name, args, limit
):
    if name == "api:organization":
        args = [Organization.objects.annotate(n=Count("communities")).order_by("-n")[0].pk]
    with django_assert_max_num_queries(limit):
        assert _get(client, name, *args).status_code == 200
