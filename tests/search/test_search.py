"""Search over the real seed content: recall and precision against a substring scan, ranking,
query syntax, normalisation, facets and pagination (on whichever database the suite runs on).

The helpers at the top are shared with test_index.py and test_ranking.py."""

from __future__ import annotations

import random
from functools import cached_property

import pytest

from articles.listings import source_key
from articles.models import Article, SourceKind
from communities.models import Community, LeadUnit, Organization
from core.text import html_to_text
from core.tokens import match_text
from search.backends import Filters
from search.models import SearchDocument
from search.service import search


def article_fields(article: Article) -> list[str]:
    """The searched text of an article: headings, source, tags, body (one string per field)."""
    return [
        article.title,
        article.subtitle,
        article.toc_title,
        article.source,
        article.source_name,
        *(t.name for t in article.tags.all()),
        html_to_text(article.body),
    ]


def community_fields(community: Community, lead_units: list[str]) -> list[str]:
    return [community.name, community.lead_units_text, *lead_units]


class Corpus(dict[int, list[str]]):
    """Primary key → the searched fields as stored; ``folded``: the same fields as the search
    compares them, folded once (not again for every term scanned)."""

    @cached_property
    def folded(self) -> dict[int, list[str]]:
        return {pk: [match_text(f) for f in fields] for pk, fields in self.items()}


def published_corpus() -> Corpus:
    articles = Article.objects.published().prefetch_related("tags")
    return Corpus({a.pk: article_fields(a) for a in articles})


def community_corpus() -> Corpus:
    names: dict[int, list[str]] = {}
    for link in LeadUnit.objects.select_related("organization"):
        names.setdefault(link.community_id, []).append(link.organization.name)
    return Corpus({c.pk: community_fields(c, names.get(c.pk, [])) for c in Community.objects.all()})


def scan(corpus: Corpus, term: str) -> set[int]:
    """The reference: objects one of whose fields contains the term, compared as the search
    compares (width, case, traditional characters and spaces next to Han folded)."""
    needle = match_text(term)
    return {pk for pk, fields in corpus.folded.items() if any(needle in f for f in fields)}


def raw_scan(corpus: dict[int, list[str]], term: str) -> set[int]:
    """A plain substring scan of the text as stored, nothing folded."""
    return {pk for pk, fields in corpus.items() if any(term in f for f in fields)}


def article_keys() -> dict[tuple[int, int, str], int]:
    """(issue year, issue number, article number) → primary key, of every article."""
    rows = Article.objects.values_list("issue__year", "issue__number", "number", "pk")
    return {(year, issue, number): pk for year, issue, number, pk in rows}


def found(query: str, *, kind: str = "article", keys: dict | None = None, **kwargs) -> list[int]:
    """Primary keys of every result of ``query`` (all pages), in ranked order. ``keys``: the
    result → primary key map of that kind (article_keys(), community number → pk), for a loop of
    many queries over unchanging content; by default read afresh."""
    if keys is None and kind == "article":
        keys = article_keys()
    elif keys is None and kind == "community":
        keys = dict(Community.objects.values_list("number", "pk"))
    out: list[int] = []
    page = 1
    while True:
        result = search(query=query, kinds=[kind], page=page, per_page=100, **kwargs)
        for r in result.results:
            if kind == "article":
                out.append(keys[(r.issue.year, r.issue.number, r.number)])
            elif kind == "community":
                out.append(keys[int(r.number)])
            else:
                out.append(int(r.url.rstrip("/").rsplit("/", 1)[-1]))
        if not result.has_next:
            return out
        page += 1


def organization_ids() -> dict[str, int]:
    return dict(Organization.objects.values_list("name", "pk"))


# --- recall and precision ------------------------------------------------------------------------

pytestmark = pytest.mark.django_db

# Lengths of the drawn queries: many one- and two-character ones (72 % of the corpus's words are two
# characters), and long phrases.
_LENGTHS = [1, 1, 2, 2, 2, 3, 4, 4, 5, 6, 8, 12, 20, 40]


def _as_query(piece: str) -> str | None:
    """A drawn piece of text as a query for exactly that text, or None if it cannot be one."""
    piece = piece.strip()
    if not piece or '"' in piece or piece.startswith("-") or not match_text(piece).strip():
        return None
    return f'"{piece}"' if any(c.isspace() for c in piece) else piece


def _draw(corpus: dict[int, list[str]], rng: random.Random, n: int) -> list[str]:
    pool = [line for fields in corpus.values() for f in fields for line in f.split("\n") if line]
    queries: list[str] = []
    while len(queries) < n:
        line = rng.choice(pool)
        size = min(rng.choice(_LENGTHS), len(line))
        start = rng.randrange(len(line) - size + 1)
        query = _as_query(line[start : start + size])
        if query:
            queries.append(query)
    return queries


