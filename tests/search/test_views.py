"""The search page and the search API: what they show, and that any input gets a normal page."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search import params as url_params
from search.service import KINDS, search

pytestmark = pytest.mark.django_db


def _links(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', html)]


def test_the_page_shows_ranked_highlighted_results_with_one_h1(client):
    response = client.get("/search/", {"q": "南粤家政"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "/articles/2024/2/1.1.1/" in html
    assert "<mark>南粤家政</mark>" in html
    assert "2024年第02期 › 1 职教动态 › 1.1 重要通知 › 1.1.1" in html
    # Ranked: the article about 南粤家政 is listed first.
    assert html.index("/articles/2024/2/1.1.1/") < min(
        html.index(link) for link in _links(html) if link.startswith("/articles/2024/1/")
    )


def test_an_empty_query_shows_how_to_search(client):
    html = client.get("/search/").content.decode()
    assert html.count("<h1") == 1 and "排除" in html and "检索结果" not in html


def test_tabs_and_facet_links_keep_the_query_and_the_filters(client):
    html = client.get("/search/", {"q": "产教融合"}).content.decode()
    tabs = [link for link in _links(html) if "type=community" in link]
    assert tabs and "q=%E4%BA%A7%E6%95%99%E8%9E%8D%E5%90%88" in tabs[0]
    page = search(query="产教融合", kinds=["community"])
    community_html = client.get("/search/" + tabs[0]).content.decode()
    assert f"共同体共 {page.count} 条" in community_html
    issue_link = next(link for link in _links(html) if "issue=2024-1" in link)
    narrowed = client.get("/search/" + issue_link).content.decode()
    expected = search(query="产教融合", kinds=["article"], filters=_filters(issue=(2024, 1)))
    assert f"文章共 {expected.count} 条" in narrowed
    # The chosen filter stays in every further link (tags here), and can be removed again.
    tag_link = next(link for link in _links(narrowed) if "tag=" in link)
    assert "issue=2024-1" in tag_link
    assert any("issue=" not in link and "q=" in link for link in _links(narrowed))


def test_the_place_facet_links_narrow_to_that_place(client):
    html = client.get("/search/", {"q": "职业"}).content.decode()
    assert "<h2>地区</h2>" in html
    link = next(link for link in _links(html) if "place=%E5%B1%B1%E4%B8%9C" in link)  # 山东
    narrowed = client.get("/search/" + link).content.decode()
    expected = search(query="职业", kinds=["article"], filters=_filters(place="山东"))
    assert expected.count and f"文章共 {expected.count} 条" in narrowed


def _filters(**kwargs):
    from search.backends import Filters

    return Filters(**kwargs)


def test_pagination_links_walk_the_results(client):
    html = client.get("/search/", {"q": "技能"}).content.decode()
    next_link = next(link for link in _links(html) if "page=2" in link)
    second = client.get("/search/" + next_link).content.decode()
    assert "第 2 页" in second and "上一页" in second
    first_page = {r.url for r in search(query="技能", kinds=["article"]).results}
    second_page = {r.url for r in search(query="技能", kinds=["article"], page=2).results}
    assert all(url in second for url in second_page)
    assert not any(f'href="{url}"' in second for url in first_page)


def test_the_api_returns_ranked_results_as_json(client):
    body = client.get("/api/search/", {"q": "南粤家政"}).json()
    assert body["count"] == search(query="南粤家政").count
    first = body["results"][0]
    assert first["type"] == "article"
    assert first["title"] == "广东实施“南粤家政”工程"
    assert first["url"] == "http://testserver/articles/2024/2/1.1.1/"
    assert first["issue"] == {"year": 2024, "number": 2} and first["number"] == "1.1.1"
    assert "<mark>南粤家政</mark>" in first["snippet"]
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_the_api_gives_community_numbers_and_pages(client):
    body = client.get("/api/search/", {"q": "家政", "type": "community"}).json()
    community = body["results"][0]
    assert community["type"] == "community" and community["issue"] is None
    assert community["community_number"] == int(community["number"])
    paged = client.get("/api/search/", {"q": "产教融合", "page_size": 5}).json()
    assert len(paged["results"]) == 5 and paged["next"]
    second = client.get(paged["next"]).json()
    assert second["previous"] and {r["url"] for r in second["results"]}.isdisjoint(
        r["url"] for r in paged["results"]
    )


def test_the_schema_documents_the_search_api(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/search/" in schema and "community_number" in schema and "page_size" in schema


# --- any input -----------------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "x" * 10_000,
    "产" * 10_000,
    "，。！？、；：“”‘’（）《》【】",
    '"',
    '"产教融合',
    "-",
    "--",
    "- -产教",
    "产教 AND 融合 OR NOT NEAR(a b) * ^ :",
    "title:产教 {a b} + col:x",
    "'; DROP TABLE articles_article; --",
    "%_\\%",
    "😀🚀 emoji 产教",
    "\x00\x01\x1f\x7f",
    "產教\u200b融合\ufeff",
    "ᚠᛇᚻ Ελληνικά русский العربية עברית हिन्दी 한국어 日本語",
    "a" * 40 + "b" * 40,
]
ANY_TEXT = st.one_of(st.sampled_from(NASTY), st.text(max_size=300))
PARAMS = st.fixed_dictionaries(
    {"q": ANY_TEXT},
    optional={
        "type": st.one_of(st.sampled_from(["article", "community", "organization"]), st.text()),
        "issue": st.one_of(st.sampled_from(["2024-2", "2024-99", "0-0"]), st.text()),
        "section": st.text(max_size=50),
        "source": st.text(max_size=50),
        "tag": st.one_of(st.just("产教融合"), st.text(max_size=50)),
        "page": st.one_of(st.sampled_from(["0", "-1", "2", "99999999999999999999"]), st.text()),
        "page_size": st.one_of(st.sampled_from(["0", "1000", "3"]), st.text()),
    },
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=PARAMS)
def test_any_input_gets_a_normal_page_and_a_json_answer(params):
    client = Client()
    page = client.get("/search/", params)
    assert page.status_code == 200
    assert page.content.decode().count("<h1") == 1
    api = client.get("/api/search/", params)
    kind = url_params.clean(params.get("type"))
    not_int = [
        name
        for name in ("page", "page_size")
        if name in params
        and params[name].strip()
        and not re.fullmatch(r"[+-]?\d+", params[name].strip())
    ]
    if (kind and kind not in KINDS) or not_int:
        assert api.status_code == 400 and api.json()["detail"]
        return
    assert api.status_code == 200
    body = api.json()
    assert set(body) == {"count", "approximate", "next", "previous", "results"}
    assert len(body["results"]) <= body["count"] or body["results"] == []


@pytest.mark.parametrize("q", NASTY)
def test_the_nasty_inputs_each_get_a_normal_page(client, q):
    assert client.get("/search/", {"q": q}).status_code == 200
    assert client.get("/api/search/", {"q": q}).status_code == 200


def test_a_broad_query_says_how_it_is_ordered(client, monkeypatch):
    from search.backends import base

    monkeypatch.setattr(base, "RANK_LIMIT", 3)
    html = client.get("/search/", {"q": "技能"}).content.decode()
    assert "结果很多" in html and html.count("<h1") == 1
    assert "<h2>标签</h2>" not in html  # no facet counts for broad queries
    body = client.get("/api/search/", {"q": "技能"}).json()
    assert body["results"] and isinstance(body["approximate"], bool)
