"""Every admin page, for every staff role, renders — with a bounded number of queries."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from articles.models import Article
from communities.models import Community, Organization
from issues.models import Issue
from tests.conftest import admin_form_data
from tests.seeds import SEED_ARTICLE

pytestmark = pytest.mark.django_db

MODELS = [
    m
    for m in admin.site._registry
    if m._meta.app_label in {"issues", "articles", "communities", "taggit"}
]


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("role", ["superuser", "editor", "chief"])
def test_every_changelist_and_change_page_renders(
    client, request, role, django_assert_max_num_queries
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    for model in MODELS:
        perm = f"{model._meta.app_label}.view_{model._meta.model_name}"
        expected = 200 if user.has_perm(perm) else 403
        # However many rows there are (500 communities, 1,300 organisations), a fixed few queries.
        with django_assert_max_num_queries(25):
            response = client.get(_url(model, "changelist"))
        assert response.status_code == expected, (model, role)
        obj = model.objects.order_by("pk").first()
        if obj is not None:
            with django_assert_max_num_queries(60):
                response = client.get(_url(model, "change", obj.pk))
            assert response.status_code in ((200,) if expected == 200 else (302, 403)), (
                model,
                role,
            )
        can_add = user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}")
        response = client.get(_url(model, "add"))
        assert response.status_code == (200 if can_add else 403), (model, role)


def test_issue_page_lists_sections_and_articles_in_printed_order(client, superuser):
    client.force_login(superuser)
    issue = Issue.objects.get(year=2024, number=2)
    html = client.get(_url(Issue, "change", issue.pk)).content.decode()
    assert html.index("1.2.8") < html.index("1.2.7")
    assert "职教动态" in html and "重要通知" in html


def test_article_changelist_filters_and_search(client, editor):
    client.force_login(editor)
    url = _url(Article, "changelist")
    issue = Issue.objects.get(year=2024, number=2)
    response = client.get(url, {"issue__id__exact": issue.pk, "source": "中国教育报"})
    assert response.status_code == 200
    assert (
        response.context["cl"].result_count
        == Article.objects.filter(issue=issue, source="中国教育报").count()
        == 3
    )
    response = client.get(url, {"q": "南粤家政"})
    assert response.context["cl"].result_count >= 1
    response = client.get(url, {"section__title": "重要通知"})
    assert (
        response.context["cl"].result_count
        == Article.objects.filter(section__title="重要通知").count()
    )


def test_registry_changelist_filters(client, editor):
    client.force_login(editor)
    url = _url(Community, "changelist")
    response = client.get(url, {"scope__exact": "provincial", "province": "湖北"})
    assert (
        response.context["cl"].result_count
        == Community.objects.filter(scope="provincial", province="湖北").count()
        > 0
    )
    response = client.get(url, {"q": "湖南交通职业技术学院"})
    assert response.context["cl"].result_count >= 2
    response = client.get(url, {"lead_kind": "enterprise", "founded_year__exact": "2024"})
    assert response.status_code == 200 and response.context["cl"].result_count > 0


def test_organization_page_lists_its_communities(client, editor):
    client.force_login(editor)
    org = Organization.objects.get(name="湖南交通职业技术学院")
    html = client.get(_url(Organization, "change", org.pk)).content.decode()
    assert "全国数字智能立体交通产教融合共同体" in html
    assert "全国路桥工程智能检测监测行业产教融合共同体" in html


def test_autocomplete_for_issue_section_and_tags(client, editor):
    client.force_login(editor)
    for field in ("issue", "section", "tags"):
        response = client.get(
            reverse("admin:autocomplete"),
            {"app_label": "articles", "model_name": "article", "field_name": field, "term": ""},
        )
        assert response.status_code == 200, field


def test_editor_can_tag_an_article_through_the_form(client, superuser):
    from taggit.models import Tag

    client.force_login(superuser)
    article = Article.objects.get(issue__number=2, number=SEED_ARTICLE)
    tag = Tag.objects.create(name="编辑选的标签", slug="bian-ji-xuan-de")
    data = admin_form_data(client, _url(Article, "change", article.pk))
    data["tag_list"] = [tag.pk]
    response = client.post(_url(Article, "change", article.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(article.tags.names()) == ["编辑选的标签"]