def _term(query: str) -> str:
    return query[1:-1] if query.startswith('"') else query


# Named in the issue: short words, sub-words, Latin words and numbers, full-width and traditional.
_NAMED = ["家政", "产教", "教融", "eVTOL", "5G", "11.7亿", "ＥＶＴＯＬ", "職業教育", "家", "的"]


def test_article_search_finds_exactly_what_a_substring_scan_finds():
    corpus = published_corpus()
    keys = article_keys()
    # A query drawn twice (a common one-character word, say) is asked once: the answer is the same.
    queries = list(dict.fromkeys(_NAMED + _draw(corpus, random.Random(20240), 300)))
    misses, extras = {}, {}
    for query in queries:
        got = set(found(query, keys=keys))
        expected = scan(corpus, _term(query))
        # A plain scan of the stored text finds a subset: the search also folds width, case, …
        assert raw_scan(corpus, _term(query)) <= expected
        if expected - got:
            misses[query] = expected - got
        if got - expected:
            extras[query] = got - expected
    assert not misses, f"recall below 1.0: {misses}"
    assert not extras, f"precision below 1.0: {extras}"


def test_registry_search_finds_exactly_what_a_substring_scan_finds():
    corpus = community_corpus()
    keys = dict(Community.objects.values_list("number", "pk"))
    for query in dict.fromkeys([*_draw(corpus, random.Random(500), 120), "共同体", "产教", "家"]):
        got = set(found(query, kind="community", keys=keys))
        assert got == scan(corpus, _term(query)), query


def test_every_organisation_is_found_by_its_name():
    orgs = organization_ids()
    assert len(orgs) > 500
    for name in random.Random(7).sample(sorted(orgs), 60):
        query = f'"{name}"' if " " in name else name
        assert orgs[name] in found(query, kind="organization"), name


def test_numbers_and_latin_words_match_inside_longer_text():
    corpus = published_corpus()
    for query in ["11.7", "VTOL", "vto", "2024", "G+8K", "101计划", "5G+"]:
        got = set(found(query))
        assert got == scan(corpus, query) and got, query


# --- ranking -------------------------------------------------------------------------------------

# A query naming one article's subject → that article (issue number, article number), first.
SUBJECTS = [
    ("南粤家政", 2, "1.1.1"),
    ("市域产教联合体", 2, "1.1.3"),
    ("三年行动计划", 2, "1.1.5"),
    ("东盟", 2, "1.1.7"),
    ("立交桥", 2, "1.2.2"),
    ("101计划", 2, "1.2.3"),
    ("快车道", 2, "1.2.4"),
    ("职业本色", 2, "1.2.7"),
    ("三全五育", 2, "2.1.3"),
    ("数字教材", 2, "2.1.4"),
    ("综合高中", 2, "2.1.5"),
    ("粤菜", 2, "2.2.3"),
    ("智能建筑", 2, "2.2.4"),
    ("生成式人工智能", 2, "3.1.1"),
    ("功夫工坊", 2, "3.2.3"),
    ("超高清", 2, "4.3.3"),
    ("低空经济", 1, "4.2.1"),
    ("链式改造", 1, "4.2.2"),
    ("职普融通", 1, "2.2.1"),
    ("中高职贯通", 1, "2.2.4"),
    ("职教高考", 1, "2.1.2"),
    ("技能人才发展条例", 1, "1.2.4"),
    ("11.7亿", 1, "1.2.1"),
    ("国家智慧教育平台", 1, "1.1.2"),
    ("師資培訓", 1, "1.1.6"),
    ("数字化转型 职业教育", 2, "3.1.2"),
]


@pytest.mark.parametrize(("query", "issue", "number"), SUBJECTS)
def test_the_article_about_the_query_comes_first(query, issue, number):
    first = search(query=query, kinds=["article"]).results[0]
    assert (first.issue.year, first.issue.number, first.number) == (2024, issue, number)


def _title_holds(article: Article, terms: list[str]) -> int:
    """How many of the terms the title (what a result shows) holds; a subtitle does not count."""
    title = match_text(article.title)
    return sum(match_text(t) in title for t in terms)


@pytest.mark.parametrize("query", ["产教融合", "技能人才", "新质生产力", "广州 产教融合", "技工"])
def test_articles_whose_title_names_the_query_come_before_those_that_only_mention_it(query):
    by_pk = Article.objects.in_bulk()
    terms = query.split()
    held = [_title_holds(by_pk[pk], terms) for pk in found(query)]
    assert held == sorted(held, reverse=True)
    assert held[0] == len(terms) and held[-1] < len(terms)  # both kinds are present


# --- the query language and normalisation ---------------------------------------------------------


def test_several_words_must_all_occur():
    corpus = published_corpus()
    got = found("产教融合 广州")
    assert set(got) == scan(corpus, "产教融合") & scan(corpus, "广州") and got


