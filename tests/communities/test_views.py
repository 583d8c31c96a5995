"""The registry pages: filters, facets, sort, pagination, chart, downloads; a community; an
organisation. Expectations are computed from the 500 imported communities with the ORM."""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.parse

import pytest
from django.db.models import Count
from django.urls import reverse

from articles.models import Article
from communities.filters import CommunityFilter
from communities.models import Community, LeadUnit, Organization
from communities.views import PER_PAGE
from tests.queries import counted_queries
from tests.seeds import SEED_ARTICLE, SEED_COMMUNITY

pytestmark = pytest.mark.django_db


def _page(client, **params):
    response = client.get(reverse("communities:list"), params)
    assert response.status_code == 200
    return response


def _total(response) -> int:
    return response.context["page"].paginator.count


def _numbers(response) -> list[int]:
    return [c.number for c in response.context["page"]]


def _with_lead_province(province: str):
    return Community.objects.filter(lead_units__province=province).distinct()


def test_list_shows_every_community_paginated(client):
    response = _page(client)
    assert _total(response) == Community.objects.count() == 500
    assert _numbers(response) == list(
        Community.objects.order_by("number").values_list("number", flat=True)[:PER_PAGE]
    )
    last = _page(client, page=response.context["page"].paginator.num_pages)
    assert _numbers(last)[-1] == Community.objects.order_by("number").last().number


def test_pagination_shows_the_pages_around_the_current_one(client):
    # The page range was elided around page 1 whatever the page: on page 6 of 10 the links ran
    # 1 2 3 4 … 9 10, without the page the reader was on or its neighbours.
    pages = Community.objects.count() // PER_PAGE
    current = pages // 2 + 1
    html = _page(client, page=current).content.decode()
    nav = html[html.index('<nav class="pagination"') :]
    nav = nav[: nav.index("</nav>")]
    assert f'page={current}" aria-current="page">{current}</a>' in nav
    for neighbour in (current - 1, current + 1):
        assert f'page={neighbour}">{neighbour}</a>' in nav


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"scope": "provincial"}, lambda: Community.objects.filter(scope="provincial")),
        ({"province": "湖北"}, lambda: Community.objects.filter(province="湖北")),
        ({"lead_province": "广东"}, lambda: _with_lead_province("广东")),
        ({"industry": "信息技术"}, lambda: Community.objects.filter(industry="信息技术")),
        ({"founded_year": "2024"}, lambda: Community.objects.filter(founded_year=2024)),
        (
            {"founded_year": "2023", "founded_month": "11"},
            lambda: Community.objects.filter(founded_year=2023, founded_month=11),
        ),
        (
            {"kind": "research"},
            lambda: Community.objects.filter(lead_units__kind="research").distinct(),
        ),
        (
            {"q": "中车"},
            lambda: (
                Community.objects.filter(name__contains="中车")
                | Community.objects.filter(lead_units__name__contains="中车")
            ),
        ),
        (
            {"lead_province": "广东", "kind": "vocational"},
            lambda: Community.objects.filter(
                pk__in=LeadUnit.objects.filter(organization__province="广东").values("community")
            ).filter(
                pk__in=LeadUnit.objects.filter(organization__kind="vocational").values("community")
            ),
        ),
    ],
)
def test_each_filter_gives_exactly_the_matching_communities(client, params, expected):
    want = set(expected().values_list("number", flat=True))
    assert want, "the seed data should have communities for this filter"
    response = _page(client, **params, sort="number")
    assert _total(response) == len(want)
    assert set(_numbers(response)) <= want
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("communities:csv"), params).content.decode("utf-8-sig"))
        )
    )
    assert rows[0][0].startswith("# 行业产教融合共同体名录，筛选：")
    assert {int(row[0]) for row in rows[2:]} == want


def test_lead_province_reads_the_organisation_not_the_community(client):
    # 广州/深圳/广东 in a lead unit's name make it 广东, whatever the community's own name says.
    response = _page(client, lead_province="广东")
    numbers = {c.number for c in response.context["page"].paginator.object_list}
    for community in Community.objects.filter(number__in=numbers):
        assert any(o.province == "广东" for o in community.lead_units.all())
    outside = Community.objects.exclude(number__in=numbers).filter(lead_units__province="广东")
    assert not outside.exists()


