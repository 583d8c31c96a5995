"""The article form (issue 13, item 4): 栏目 lists the chosen issue's sections only, a section of
another issue is refused with the model's reason, and the title fields are wide."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from articles.models import Article
from issues.models import Issue, Section
from tests.conftest import admin_form_data
from tests.seeds import SEED_ARTICLE

pytestmark = pytest.mark.django_db


def _issues() -> tuple[Issue, Issue]:
    return Issue.objects.get(year=2024, number=2), Issue.objects.get(year=2024, number=1)


def _offered(response) -> list[str]:
    field = response.context["adminform"].form.fields["section"]
    return [str(value) for value, _ in field.choices if value != ""]


def _pks(issue: Issue) -> list[str]:
    return [
        str(pk) for pk in issue.sections.order_by("position", "pk").values_list("pk", flat=True)
    ]


def test_the_change_form_offers_the_articles_issue_only(editor_client):
    issue, _ = _issues()
    article = issue.articles.get(number=SEED_ARTICLE)
    response = editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert _offered(response) == _pks(issue)
    page = response.content.decode()
    section = article.section
    assert (
        f'<option value="{section.pk}" selected>{section.number} {section.title}</option>' in page
    )


def test_the_add_form_offers_the_issue_it_was_opened_for(editor_client):
    _, issue = _issues()
    url = reverse("admin:articles_article_add")
    assert _offered(editor_client.get(f"{url}?issue={issue.pk}")) == _pks(issue)
    assert _offered(editor_client.get(url)) == []
    assert _offered(editor_client.get(f"{url}?issue=abc")) == []


def test_the_script_gets_every_issues_sections(editor_client):
    first, second = _issues()
    response = editor_client.get(reverse("admin:articles_article_add"))
    widget = response.context["adminform"].form.fields["section"].widget
    by_issue = json.loads(widget.attrs["data-sections"])
    assert [str(pk) for pk, _ in by_issue[str(second.pk)]] == _pks(second)
    assert [str(pk) for pk, _ in by_issue[str(first.pk)]] == _pks(first)
    page = response.content.decode()
    assert "articles/article_form.js" in page and "articles/article_form.css" in page


def test_a_posted_issue_limits_the_list_shown_again(editor_client):
    _, issue = _issues()
    url = reverse("admin:articles_article_add")
    response = editor_client.post(url, {"issue": issue.pk, "title": ""})
    assert response.status_code == 200
    assert _offered(response) == _pks(issue)


def test_a_section_of_another_issue_is_refused_with_the_models_reason(chief_client):
    issue, other = _issues()
    article = issue.articles.get(number=SEED_ARTICLE)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(chief_client, url)
    data["section"] = other.sections.first().pk
    response = chief_client.post(url, data)
    assert response.status_code == 200
    assert "栏目必须属于这篇文章所在的期刊。" in response.content.decode()
    assert Article.objects.get(pk=article.pk).section_id == article.section_id


@pytest.mark.parametrize("value", ["999999", "abc"])
def test_a_section_that_does_not_exist_is_refused_in_chinese(chief_client, value):
    issue, _ = _issues()
    article = issue.articles.get(number=SEED_ARTICLE)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(chief_client, url)
    data["section"] = value
    response = chief_client.post(url, data)
    assert response.status_code == 200
    assert "所选的栏目不存在，请重新选择。" in response.content.decode()


def test_a_section_of_the_chosen_issue_is_saved(chief_client):
    issue, _ = _issues()
    article = issue.articles.get(number=SEED_ARTICLE)
    target = Section.objects.filter(issue=issue).exclude(pk=article.section_id).last()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(chief_client, url)
    data["section"] = target.pk
    assert chief_client.post(url, data).status_code == 302
    assert Article.objects.get(pk=article.pk).section_id == target.pk


def test_the_title_fields_are_wide(editor_client):
    issue, _ = _issues()
    article = issue.articles.get(number=SEED_ARTICLE)
    form = (
        editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
        .context["adminform"]
        .form
    )
    for name in ("title", "toc_title", "subtitle"):
        assert "article-wide" in form.fields[name].widget.attrs["class"], name
