"""引用本文 on the seeds: GB/T 7714-2015 for the periodical and the original, RIS and BibTeX."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.citation import bibtex, gbt7714, ris
from articles.models import Article

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 1)


def _article(number: str = "1.1.3") -> Article:
    return Article.objects.select_related("issue").get(
        issue__year=2024, issue__number=2, number=number
    )


def test_the_periodical_and_the_original_in_gbt_7714():
    article = _article()
    cited = gbt7714(article, accessed=DAY)
    pages = f"{article.page_start}-{article.page_end}"
    assert cited.periodical == f"{article.title}[J]. 职教通讯, 2024(2): {pages}."
    date = article.source_date.isoformat()
    assert cited.original == (
        f"{article.source}. {article.title}[EB/OL]. {article.source_name}, ({date})[2026-12-01]."
    )
    article.source_url = "https://www.moe.gov.cn/srcsite/A07/s7055/202410/t20241024.html"
    article.compiled_by = "职教所"
    cited = gbt7714(article, accessed=DAY)
    assert cited.periodical.startswith("职教所. ")
    assert cited.original.endswith(f"[2026-12-01]. {article.source_url}.")


def test_one_page_and_no_source():
    article = _article()
    article.page_end = article.page_start
    article.source = article.source_name = ""
    cited = gbt7714(article, accessed=DAY)
    assert cited.periodical.endswith(f"2024(2): {article.page_start}.")
    assert cited.original is None


def test_ris_and_bibtex_carry_the_same_facts():
    article = _article()
    url = "http://zhijiao.example/articles/2024/2/1.1.3/"
    text = ris(article, url=url, accessed=DAY)
    lines = text.split("\r\n")
    assert lines[0] == "TY  - JOUR" and lines[-2] == "ER  - "
    tags = dict(line.split("  - ", 1) for line in lines if "  - " in line)
    assert tags["TI"] == article.title and tags["T2"] == "职教通讯"
    assert (tags["PY"], tags["IS"]) == ("2024", "2")
    assert (tags["SP"], tags["EP"]) == (str(article.page_start), str(article.page_end))
    assert tags["UR"] == url and tags["Y2"] == "2026-12-01"

    entry = bibtex(article, url=url, accessed=DAY)
    assert entry.startswith("@article{zhijiao2024-02-1.1.3,\n")
    assert f"  title = {{{article.title}}}" in entry
    assert f"  pages = {{{article.page_start}--{article.page_end}}}" in entry
    assert entry.count("{") == entry.count("}")


def test_bibtex_escapes_what_tex_would_read():
    article = _article()
    article.title = "校企合作 100% 覆盖 & {新} 模式_一"
    entry = bibtex(article, url="http://x/a_b%20c", accessed=DAY)
    assert r"title = {校企合作 100\% 覆盖 \& \{新\} 模式\_一}" in entry
    assert "url = {http://x/a_b%20c}" in entry


def test_the_article_page_shows_the_citation_and_offers_the_downloads(client):
    article = _article()
    html = client.get(article.get_absolute_url()).content.decode()
    cited = gbt7714(article, accessed=timezone.localdate())
    assert "引用本文" in html
    assert f'<output id="cite-periodical">{cited.periodical}</output>' in html
    for kind, content_type in (("ris", "research-info-systems"), ("bib", "x-bibtex")):
        url = reverse(f"articles:cite-{kind}", args=[2024, 2, "1.1.3"])
        assert f'href="{url}" download' in html
        response = client.get(url)
        assert response.status_code == 200 and content_type in response["Content-Type"]
        assert "attachment; filename*=utf-8''" in response["Content-Disposition"]
        assert article.title in response.content.decode()


def test_a_draft_has_no_citation_for_outsiders(client):
    article = _article()
    article.status = "draft"
    article.save()
    assert client.get(reverse("articles:cite-ris", args=[2024, 2, "1.1.3"])).status_code == 404


def test_a_topic_or_place_label_is_no_author():
    # 产教融合：… or 山东：… name what the text is about, not who published it: the original is
    # cited under its 信息来源 (or not at all), and the feed names no such author.
    from articles.feeds import LatestArticlesFeed
    from articles.models import SourceKind

    labelled = Article.objects.select_related("issue").exclude(source="")
    others = [a for a in labelled if a.source_kind != SourceKind.OUTLET]
    assert {SourceKind.TOPIC, SourceKind.PLACE} <= {a.source_kind for a in others}
    feed = LatestArticlesFeed()
    for article in others:
        original = gbt7714(article, accessed=DAY).original
        assert not (original or "").startswith(f"{article.source}. "), article.number
        assert (original is None) == (not article.source_name), article.number
        assert feed.item_author_name(article) == article.source_name, article.number
    outlet = next(a for a in labelled if a.source_kind == SourceKind.OUTLET)
    assert gbt7714(outlet, accessed=DAY).original.startswith(f"{outlet.source}. ")