def test_facet_counts_match_the_database(client):
    response = _page(client, scope="national")
    facets = {f.name: f for f in response.context["facets"]}
    # The scope facet ignores the chosen scope: all three scopes with their full counts.
    scope_counts = {v.value: v.count for v in facets["scope"].values}
    assert scope_counts == dict(
        Community.objects.values_list("scope").annotate(n=Count("pk")).order_by()
    )
    assert facets["scope"].selected.value == "national"
    # Other facets count within the chosen scope.
    national = Community.objects.filter(scope="national")
    industry_counts = {v.value: v.count for v in facets["industry"].values}
    assert industry_counts == dict(
        national.values_list("industry").annotate(n=Count("pk")).order_by()
    )
    lead = {v.value: v.count for v in facets["lead_province"].values}
    assert lead["广东"] == national.filter(lead_units__province="广东").distinct().count()
    html = response.content.decode()
    assert f'<option value="广东">广东（{lead["广东"]}）</option>' in html


def test_every_filter_has_a_label(client):
    html = _page(client).content.decode()
    form = html[
        html.index('<form class="filters"') : html.index(
            "</form>", html.index('<form class="filters"')
        )
    ]
    controls = re.findall(r'<(?:select|input)[^>]*\bid="([^"]+)"', form)
    assert len(controls) == 9
    for control in controls:
        assert f'<label for="{control}">' in form


def test_sort_orders(client):
    by_founded = _numbers(_page(client, sort="-founded"))
    newest = Community.objects.order_by("-founded_year", "-founded_month", "number")
    assert by_founded == list(newest.values_list("number", flat=True)[:PER_PAGE])
    assert _numbers(_page(client, sort="-number"))[0] == 500


def test_unknown_values_are_ignored_with_a_notice(client):
    response = _page(client, scope="galactic", founded_month="13", lead_province="广东", page="x")
    assert _total(response) == _with_lead_province("广东").count()
    html = response.content.decode()
    assert "已忽略" in html and "范围" in html and "成立月份" in html


def test_chart_counts_the_filtered_communities(client):
    response = _page(client, industry="先进制造")
    chart = response.context["chart"]
    assert chart.total == Community.objects.filter(industry="先进制造").count()
    by_month = {(b.year, b.month): b.count for b in chart.bars}
    for year, month, n in (
        Community.objects.filter(industry="先进制造")
        .values_list("founded_year", "founded_month")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        assert by_month[(year, month)] == n
    assert response.content.decode().count('<rect class="bar"') == len(chart.bars)


def test_csv_download_is_the_whole_filtered_list_with_bom(client):
    response = client.get(reverse("communities:csv"), {"lead_province": "广东", "page": 2})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    comment, table = text.lstrip("\ufeff").split("\n", 1)
    expected = _with_lead_province("广东").order_by("number")
    assert text.startswith("\ufeff# ")
    assert (
        comment.strip()
        == f"# 行业产教融合共同体名录，筛选：牵头单位所在省份：广东，共 {expected.count()} 个"
    )
    assert table.startswith("序号,名称,牵头单位")
    rows = list(csv.DictReader(io.StringIO(table)))
    assert [int(r["序号"]) for r in rows] == list(expected.values_list("number", flat=True))
    first = expected.first()
    names = [link.organization.name for link in first.lead_unit_links.order_by("position")]
    assert rows[0]["牵头单位"] == "、".join(names)
    assert rows[0]["成立时间"] == first.founded
    assert all("广东" in r["牵头单位所在省份"] for r in rows)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({}, "行业产教融合共同体.csv"),
        ({"province": "广东", "industry": "信息技术"}, "行业产教融合共同体-广东-信息技术.csv"),
        ({"lead_province": "广东", "founded_month": "3"}, "行业产教融合共同体-广东-3月.csv"),
        ({"scope": "provincial", "founded_year": "2023"}, "行业产教融合共同体-省级-2023年.csv"),
        # What a file name may not hold becomes _; what the page ignores, the name ignores.
        ({"q": 'a/b:c*"d"', "province": "火星"}, "行业产教融合共同体-a_b_c_d.csv"),
    ],
)
def test_downloads_are_named_after_their_filter(client, params, name):
    for url, extension in (
        (reverse("communities:csv"), "csv"),
        (reverse("communities:json"), "json"),
    ):
        disposition = client.get(url, params)["Content-Disposition"]
        assert disposition.startswith("attachment; ")
        wanted = name.removesuffix(".csv") + "." + extension
        encoded = disposition.split("filename*=utf-8''", 1)[1]
        assert urllib.parse.unquote(encoded) == wanted


