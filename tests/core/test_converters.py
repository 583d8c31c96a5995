"""Numbers in URL paths are read by the URL patterns (core/converters.py), not by the views: a
value no row can have (NUL, a number too long for its column, digits of another script, an article
number that is not 1.1.1-shaped) matches no route and is a 404 before any view runs.

Run on SQLite and on PostgreSQL (which refuses NUL in a query and numbers past a column's range).
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern

from core import converters

pytestmark = pytest.mark.django_db

# The site's own routes; the admin (its own URLs, its own checks) is not walked.
ADMIN_NAMESPACE = "admin"
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
# A value that exists, for the parameters a test does not vary.
VALID = {"year": "2024", "number": "2", "article": "1.1.1", "pk": "1"}
NUMBER_NAMES = set(VALID)

HOSTILE_INTS = [
    "%00",
    "2%00",
    "%002",
    "9" * 30,
    "9" * 10_000,
    "0" * 30 + "2",
    quote("２０２４"),  # full-width digits
    quote("٢٠٢٤"),  # Arabic-Indic digits
    quote("²"),
    "-1",
    "+1",
    "1e3",
    "0x10",
    "1.5",
    "%201",
    "1%20",
    quote("二"),
]
HOSTILE_ARTICLES = [
    "%00",
    "1.1%001",
    "1.1.1%00",
    "1..1",
    ".1",
    "1.",
    "a",
    "1.1a",
    quote("١.١.١"),
    quote("１.１.１"),
    "1" * 30,
    "1.1.1" + ".1" * 20,
    "%2e1",
    "1.1 ",
]


def _routes(resolvers=None, prefix: str = ""):
    """(full route, name) for every path() of the site outside the admin."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == ADMIN_NAMESPACE:
                continue
            if isinstance(entry.pattern, RoutePattern):
                yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and isinstance(entry.pattern, RoutePattern):
            yield prefix + str(entry.pattern), entry


def _numbered_routes():
    return [
        (route, pattern)
        for route, pattern in _routes()
        if any(m["name"] in NUMBER_NAMES for m in PARAMETER.finditer(route))
    ]


def _path(route: str, name: str, value: str) -> str:
    return "/" + PARAMETER.sub(lambda m: value if m["name"] == name else VALID[m["name"]], route)


def test_every_numbered_route_uses_a_number_converter():
    routes = _numbered_routes()
    assert len(routes) >= 12, routes  # pages, PDFs, print view, attachments, API
    for route, _pattern in routes:
        for m in PARAMETER.finditer(route):
            if m["name"] in NUMBER_NAMES:
                assert m["converter"] in converters.NUMBER_CONVERTERS, (route, m["converter"])


@pytest.mark.parametrize(
    ("route", "pattern"), _numbered_routes(), ids=[r for r, _ in _numbered_routes()]
)
def test_hostile_numbers_in_every_route_are_404_before_any_view(client, route, pattern):
    names = [m["name"] for m in PARAMETER.finditer(route) if m["name"] in NUMBER_NAMES]
    for name in names:
        for value in HOSTILE_ARTICLES if name == "article" else HOSTILE_INTS:
            path = _path(route, name, value)
            try:
                match = resolve(unquote(path))
            except Resolver404:
                pass
            else:  # the API's catch-all JSON 404 may take it; the route's own view may not
                assert match.func is not pattern.callback, path
            response = client.get(path)
            assert response.status_code == 404, (path[:80], response.status_code)


def test_valid_numbers_still_reach_their_pages(client):
    for path in (
        "/issues/2024/2/",
        "/issues/2024/02/",
        "/issues/2024/2/pdf/",
        "/articles/2024/2/1.1.1/",
        "/articles/2024/2/1.1.1/pdf/",
        "/communities/81/",
        "/api/issues/2024/2/",
        "/api/communities/81/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path


def test_values_past_a_columns_range_do_not_match():
    assert converters.SmallNumberConverter().to_python("32767") == 32767
    assert converters.IdConverter().to_python(str(2**63 - 1)) == 2**63 - 1
    for converter, value in (
        (converters.SmallNumberConverter(), "32768"),
        (converters.NumberConverter(), str(2**31)),
        (converters.IdConverter(), str(2**63)),
        (converters.ArticleNumberConverter(), "1." * 10 + "1"),
    ):
        with pytest.raises(ValueError):
            converter.to_python(value)


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["1.1a", "１.1", "1..1", "1.1.", "٣.1"])
def test_the_admin_refuses_a_number_no_url_could_reach(editor_client, number):
    """A number the converters would not match would make every page linking to it fail."""
    from articles.models import Article
    from tests.conftest import admin_form_data

    article = Article.objects.get(issue__year=2024, issue__number=2, number="1.1.2")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(editor_client, url)
    data["number"] = number
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "编号只能由数字和点组成" in " ".join(response.context["adminform"].form.errors["number"])
