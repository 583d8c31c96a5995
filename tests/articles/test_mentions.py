"""Which communities and organisations an article names, and keeping that current."""

from __future__ import annotations

import pytest

from articles.mentions import (
    COMMUNITY,
    MIN_ORGANIZATION_NAME,
    ORGANIZATION,
    NameIndex,
    article_text,
    normalize_text,
    refresh_mentions,
)
from articles.models import Article, Mention
from communities.models import Community, Organization
from core.publishing import Status
from tests.seeds import SEED_ARTICLE, SEED_COMMUNITY, SEED_COMMUNITY_NAME

# --- the matching rule, without a database ----------------------------------------------------


def _index() -> NameIndex:
    return NameIndex.build(
        communities={SEED_COMMUNITY_NAME: SEED_COMMUNITY},
        organizations={
            "中国中车集团": 1,
            "哈尔滨工业大学": 2,
            "哈尔滨工业大学（深圳）": 3,
            "广州大学": 4,  # too short to trust: 广州大学城
            "湖南铁道职业技术学院": 5,
            "轨道交通装备行业": 6,  # inside the community's name: part of that name
        },
    )


def test_exact_names_are_found_and_counted():
    found = _index().find(
        normalize_text("<p>中国中车集团牵头。</p><p>中国中车集团、湖南铁道职业技术学院</p>")
    )
    assert found == {(ORGANIZATION, 1): 2, (ORGANIZATION, 5): 1}


def test_longest_name_wins_where_names_overlap():
    found = _index().find(
        normalize_text("哈尔滨工业大学（深圳）与国家轨道交通装备行业产教融合共同体")
    )
    assert found == {(ORGANIZATION, 3): 1, (COMMUNITY, SEED_COMMUNITY): 1}


def test_short_organisation_names_are_not_matched():
    assert len("广州大学") < MIN_ORGANIZATION_NAME
    assert not _index().find(normalize_text("广州大学城的职业院校"))


def test_text_is_normalised_like_the_registry_names():
    # Spaces from typesetting and half-width brackets do not hide a name.
    text = normalize_text("<p>哈尔滨工业大学 (深圳)</p><p>湖南铁道 职业技术学院</p>")
    assert _index().find(text) == {(ORGANIZATION, 3): 1, (ORGANIZATION, 5): 1}


def test_names_are_not_read_across_paragraphs():
    assert not _index().find(normalize_text("<p>中国中车</p><p>集团</p>"))


def test_article_text_includes_title_and_subtitle():
    text = article_text(title="中国中车集团发布", subtitle="", body="<p>正文</p>")
    assert _index().find(text) == {(ORGANIZATION, 1): 1}


# --- on the real seeds ------------------------------------------------------------------------


@pytest.mark.django_db
def test_article_2_1_1_names_the_rail_community_and_its_lead_units():
    article = Article.objects.get(issue__year=2024, issue__number=2, number=SEED_ARTICLE)
    community = Community.objects.get(name=SEED_COMMUNITY_NAME)
    mentions = Mention.objects.filter(article=article)
    assert mentions.filter(community=community).exists()
    text = normalize_text(article.body)
    named_leads = {o.pk for o in community.lead_units.all() if o.name in text}
    assert len(named_leads) >= 2  # 中国中车集团 and 湖南铁道职业技术学院
    assert named_leads <= set(mentions.values_list("organization", flat=True))


@pytest.mark.django_db
def test_stored_mentions_equal_a_fresh_computation():
    before = set(Mention.objects.values_list("article", "community", "organization", "occurrences"))
    refresh_mentions()
    after = set(Mention.objects.values_list("article", "community", "organization", "occurrences"))
    assert before == after and after