def test_json_download_matches_the_api_representation(client):
    params = {"scope": "provincial", "sort": "-founded"}
    data = json.loads(client.get(reverse("communities:json"), params).content)
    api = client.get(reverse("api:communities"), {**params, "page_size": 1000}).json()
    expected = Community.objects.filter(scope="provincial")
    assert data["count"] == expected.count() == api["count"]
    assert data["filters"] == {"scope": "provincial", "sort": "-founded"}
    assert data["filter"] == f"行业产教融合共同体名录，筛选：范围：省级，共 {data['count']} 个"
    assert data["results"][: len(api["results"])] == api["results"]


def test_community_page_lists_lead_units_in_order(client):
    community = Community.objects.annotate(n=Count("lead_units")).filter(n__gte=3).first()
    response = client.get(community.get_absolute_url())
    html = response.content.decode()
    assert f"<h1>{community.name}</h1>" in html
    positions = [
        html.index(link.organization.get_absolute_url())
        for link in community.lead_unit_links.order_by("position")
    ]
    assert positions == sorted(positions)
    assert f"{community.founded_year}年{community.founded_month}月" in html
    assert community.get_scope_display() in html and community.industry in html


def test_organization_page_lists_every_community_it_leads(client):
    organization = (
        Organization.objects.annotate(n=Count("communities")).order_by("-n", "pk").first()
    )
    html = client.get(organization.get_absolute_url()).content.decode()
    led = organization.communities.order_by("number")
    assert f"牵头的共同体（{led.count()} 个）" in html
    for community in led:
        assert community.get_absolute_url() in html
    assert organization.get_kind_display() in html


def test_unknown_community_and_organisation_are_404(client):
    assert client.get(reverse("communities:detail", args=[9999])).status_code == 404
    assert client.get(reverse("communities:organization", args=[10**9])).status_code == 404


@pytest.mark.usefixtures("no_page_cache")
@pytest.mark.parametrize(
    "url, params",
    [
        ("communities:list", {}),
        ("communities:list", {"lead_province": "广东", "kind": "vocational", "q": "职业"}),
        ("communities:csv", {}),
        ("communities:json", {"scope": "national"}),
    ],
)
def test_registry_pages_use_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, url, params
):
    with django_assert_max_num_queries(13):
        assert client.get(reverse(url), params).status_code == 200


@pytest.mark.usefixtures("no_page_cache")
def test_detail_pages_use_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    organization = Organization.objects.annotate(n=Count("communities")).order_by("-n").first()
    with django_assert_max_num_queries(5):
        assert client.get(organization.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(reverse("communities:detail", args=[SEED_COMMUNITY])).status_code == 200


def test_filterset_ignores_invalid_values_and_reports_them():
    filterset = CommunityFilter(
        {"scope": "x", "industry": "先进制造"}, queryset=Community.objects.all()
    )
    assert filterset.valid_data == {"industry": "先进制造"}
    assert filterset.ignored == ["范围"]
    assert filterset.qs.count() == Community.objects.filter(industry="先进制造").count()


def test_the_filter_panel_says_how_many_filters_are_on_and_leads_to_the_results(client):
    html = client.get(reverse("communities:list"), {"industry": "信息技术", "scope": ""}).content
    html = html.decode()
    assert '<details class="filters-panel" open>' in html
    assert '<summary><h2 id="filters-title">筛选 (1)</h2></summary>' in html
    assert '<a class="skip-to-results" href="#results-title">跳到结果</a>' in html
    # Submitting lands on the results heading, which can take the focus.
    assert f'action="{reverse("communities:list")}#results-title"' in html
    assert '<h2 id="results-title" class="results-head" tabindex="-1">' in html
    assert "/static/site/registry.js" in html
    none = client.get(reverse("communities:list")).content.decode()
    assert '<summary><h2 id="filters-title">筛选</h2></summary>' in none


@pytest.mark.usefixtures("no_page_cache")
def test_registry_pages_list_mentions_without_reading_article_bodies(client):
    community = Community.objects.get(number=SEED_COMMUNITY)
    organization = Organization.objects.filter(lead_unit_links__isnull=False).first()
    for url in (community.get_absolute_url(), organization.get_absolute_url()):
        with counted_queries() as queries:
            assert client.get(url).status_code == 200
        assert len(queries) <= 4 and not any('"body"' in sql for sql in queries), queries
    # The seed article that names the community is still listed, with its link.
    article = Article.objects.get(issue__year=2024, issue__number=2, number=SEED_ARTICLE)
    assert article.get_absolute_url() in client.get(community.get_absolute_url()).content.decode()