def test_a_minus_excludes():
    corpus = published_corpus()
    got = set(found("技工教育 -广州"))
    assert got == scan(corpus, "技工教育") - scan(corpus, "广州") and got


def test_a_minus_excludes_when_the_rest_is_punctuation():
    """Nothing to look up in the index (、): every document is a candidate, and the exclusion
    must still apply, as the substring check."""
    corpus = published_corpus()
    got = set(found("、 -广州"))
    assert got == scan(corpus, "、") - scan(corpus, "广州") and got
    assert got != scan(corpus, "、")


@pytest.mark.parametrize("query", ["-", "、", "、 -广州"])
def test_a_query_no_index_can_look_up_is_not_compiled_first(query):
    """On PostgreSQL the search plans with sequential scans off; a query of punctuation must scan
    all the same, which then looks costly enough to JIT-compile: that compiling took hundreds of
    milliseconds for a scan of one or two. What PostgreSQL would do with each of the search's
    statements, asked with the settings the search sends with them."""
    from django.db import connection

    from search.backends import get_backend

    if connection.vendor != "postgresql":
        pytest.skip("JIT compilation is PostgreSQL's")
    settings = get_backend().settings_sql
    statements: list[tuple[str, object]] = []

    def record(execute, sql, params, many, context):
        if sql.startswith(settings):
            statements.append((sql.removeprefix(settings), params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert found(query)
    assert statements
    for sql, params in statements:
        with connection.cursor() as cursor:
            cursor.execute(settings + "EXPLAIN " + sql, params)
            cursor.nextset()
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "JIT:" not in plan, plan


def test_the_search_settings_end_with_its_statements():
    """The planner settings travel with each of the search's statements and end with it, in a
    caller's transaction (the search's savepoint) as in autocommit (its own connection here):
    later statements plan as usual."""
    from django.db import connection, connections

    from search.backends import get_backend

    if connection.vendor != "postgresql":
        pytest.skip("the settings are PostgreSQL's")
    settings = get_backend().settings_sql
    asked = "SELECT current_setting('enable_seqscan'), current_setting('jit')"

    def current(conn) -> tuple[str, str]:
        with conn.cursor() as cursor:
            cursor.execute(asked)
            return cursor.fetchone()

    before = current(connection)
    assert found("产教融合")
    assert current(connection) == before == ("on", before[1])
    own = connections.create_connection("default")
    try:
        assert own.get_autocommit()
        with own.cursor() as cursor:
            cursor.execute(settings + asked)
            cursor.nextset()
            assert cursor.fetchone() == ("off", "off")
        assert current(own) == before
    finally:
        own.close()


def test_a_quoted_phrase_is_one_term():
    corpus = published_corpus()
    got = set(found('"加快 5G、千兆光网"'))
    assert got == scan(corpus, "加快 5G、千兆光网") and got
    assert set(found('"南粤家政" "百千万工程"')) == scan(corpus, "南粤家政") & scan(
        corpus, "百千万工程"
    )


@pytest.mark.parametrize(
    ("variant", "plain"),
    [("職業教育", "职业教育"), ("ＥＶＴＯＬ", "evtol"), ("５Ｇ", "5G"), ("產教融合", "产教融合")],
)
def test_traditional_full_width_and_case_variants_find_the_same(variant, plain):
    plain_found = found(plain)
    assert found(variant) == plain_found and plain_found


# --- facets and pages ----------------------------------------------------------------------------


def test_facet_counts_count_the_matches_and_filters_narrow_them():
    page = search(query="产教融合", kinds=["article"], per_page=100)
    by_pk = Article.objects.select_related("issue", "section").prefetch_related("tags").in_bulk()
    matched = [by_pk[pk] for pk in found("产教融合")]
    expected = {
        "issue": _count(f"{a.issue.year}-{a.issue.number}" for a in matched),
        "section": _count(a.section.title for a in matched),
        "source": _count(source_key(a.outlet or a.source_name) for a in matched),
        "place": _count(a.source for a in matched if a.source_kind == SourceKind.PLACE),
        "tag": _count(t.name for a in matched for t in a.tags.all()),
    }
    for name, counts in expected.items():
        assert {v.value: v.count for v in page.facets[name]} == counts, name
    tag = page.facets["tag"][0].value
    narrowed = search(query="产教融合", kinds=["article"], filters=Filters(tag=tag), per_page=100)
    assert narrowed.count == page.facets["tag"][0].count
    assert {r.number for r in narrowed.results} == {
        a.number for a in matched if tag in {t.name for t in a.tags.all()}
    }
    issue = search(query="产教融合", kinds=["article"], filters=Filters(issue=(2024, 1)))
    assert issue.count and {r.issue.number for r in issue.results} == {1}


def _count(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        if v:
            out[v] = out.get(v, 0) + 1
    return out


def test_the_source_facet_names_outlets_and_places_are_a_facet_of_their_own():
    page = search(query="职业", kinds=["article"], per_page=100)
    sources = {v.value for v in page.facets["source"]}
    places = {v.value: v.count for v in page.facets["place"]}
    # Topic and place labels of the seeds (栏目与来源 lists them apart too).
    assert not sources & {"三全五育", "产教融合", "工学一体化", "职普融通", "山东", "江苏", "广州"}
    assert {"中国教育报", "教育部"} <= sources
    assert {"山东", "江苏", "浙江", "甘肃"} <= set(places)
    shandong = search(query="职业", kinds=["article"], filters=Filters(place="山东"))
    assert shandong.count == places["山东"]
    assert {r.number for r in shandong.results} == {
        a.number
        for a in Article.objects.filter(source="山东", source_kind=SourceKind.PLACE)
        if a.pk in set(found("职业"))
    }


def test_pages_follow_each_other_without_gaps_or_repeats():
    everything = found("技能")
    pages = []
    for n in range(1, 5):
        pages += [
            (r.issue.number, r.number)
            for r in search(query="技能", kinds=["article"], page=n, per_page=7).results
        ]
    by_pk = Article.objects.select_related("issue").in_bulk()
    assert pages == [(by_pk[pk].issue.number, by_pk[pk].number) for pk in everything[:28]]
    beyond = search(query="技能", kinds=["article"], page=999)
    assert beyond.results == [] and beyond.count == len(everything)


def test_counts_per_kind_do_not_depend_on_the_kind_asked_for():
    articles = search(query="产教融合", kinds=["article"])
    communities = search(query="产教融合", kinds=["community"])
    assert articles.counts == communities.counts
    assert articles.count == articles.counts["article"]
    assert communities.count == communities.counts["community"]
    assert {r.type for r in communities.results} == {"community"}


def test_results_say_where_they_are_and_highlight_the_query():
    [result] = search(query="南粤家政", kinds=["article"], per_page=1).results
    assert result.location == "2024年第02期 › 1 职教动态 › 1.1 重要通知 › 1.1.1"
    assert result.url == "/articles/2024/2/1.1.1/"
    assert "<mark>南粤家政</mark>" in result.snippet
    assert "<mark>南粤家政</mark>" in result.title_html


# --- broad queries -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["产教融合", "技能", "職業教育 -广州", "家", "11.7亿"])
def test_a_broad_query_finds_the_same_title_hits_first_then_newest(monkeypatch, query):
    """Past RANK_LIMIT candidates a query is "broad": results (all pages) are still exactly the
    scan's, those whose title holds the terms first, each group newest (highest id) first."""
    from search.backends import base as backends

    corpus = published_corpus()
    terms = [t for t in query.split() if not t.startswith("-")]
    expected = scan(corpus, terms[0])
    for t in query.split()[1:]:
        expected = (
            expected - scan(corpus, t[1:]) if t.startswith("-") else expected & scan(corpus, t)
        )
    monkeypatch.setattr(backends, "RANK_LIMIT", 3)
    got = found(query)
    assert set(got) == expected and len(got) == len(expected)
    page = search(query=query, kinds=["article"])
    if len(scan(corpus, terms[0])) > 3:  # enough candidates to be broad
        assert page.broad and not page.facets["tag"]
        if page.count_is_exact:
            assert page.count == len(expected)
        else:
            assert page.count >= min(len(expected), 4)
    rows = dict(SearchDocument.objects.filter(kind="article").values_list("object_id", "id"))
    by_pk = Article.objects.in_bulk()
    held = [_title_holds(by_pk[pk], terms) == len(terms) for pk in got]
    assert held == sorted(held, reverse=True)
    for group in (True, False):
        ids = [rows[pk] for pk, h in zip(got, held, strict=True) if h == group]
        assert ids == sorted(ids, reverse=True)


def test_a_snippet_from_the_ranking_s_first_position_is_the_snippet_found_from_the_start():
    """The ranking's first position in the body only spares the snippet normalising the text
    before it, and is passed only where the text is that body (``text_is_body``)."""
    from search.documents import source
    from search.highlight import snippet

    checked = 0
    for doc in SearchDocument.objects.filter(kind__in=["article", "community"]):
        if source(doc.kind).text_is_body:
            assert doc.body_norm == match_text(doc.text), doc.title
        folded = match_text(doc.text)
        for terms in (["产教融合"], ["职业", "技能"], ["5g"], ["不存在的词语"]):
            plain = snippet(doc.text, terms)
            if at := [i for t in terms if (i := folded.find(t)) >= 0]:
                assert snippet(doc.text, terms, first=min(at)) == plain, (doc.title, terms)
                checked += 1
    assert checked > 500
