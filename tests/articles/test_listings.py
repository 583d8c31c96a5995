"""栏目与来源 on the real seeds (issue 14): 来源 lists outlets and 信息来源 lines, never a topic
or a place; topic labels are tags; places have a group and lists of their own; the article page
names its label for what it is."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from articles import listings
from articles.models import Article, SourceKind
from core.publishing import Status
from tests.seeds import SEED_ARTICLE

pytestmark = pytest.mark.django_db

# The seeds' place labels and their articles: 2024年第01期 2.3.1–2.3.5 and 4.3.1–4.3.2, and
# 2024年第02期 3.2.1 广州科教城.
SEED_PLACES = {"广州": 3, "山东": 1, "江苏": 1, "浙江": 1, "甘肃": 1, "广州科教城": 1}
SEED_TOPICS = ["产教融合", "工学一体化", "三全五育", "职普融通", "智慧建筑技术趋势"]


def _article(number: str, issue: int = 2) -> Article:
    return Article.objects.select_related("issue").get(
        issue__year=2024, issue__number=issue, number=number
    )


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _chips(html: str, heading: str) -> dict[str, tuple[str, int]]:
    """A group of the index page: name → (link, count)."""
    section = re.search(rf'<h2 id="[a-z]+-title">{heading}</h2>(.*?)</section>', html, re.S)
    assert section, heading
    return {
        name: (href, int(count))
        for href, name, count in re.findall(
            r'<a href="([^"]+)">([^<]+?) <span class="count">(\d+)</span></a>', section.group(1)
        )
    }


def test_sources_are_outlets_and_information_sources_only(client):
    sources = _chips(_html(client.get(reverse("articles:index"))), "来源")
    for label in [*SEED_TOPICS, *SEED_PLACES]:
        assert label not in sources, label
    outlets = set(
        Article.objects.published()
        .filter(source_kind=SourceKind.OUTLET)
        .values_list("source", flat=True)
    )
    lines = {
        listings.source_key(a.source_name)
        for a in Article.objects.published().exclude(source_kind=SourceKind.OUTLET)
        if a.source_name
    }
    assert set(sources) == outlets | lines
    # The 信息来源 of an article whose label is a topic: 2.1.3 三全五育, 《职业教育》2024年第8期.
    assert "《职业教育》2024年第8期" in sources and "技工教育网" in sources
    # Each count is what the source's list shows.
    for name, (href, count) in sources.items():
        assert href == reverse("articles:source", args=[name])
        assert listings.from_source(name).count() == count, name
    # 中国教育报: its three outlet labels (1.2.1–1.2.3) and the 信息来源 lines naming it.
    assert sources["中国教育报"][1] == 7


def test_topic_labels_are_tags(client):
    tags = _chips(_html(client.get(reverse("articles:index"))), "标签")
    for topic in ("产教融合", "工学一体化", "三全五育", "职普融通", "智能建筑"):
        assert topic in tags, topic
    assert "产教融合" in _article(SEED_ARTICLE).tags.names()


def test_places_have_a_group_with_counts_and_lists(client):
    places = _chips(_html(client.get(reverse("articles:index"))), "地区")
    assert {name: count for name, (_, count) in places.items()} == SEED_PLACES
    href, count = places["广州"]
    assert href == reverse("articles:place", args=["广州"])
    html = _html(client.get(href))
    assert '<h1><span class="eyebrow">地区</span> 广州</h1>' in html
    assert f"各期共 {count} 篇文章" in html
    numbers = {a.number for a in listings.in_place("广州")}
    assert numbers == {"2.3.3", "4.3.1", "4.3.2"}
    for number in numbers:
        assert _article(number, issue=1).get_absolute_url() in html


def test_a_place_of_draft_articles_only_or_no_place_is_404(client):
    only = _article("2.3.5", issue=1)  # 山东
    only.status = Status.DRAFT
    only.save()
    assert client.get(reverse("articles:place", args=["山东"])).status_code == 404
    assert client.get(reverse("articles:place", args=["中国教育报"])).status_code == 404
    assert client.get(reverse("articles:place", args=["没有这个地方"])).status_code == 404


def test_old_source_links_of_topics_and_places_lead_on(client):
    response = client.get(reverse("articles:source", args=["产教融合"]))
    tag = _article(SEED_ARTICLE).tags.get(name="产教融合")
    assert response.status_code == 302
    assert response["Location"] == reverse("articles:tag", args=[tag.slug])
    response = client.get(reverse("articles:source", args=["山东"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("articles:place", args=["山东"])
    # A topic label without a tag of its name has no list to lead to.
    assert client.get(reverse("articles:source", args=["智慧建筑技术趋势"])).status_code == 404
    assert client.get(reverse("articles:source", args=["没有这个来源"])).status_code == 404


@pytest.mark.parametrize(
    ("issue", "number", "name", "target"),
    [
        (2, "1.2.1", "来源", ("articles:source", ["中国教育报"])),
        (2, SEED_ARTICLE, "主题", ("articles:tag", None)),  # the tag 产教融合
        (2, "2.2.4", "主题", None),  # 智慧建筑技术趋势: tagged 智能建筑, no tag of its own name
        (1, "2.3.5", "地区", ("articles:place", ["山东"])),
    ],
)
def test_the_article_page_names_the_label_for_what_it_is(client, issue, number, name, target):
    article = _article(number, issue)
    html = _html(client.get(article.get_absolute_url()))
    if target is None:
        url = None
        assert f"<dt>{name}</dt><dd>{article.source}</dd>" in html
    else:
        view, args = target
        if args is None:
            args = [article.tags.get(name=article.source).slug]
        url = reverse(view, args=args)
        assert f'<dt>{name}</dt><dd><a href="{url}">{article.source}</a></dd>' in html
    eyebrow = re.search(r'<p class="eyebrow">(.*?)</p>', html).group(1)
    assert article.source in eyebrow
    assert (f'href="{url}"' in eyebrow) if url else ("href" not in eyebrow)
    if article.source_kind != SourceKind.OUTLET:
        assert reverse("articles:source", args=[article.source]) not in html


def test_an_article_without_a_label_shows_no_kind(client):
    article = _article("3.1.1")
    html = _html(client.get(article.get_absolute_url()))
    assert article.source == "" and "<dt>来源</dt>" not in html and "<dt>主题</dt>" not in html


def test_only_an_outlet_label_stands_in_for_a_missing_information_source():
    article = _article(SEED_ARTICLE)  # 产教融合：…
    article.source_name = ""
    assert article.source_line == ""
    article.source, article.source_kind = "中国教育报", SourceKind.OUTLET
    assert article.source_line.startswith("信息来源：中国教育报（")


def test_source_key_removes_only_marks_around_the_whole_name():
    assert listings.source_key("《中国教育报》") == "中国教育报"
    assert listings.source_key(" 中国教育报 ") == "中国教育报"
    assert listings.source_key("《职业教育》2024年第8期") == "《职业教育》2024年第8期"
    assert listings.source_key("《甲》与《乙》") == "《甲》与《乙》"


@pytest.mark.usefixtures("no_page_cache")
def test_each_list_names_each_article_once_and_reads_no_body(client, django_assert_num_queries):
    from taggit.models import Tag

    tag = Tag.objects.get(name="产教融合")
    tagged = set(Article.objects.published().filter(tags=tag).values_list("pk", flat=True))
    assert len(tagged) > 1
    # Each page: how many articles it lists (None: not checked here), and its queries (the
    # count and the page's rows; the tag page reads its tag first).
    pages = {
        reverse("articles:tag", args=[tag.slug]): (len(tagged), 3),
        reverse("articles:source", args=["中国教育报"]): (None, 2),
        reverse("articles:place", args=["广州"]): (SEED_PLACES["广州"], 2),
        reverse("articles:section", args=["重要通知"]): (None, 2),
    }
    for url, (expected, asked) in pages.items():
        with django_assert_num_queries(asked) as queries:
            html = _html(client.get(url))
        links = re.findall(r'<h3><a href="(/articles/[^"]+)">', html)
        assert links and len(links) == len(set(links)), url
        if expected is not None:
            assert len(links) == expected
        listed = " ".join(q["sql"] for q in queries.captured_queries)
        assert '"body"' not in listed and "DISTINCT" not in listed, url


def test_an_article_s_tags_are_its_own_in_the_order_given():
    """What the article page lists (``tags_of``): the article's tags as given, not the tags another
    kind of object holds under the same number."""
    from django.contrib.contenttypes.models import ContentType
    from taggit.models import Tag, TaggedItem

    from issues.models import Issue

    article = _article(SEED_ARTICLE)
    article.tags.clear()
    article.tags.add("职普融通")
    article.tags.add("工学一体化")
    article.tags.add("产教融合")
    TaggedItem.objects.create(
        tag=Tag.objects.create(name="别的对象的标签"),
        content_type=ContentType.objects.get_for_model(Issue),
        object_id=article.pk,
    )
    assert [t.name for t in listings.tags_of(article)] == ["职普融通", "工学一体化", "产教融合"]
    assert set(article.tags.names()) == {t.name for t in listings.tags_of(article)}