@pytest.mark.django_db
def test_community_and_organisation_pages_list_the_articles(client):
    article = Article.objects.get(issue__year=2024, issue__number=2, number=SEED_ARTICLE)
    community = Community.objects.get(number=SEED_COMMUNITY)
    organization = Organization.objects.get(name="中国中车集团")
    for obj in (community, organization):
        html = client.get(obj.get_absolute_url()).content.decode()
        assert article.get_absolute_url() in html
    api = client.get(f"/api/communities/{community.number}/").json()
    assert [a["number"] for a in api["mentioned_in"]] == [SEED_ARTICLE]


@pytest.mark.django_db
def test_draft_article_mentions_are_not_shown(client):
    article = Article.objects.get(issue__year=2024, issue__number=2, number=SEED_ARTICLE)
    article.status = Status.DRAFT
    article.save()
    html = client.get(
        Community.objects.get(number=SEED_COMMUNITY).get_absolute_url()
    ).content.decode()
    assert article.get_absolute_url() not in html
    api = client.get(f"/api/communities/{SEED_COMMUNITY}/").json()
    assert api["mentioned_in"] == []


@pytest.mark.django_db
def test_editing_an_article_updates_its_mentions(django_capture_on_commit_callbacks):
    article = Article.objects.get(issue__year=2024, issue__number=1, number="1.1.1")
    community = Community.objects.order_by("number").last()
    assert not Mention.objects.filter(article=article, community=community).exists()
    with django_capture_on_commit_callbacks(execute=True):
        article.body += f"<p>{community.name}成立。</p>"
        article.save()
    assert Mention.objects.filter(article=article, community=community).exists()
    with django_capture_on_commit_callbacks(execute=True):
        article.body = article.body.replace(community.name, "某共同体")
        article.save()
    assert not Mention.objects.filter(article=article, community=community).exists()


@pytest.mark.django_db
def test_renaming_a_community_or_organisation_updates_mentions(django_capture_on_commit_callbacks):
    article = Article.objects.get(issue__year=2024, issue__number=2, number=SEED_ARTICLE)
    community = Community.objects.get(number=SEED_COMMUNITY)
    with django_capture_on_commit_callbacks(execute=True):
        community.name = "改名后的共同体"
        community.save()
    assert not Mention.objects.filter(article=article, community=community).exists()

    organization = Organization.objects.exclude(mentions__isnull=False).order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        organization.name = "中车株机公司与大连交通大学"  # a phrase the article prints
        organization.save()
    assert "中车株机公司与大连交通大学" in normalize_text(article.body)
    assert Mention.objects.filter(article=article, organization=organization).exists()


@pytest.mark.django_db
def test_correcting_an_organisations_province_keeps_the_mentions():
    def rows():
        return sorted(
            Mention.objects.values_list("article", "community", "organization", "occurrences"),
            key=str,
        )

    before = rows()
    organization = Organization.objects.get(name="中国中车集团")
    organization.province = "北京"
    organization.save()
    assert rows() == before and before


def _names_read(queries) -> int:
    return sum(
        "communities_organization" in q["sql"] and "communities_mention" not in q["sql"]
        for q in queries
    )


@pytest.mark.django_db
def test_an_article_save_reads_the_registry_names_once_per_registry_token():
    """The names are kept under the registry's token: a save of an article reads them only
    while none are kept, and a renamed organisation is found by the next article's save."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first, second = Article.objects.filter(issue__year=2024, issue__number=1).order_by("pk")[:2]
    for article, reads in ((first, 1), (second, 0)):
        with CaptureQueriesContext(connection) as queries:
            article.body += "<p>又一段。</p>"
            article.save()
        assert _names_read(queries.captured_queries) == reads, article.number

    organization = Organization.objects.exclude(mentions__isnull=False).order_by("pk").first()
    organization.name = "白云工商技师学院产教融合研究所"
    organization.save()  # a registry write: its token, and the kept names with it, replaced
    second.body += f"<p>{organization.name}发布报告。</p>"
    second.save()
    assert Mention.objects.filter(article=second, organization=organization).exists()
