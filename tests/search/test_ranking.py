"""Ranking over the real seeds (2024年第02期 and 第01期): title hits first, then source and tag hits
(the label before the colon, 信息来源, tags), then the rest; within each, how often and then how
early the body says the terms; ties by newest issue, then printed position
(search/backends/ranking.py).

Expected orders are worked out here from the articles as stored (``Facts``, ``rule_order``), not
from the index. Every query is one whose order would differ if the tiers were ignored; some are
also spelled out by article number, checked against the text by hand."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from articles.models import Article
from communities.models import Community, LeadUnit
from core.text import html_to_text
from core.tokens import match_text, parse_query
from search.backends.ranking import page_tiers
from search.models import SearchDocument
from search.service import search
from tests.search.test_search import article_keys, found

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Facts:
    """What the rule reads of one document, folded as the search folds text."""

    title: str
    labels: tuple[str, ...]  # an article's source, 信息来源 and tags; a community's lead units
    headings: tuple[str, ...]  # found, but ranked with the rest: subtitle, 目录 title
    body: str
    issue: tuple[int, int]  # (year, number); (0, 0) for a community
    position: int  # printed position; a community's registry number

    def holds(self, term: str) -> bool:
        return any(term in f for f in (self.title, *self.labels, *self.headings, self.body))

    def tier(self, terms: list[str]) -> tuple[int, int]:
        """How many terms the title holds, and how many the title or the labels hold."""
        in_title = sum(t in self.title for t in terms)
        labelled = sum(t in self.title or any(t in label for label in self.labels) for t in terms)
        return in_title, labelled

    def mentions(self, terms: list[str]) -> int:
        return sum(self.body.count(t) for t in terms)

    def first_mention(self, terms: list[str]) -> float:
        return min((self.body.find(t) for t in terms if t in self.body), default=float("inf"))

    def key(self, terms: list[str], *, tiers: bool = True) -> tuple:
        in_title, labelled = self.tier(terms) if tiers else (0, 0)
        return (
            -in_title,
            -labelled,
            -self.mentions(terms),
            self.first_mention(terms),
            -self.issue[0],
            -self.issue[1],
            self.position,
        )


def _fold(*texts: str) -> tuple[str, ...]:
    return tuple(match_text(t) for t in texts if t)


def article_facts() -> dict[int, Facts]:
    articles = Article.objects.published().select_related("issue").prefetch_related("tags")
    return {
        a.pk: Facts(
            title=match_text(a.title),
            labels=_fold(a.source, a.source_name, *(t.name for t in a.tags.all())),
            headings=_fold(a.subtitle, a.toc_title),
            body=match_text(html_to_text(a.body)),
            issue=(a.issue.year, a.issue.number),
            position=a.position,
        )
        for a in articles
    }


def community_facts() -> dict[int, Facts]:
    names: dict[int, list[str]] = {}
    for link in LeadUnit.objects.select_related("organization").order_by("position"):
        names.setdefault(link.community_id, []).append(link.organization.name)
    return {
        c.pk: Facts(
            title=match_text(c.name),
            labels=_fold(*names.get(c.pk, [])),
            headings=(),
            body=match_text(c.lead_units_text or "、".join(names.get(c.pk, []))),
            issue=(0, 0),
            position=c.number,
        )
        for c in Community.objects.all()
    }


def terms_of(query: str) -> list[str]:
    return [t.text for t in parse_query(query).positive]


def rule_order(facts: dict[int, Facts], query: str, *, tiers: bool = True) -> list[int]:
    """The documents the query finds, in the order the rule gives (or, to show that a case tells
    the tiers apart, the order it would give without them)."""
    parsed = parse_query(query)
    terms, excluded = terms_of(query), [t.text for t in parsed.negative]
    hits = [
        pk
        for pk, f in facts.items()
        if all(f.holds(t) for t in terms) and not any(f.holds(t) for t in excluded)
    ]
    return sorted(hits, key=lambda pk: facts[pk].key(terms, tiers=tiers))


# Words from both issues' titles, labels and bodies: every one has hits in at least two tiers.
CASES = [
    "职业教育",
    "職業教育",
    "产教融合",
    "技能人才",
    "新质生产力",
    "技工",
    "中等职业教育",
    "高技能人才",
    "现代职业教育体系",
    "教育部",  # a source
    "广州",  # places: sources, titles, bodies
    "校企合作",  # a tag
    "思政",
    "专业设置",
    "广州 产教融合",
    "产教 融合",
    "职业教育 -广州",
]


@pytest.mark.parametrize("query", CASES)
def test_results_come_in_tiers_then_by_the_body_then_newest(query):
    facts = article_facts()
    terms = terms_of(query)
    expected = rule_order(facts, query)
    # The case tells the tiers apart: it has two or more, and without them the order differs.
    assert len({facts[pk].tier(terms) for pk in expected}) >= 2
    assert expected != rule_order(facts, query, tiers=False)
    got = found(query)
    tiers = [facts[pk].tier(terms) for pk in got]
    assert tiers == sorted(tiers, reverse=True), "title, then source and tags, then the rest"
    assert got == expected


def test_the_reported_query_lists_every_title_hit_first():
    """Issue 14: for 职业教育 an article that did not hold it in its title ranked above eight that
    did. These fourteen titles hold it (read in both 目录)."""
    keys = article_keys()
    facts = article_facts()
    in_title = {
        keys[(2024, number, article)]
        for number, articles in (
            (2, ["1.1.4", "1.1.5", "1.2.1", "1.2.3", "3.1.2"]),
            (1, ["1.1.3", "2.1.3", "2.2.1", "2.2.2", "2.3.1", "2.3.2", "2.3.4", "2.3.5", "3.2"]),
        )
        for article in articles
    }
    assert {pk for pk, f in facts.items() if "职业教育" in f.title} == in_title
    got = found("职业教育")
    assert set(got[:14]) == in_title
    # Among them, those whose body says it most: 50, 44 and 27 times.
    first = [keys[(2024, 2, "1.2.1")], keys[(2024, 2, "1.1.5")], keys[(2024, 1, "1.1.3")]]
    assert [facts[pk].mentions(["职业教育"]) for pk in first] == [50, 44, 27]
    assert got[:3] == first
    # 2.3.1 and 2.2.2 of 第01期 both say it 11 times; 2.3.1 says it first, at character 24.
    earlier, later = keys[(2024, 1, "2.3.1")], keys[(2024, 1, "2.2.2")]
    assert [facts[pk].mentions(["职业教育"]) for pk in (earlier, later)] == [11, 11]
    assert facts[earlier].first_mention(["职业教育"]) < facts[later].first_mention(["职业教育"])
    assert got.index(later) == got.index(earlier) + 1
    # The article the issue named (架好产教融合“立交桥”) says it 39 times, and in its subtitle:
    # not in its title.
    reported = keys[(2024, 2, "1.2.2")]
    assert any("职业教育" in h for h in facts[reported].headings)
    assert facts[reported].mentions(["职业教育"]) == 39 and got.index(reported) >= 14
    # 职教数字教材建设应把握五个关键点 says it most of all (51 times), but neither its title nor a
    # label does: it comes after every article whose title or label does, first of the rest.
    most = keys[(2024, 2, "2.1.4")]
    mentions = {pk: f.mentions(["职业教育"]) for pk, f in facts.items()}
    assert max(mentions.values()) == mentions[most] == 51
    labelled = [pk for pk in got if facts[pk].tier(["职业教育"])[1]]
    assert got.index(most) == len(labelled) and most not in labelled


def test_two_words_rank_by_how_many_the_title_then_the_labels_hold():
    """广州 产教融合, checked by hand: 1.1.8 holds both in its title; 3.2.4 holds 广州 in its
    title and 产教融合 as a tag; 1.2.3 (第01期) and 2.1.5 hold 广州 in their titles and 产教融合
    only in the body, which says the two 39 and 34 times, so the older issue comes first; 3.2.1
    holds neither in its title, both in its labels (广州科教城, 产教融合)."""
    keys = article_keys()
    facts = article_facts()
    terms = ["广州", "产教融合"]
    order = [(2, "1.1.8"), (2, "3.2.4"), (1, "1.2.3"), (2, "2.1.5"), (2, "3.2.1")]
    pks = [keys[(2024, number, article)] for number, article in order]
    assert [facts[pk].tier(terms) for pk in pks] == [(2, 2), (1, 2), (1, 1), (1, 1), (0, 2)]
    assert [facts[pk].mentions(terms) for pk in pks[2:4]] == [39, 34]
    assert found("广州 产教融合")[:5] == pks


def test_ties_go_to_the_newest_issue_then_the_printed_order():
    """中国教育报 is the 信息来源 of seven articles and in none of their titles or bodies: one tier,
    no mentions, so 第02期's six in printed order, then 第01期's."""
    keys = article_keys()
    facts = article_facts()
    order = [
        (2, "1.2.1"),
        (2, "1.2.2"),
        (2, "1.2.3"),
        (2, "2.1.1"),
        (2, "2.1.4"),
        (2, "3.2.2"),
        (1, "2.2.4"),
    ]
    pks = [keys[(2024, number, article)] for number, article in order]
    assert {facts[pk].tier(["中国教育报"]) for pk in pks} == {(0, 1)}
    assert {facts[pk].mentions(["中国教育报"]) for pk in pks} == {0}
    assert found("中国教育报") == pks


@pytest.mark.parametrize("query", ["职业教育", "广州 产教融合", "技工", "教育部"])
def test_pages_of_any_size_make_the_same_order(query):
    """Only the tiers a page shows are counted in (ranking.page_tiers): pages that cut a tier
    anywhere still follow each other."""
    everything = found(query)
    for per_page in (1, 3, 7):
        pages, page = [], 1
        keys = article_keys()
        while True:
            result = search(query=query, kinds=["article"], page=page, per_page=per_page)
            pages += [keys[(r.issue.year, r.issue.number, r.number)] for r in result.results]
            if not result.has_next:
                break
            page += 1
        assert pages == everything, per_page


def test_the_tiers_on_a_page():
    counts = {10: 3, 5: 4, 0: 30}  # tier → results
    assert page_tiers(counts, 0, 2) == (10, 10)
    assert page_tiers(counts, 2, 2) == (5, 10)
    assert page_tiers(counts, 3, 4) == (5, 5)
    assert page_tiers(counts, 0, 20) == (0, 10)
    assert page_tiers(counts, 37, 20) is None
    assert page_tiers({}, 0, 20) is None


def test_an_edited_article_keeps_its_place_among_ties():
    """A rewritten index row keeps its id, which orders ties within an issue."""
    keys = article_keys()
    before = found("中国教育报")
    article = Article.objects.get(pk=keys[(2024, 2, "1.2.1")])
    row = SearchDocument.objects.get(kind="article", object_id=article.pk)
    article.body += "<p>补记。</p>"
    article.save()
    assert SearchDocument.objects.get(kind="article", object_id=article.pk).id == row.id
    assert found("中国教育报") == before


@pytest.mark.parametrize("query", ["交通", "电力", "医药", "农业"])
def test_registry_names_come_before_lead_units(query):
    """The registry search uses the same ranking: communities named for the word first, then
    those led by a unit so named; within each, by how often the lead units say it."""
    facts = community_facts()
    expected = rule_order(facts, query)
    assert expected != rule_order(facts, query, tiers=False)
    assert found(query, kind="community") == expected
