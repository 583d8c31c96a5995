"""Hostile or odd input gives a normal page or a 404, never a 500: pages and API alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.seeds import SEED_ARTICLE, SEED_COMMUNITY

pytestmark = pytest.mark.django_db

LONG = "长" * 10_000
ODD_VALUES = [
    "-1",
    "0",
    "abc",
    str(10**9),
    str(10**30),
    LONG,
    "\x00",
    "'; DROP TABLE x;--",
    "<script>alert(1)</script>",
    "%",
    "1.5",
    " ",
]
REGISTRY_PARAMS = [
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
]

LISTS = [
    reverse("issues:home"),
    reverse("issues:archive"),
    reverse("issues:detail", args=[2024, 2]),
    reverse("articles:detail", args=[2024, 2, SEED_ARTICLE]),
    reverse("articles:index"),
    reverse("articles:section", args=["重要通知"]),
    reverse("articles:source", args=["中国教育报"]),
    reverse("articles:feed"),
    reverse("sitemap"),
    reverse("communities:list"),
    reverse("communities:csv"),
    reverse("communities:json"),
    reverse("communities:detail", args=[SEED_COMMUNITY]),
    reverse("api:issues"),
    reverse("api:issue", args=[2024, 2]),
    reverse("api:communities"),
    reverse("api:community", args=[SEED_COMMUNITY]),
]
REGISTRY = {
    reverse("communities:list"),
    reverse("communities:csv"),
    reverse("communities:json"),
    reverse("api:communities"),
}


# Each parameter alone with the values most likely to break parsing (in the API a bad value of one
# parameter answers 404 before the next is read), then every parameter at once with each value.
SHARP_VALUES = ["-1", "abc", str(10**30), LONG + "\x00"]


# The downloads read the parameters with the page's own code: all at once is enough for them.
DOWNLOADS = {reverse("communities:csv"), reverse("communities:json")}


def _cases(url: str):
    names = REGISTRY_PARAMS if url in REGISTRY else ["page", "p", "q"]
    for name in names if url not in DOWNLOADS else ():
        for value in SHARP_VALUES:
            yield {name: value}
    for value in ODD_VALUES:
        yield dict.fromkeys(names, value)
    yield {name: ODD_VALUES for name in names}  # repeated parameters


@pytest.mark.parametrize("url", LISTS)
def test_odd_query_strings_never_fail(client, url):
    for params in _cases(url):
        response = client.get(url, params)
        assert response.status_code in (200, 404), (url, params.keys(), response.status_code)


def test_registry_page_ignores_what_it_cannot_read(client):
    response = client.get(reverse("communities:list"), {"q": LONG, "page": "-1", "scope": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert LONG not in html  # the overlong text is not echoed back
    page = response.context["page"]
    assert 1 <= page.number <= page.paginator.num_pages
    assert page.paginator.count == 500


def test_page_past_the_end_gives_the_last_page(client):
    response = client.get(reverse("communities:list"), {"page": 10**9})
    page = response.context["page"]
    assert response.status_code == 200 and page.number == page.paginator.num_pages


@pytest.mark.parametrize(
    "path",
    [
        "/issues/99999999999999999999/1/",
        "/issues/2024/99999999999999999999/",
        "/articles/2024/2/" + "9" * 10_000 + "/",
        "/articles/sources/" + LONG + "/",
        "/articles/sections/%00/",
        "/articles/sources/a%00b/",
        "/articles/tags/%00/",
        "/articles/2024/2/2.1%001/",
        "/articles/2024/2/%00/pdf/",  # a 500 on PostgreSQL before numbers had their converters
        "/issues/2024/%00/pdf/",
        "/issues/%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%94/2/",  # full-width ２０２４
        "/articles/tags/" + "x" * 10_000 + "/",
        "/communities/99999999999999999999/",
        "/communities/organizations/99999999999999999999/",
        "/api/articles/99999999999999999999/",
        "/api/communities/99999999999999999999/",
        "/api/organizations/99999999999999999999/",
        "/api/issues/99999999999999999999/99999999999999999999/",
    ],
)
def test_odd_paths_are_404(client, path):
    assert client.get(path).status_code == 404
