"""Near-duplicates (sources.similar) measured on the seeds: the two issues' articles and the three
source documents' candidates; no Django needed."""

from __future__ import annotations

import html
import itertools
import re

import pytest

from importer.parse import parse_issue
from sources.parse import parse_source
from sources.similar import (
    LIKELY_EXCERPTED,
    Fingerprint,
    Index,
    Match,
    fingerprint,
    jaccard,
    overlap,
    shingles,
)
from tests.seeds import ISSUE_01, ISSUE_02, seed_text
from tests.sources.generated import excerpt_of
from tests.sources.seedfiles import NEWSLETTER, POLICY, UNIVERSITY


def plain(body_html: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "\n", body_html))


@pytest.fixture(scope="module")
def articles() -> dict[str, str]:
    found = {}
    for name, label in ((ISSUE_02, "2024-02"), (ISSUE_01, "2024-01")):
        for article in parse_issue(seed_text(name)).articles:
            text = "\n".join([article.title, article.subtitle, plain(article.body_html)])
            found[f"{label} {article.number}"] = text
    return found


@pytest.fixture(scope="module")
def candidates() -> dict[str, str]:
    found = {}
    for name in (POLICY, NEWSLETTER, UNIVERSITY):
        for number, article in enumerate(parse_source(seed_text(name)).articles, start=1):
            found[f"{name[:3]}#{number}"] = article.text
    return found


@pytest.fixture(scope="module")
def prints(articles, candidates) -> dict[str, Fingerprint]:
    return {key: fingerprint(text) for key, text in {**articles, **candidates}.items()}


def test_counts(articles, candidates):
    assert len(articles) == 74 and len(candidates) == 30


def test_no_candidate_is_already_in_the_two_issues(articles, candidates, prints):
    scores = [overlap(prints[c], prints[a]) for c, a in itertools.product(candidates, articles)]
    assert max(scores) < LIKELY_EXCERPTED - 0.15


def test_related_but_different_notices_are_not_duplicates(prints):
    # 003's 《关于开展市域产教联合体建设的通知》 and 2024年第02期 1.1.3 on the same policy
    score = overlap(prints["003#1"], prints["2024-02 1.1.3"])
    assert 0.15 < score < LIKELY_EXCERPTED - 0.15


def test_candidates_are_not_duplicates_of_each_other(candidates, prints):
    scores = {
        (a, b): overlap(prints[a], prints[b]) for a, b in itertools.combinations(candidates, 2)
    }
    assert max(scores.values()) < LIKELY_EXCERPTED
    # the highest: the notice and the expert's commentary that quotes it
    assert max(scores, key=scores.get) == ("003#1", "003#4")


def test_an_excerpt_of_each_candidate_is_found(candidates, prints):
    index = Index(prints.items())
    for key, text in candidates.items():
        best = index.matches(excerpt_of(text), limit=1)[0]
        assert best.key == key
        assert best.likely_excerpted, (key, best.overlap)


def test_the_index_agrees_with_pairwise_scores(articles, prints):
    index = Index((key, prints[key]) for key in articles)
    found = index.matches(prints["003#1"], limit=3)
    assert found[0].key == "2024-02 1.1.3"
    for match in found:
        assert match.overlap == pytest.approx(overlap(prints["003#1"], prints[match.key]))
        assert match.jaccard == pytest.approx(jaccard(prints["003#1"], prints[match.key]))


def test_overlap_not_jaccard_finds_a_short_excerpt_of_a_long_text(candidates):
    long = candidates["002#1"]
    short = long[2000:2600]
    assert overlap(fingerprint(short), fingerprint(long)) > 0.95
    assert jaccard(fingerprint(short), fingerprint(long)) < 0.1


def test_normalised_before_shingling():
    assert shingles("職業教育，產教融合") == shingles("职业教育 产教融合")
    assert shingles("ＡＩ５Ｇ") == shingles("ai5g")


def test_a_short_text_is_never_likely_excerpted():
    text = "职业教育产教融合发展"
    (match,) = Index([("a", text)]).matches(text)
    assert match.overlap == 1.0 and not match.likely_excerpted


def test_fingerprint_round_trip(prints):
    found = prints["004#20"]
    again = Fingerprint.from_bytes(found.to_bytes())
    assert again.size == found.size and overlap(again, found) == 1.0


def test_empty_texts():
    assert overlap(fingerprint(""), fingerprint("正文")) == 0.0
    assert Index().matches("正文") == [] and Index([("a", "正文内容")]).matches("") == []
    assert isinstance(Index([("a", "正文内容")]).matches("正文内容")[0], Match)
