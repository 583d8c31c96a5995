"""The registry's summaries kept under the registry's token (communities/summary.py,
core/kept.py): read once, served while nothing of the registry changes, whatever articles do, and
retired exactly by the units that write the registry."""

from __future__ import annotations

import pytest
from django.urls import reverse

from articles.models import Article
from communities.models import Community, Scope
from core import kept
from core.changes import content_change
from tests.seeds import SEED_COMMUNITY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]

LIST = reverse("communities:list")


def _listed(client, **params) -> dict[int, str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return {row.number: row.name for row in response.context["page"]}


def test_a_kept_list_page_reads_only_the_token(client, django_assert_max_num_queries):
    client.get(LIST)  # the first reader after a change reads it
    with django_assert_max_num_queries(1):  # the registry's token
        assert client.get(LIST).status_code == 200
    client.get(LIST, {"page": "2"})
    with django_assert_max_num_queries(1):
        assert client.get(LIST, {"page": "2"}).status_code == 200
    client.get(LIST, {"scope": "national", "sort": "-founded"})
    with django_assert_max_num_queries(1):
        assert client.get(LIST, {"scope": "national", "sort": "-founded"}).status_code == 200


def test_editing_a_community_changes_the_kept_list_and_facets(client):
    community = Community.objects.get(number=SEED_COMMUNITY)
    params = {"founded_year": community.founded_year, "founded_month": community.founded_month}
    assert _listed(client, **params)[SEED_COMMUNITY] == community.name
    before = client.get(LIST, params).context["facets"]
    with content_change():  # the one path every write takes (the admin opens it too)
        community.name = "改名后的共同体"
        community.scope = (
            Scope.PROVINCIAL if community.scope != Scope.PROVINCIAL else Scope.NATIONAL
        )
        community.save()
    assert _listed(client, **params)[SEED_COMMUNITY] == "改名后的共同体"
    after = client.get(LIST, params).context["facets"]
    counts = {f.name: {v.value: v.count for v in f.values} for f in after}
    assert counts["scope"] == {
        scope: Community.objects.filter(scope=scope, **params).count() for scope in counts["scope"]
    }
    assert before != after


def test_a_lead_unit_removed_leaves_the_kept_row(client):
    community = Community.objects.get(number=SEED_COMMUNITY)
    page = {"q": community.name}
    (row,) = client.get(LIST, page).context["page"]
    assert row.leads
    with content_change():
        community.lead_unit_links.all().delete()
    (row,) = client.get(LIST, page).context["page"]
    assert row.leads == ()


def test_an_article_edit_keeps_the_registry_summaries(client, django_assert_max_num_queries):
    client.get(LIST)
    registry_token = kept.token("registry")
    with content_change():
        article = Article.objects.first()
        article.title = "只改文章"
        article.save()
    assert kept.token("registry") == registry_token
    with django_assert_max_num_queries(1):
        client.get(LIST)


def test_the_home_figures_follow_a_registry_change(client):
    before = client.get(reverse("issues:home")).context["figures"]
    with content_change():
        Community.objects.get(number=SEED_COMMUNITY).delete()
    after = client.get(reverse("issues:home")).context["figures"]
    assert after["communities"] == before["communities"] - 1 == Community.objects.count()
    assert after["chart"].total == after["communities"]


def test_the_kept_home_page_reads_no_registry_table(client, django_assert_max_num_queries):
    client.get(reverse("issues:home"))
    # The latest issue, the registry's token, its sections and articles, the newest articles.
    with django_assert_max_num_queries(5):
        assert client.get(reverse("issues:home")).status_code == 200


def test_made_up_page_numbers_share_the_kept_first_page_or_are_not_kept(client):
    from tests.queries import counted_queries

    first = _listed(client)
    for junk in ("abc", "1x", "", " 1", "0001"):
        with counted_queries() as queries:
            assert _listed(client, page=junk) == first
        assert len(queries) == 1, junk  # the token: the kept first page
    for far in ("999", "100000"):  # past the kept pages: the last page, worked out each time
        with counted_queries() as queries:
            client.get(LIST, {"page": far})
        assert len(queries) > 1
