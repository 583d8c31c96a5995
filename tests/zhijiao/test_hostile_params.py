"""Hostile or odd input gives a normal page or a 404, never a 500: pages and API alike."""

from __future__ import annotations

import pytest
from django.core.handlers import wsgi
from django.http import QueryDict
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


# Every parameter at once with each value, then each parameter alone with the values most likely
# to break parsing (in the API a bad value of one parameter answers 404 before the next is read).
SHARP_VALUES = ["-1", "abc", str(10**30), LONG + "\x00"]


# The downloads read the parameters with the page's own code: all at once is enough for them.
DOWNLOADS = {reverse("communities:csv"), reverse("communities:json")}


class _Reads:
    """Which parameters the code serving a request reads from ``request.GET`` (by name, or all of
    them if it looks at the whole query: iterates, copies, encodes or counts it)."""

    ALL = object()

    def __init__(self) -> None:
        self.names: set = set()
        reads = self

        class Recording(QueryDict):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self._recording = True  # not the parsing of the query string itself

        def by_name(method):
            def read(self, key, *args, **kwargs):
                if getattr(self, "_recording", False):
                    reads.names.add(key)
                return method(self, key, *args, **kwargs)

            return read

        def whole(method):
            def read(self, *args, **kwargs):
                if getattr(self, "_recording", False):
                    reads.names.add(_Reads.ALL)
                return method(self, *args, **kwargs)

            return read

        for name in ("__getitem__", "get", "getlist", "__contains__"):
            setattr(Recording, name, by_name(getattr(QueryDict, name)))
        for name in ("items", "lists", "values", "keys", "dict", "urlencode", "copy", "__iter__",
                     "__len__", "__copy__", "__deepcopy__"):  # fmt: skip
            setattr(Recording, name, whole(getattr(QueryDict, name)))
        self.query_dict = Recording

    def of(self, names: list[str]) -> list[str]:
        return list(names) if _Reads.ALL in self.names else [n for n in names if n in self.names]


def _cases(url: str, reads: _Reads):
    names = REGISTRY_PARAMS if url in REGISTRY else ["page", "p", "q"]
    yield dict.fromkeys(names, "1")  # plausible values: the code reads what it reads when valid
    for value in ODD_VALUES:
        yield dict.fromkeys(names, value)
    yield {name: ODD_VALUES for name in names}  # repeated parameters
    # Alone: only the parameters some code read above. One nothing reads goes through the same
    # code alone as with the others, which the requests above have sent it through with each value.
    for name in reads.of(names) if url not in DOWNLOADS else ():
        for value in SHARP_VALUES:
            yield {name: value}


@pytest.mark.parametrize("url", LISTS)
def test_odd_query_strings_never_fail(client, url, monkeypatch):
    reads = _Reads()
    monkeypatch.setattr(wsgi, "QueryDict", reads.query_dict)  # what WSGIRequest.GET is made with
    for params in _cases(url, reads):
        response = client.get(url, params)
        assert response.status_code in (200, 404), (url, params.keys(), response.status_code)
    if url in REGISTRY:  # the registry's filters read every parameter: the recording sees reads
        assert reads.of(REGISTRY_PARAMS) == REGISTRY_PARAMS


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
