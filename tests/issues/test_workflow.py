"""Draft → 待审 → published: only 主编 publish; scheduled items appear by themselves; history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.numbering import renumber, renumbering_changes
from core.publishing import Status
from issues.models import Issue
from tests.conftest import admin_form_data
from tests.seeds import SEED_ARTICLE

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:articles_article_changelist"


def _action(client, name: str, pks: list[int], url_name: str = CHANGELIST, **extra):
    return client.post(
        reverse(url_name), {"action": name, "_selected_action": pks, **extra}, follow=True
    )


def test_editor_cannot_publish_or_unpublish(editor_client):
    article = Article.objects.get(issue__number=2, number="1.1.1")
    _action(editor_client, "unpublish", [article.pk])
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = editor_client.get(url).context["adminform"].form
    assert "status" not in form.fields  # read-only for an editor once published
    add_form = editor_client.get(reverse("admin:articles_article_add")).context["adminform"].form
    assert [c for c, _ in add_form.fields["status"].choices] == [Status.DRAFT, Status.REVIEW]


def test_editor_submits_for_review_and_chief_publishes(editor_client, chief):
    article = Article.objects.get(issue__number=1, number="3.1")
    article.status = Status.DRAFT
    article.save()
    _action(editor_client, "submit_for_review", [article.pk])
    article.refresh_from_db()
    assert article.status == Status.REVIEW
    assert not Article.objects.published().filter(pk=article.pk).exists()
    editor_client.force_login(chief)
    _action(editor_client, "publish", [article.pk])
    assert Article.objects.published().filter(pk=article.pk).exists()
    _action(editor_client, "unpublish", [article.pk])
    assert not Article.objects.published().filter(pk=article.pk).exists()


def test_scheduled_article_appears_when_its_time_comes(client, monkeypatch):
    article = Article.objects.get(issue__number=2, number=SEED_ARTICLE)
    article.published_at = timezone.now() + timedelta(hours=2)
    article.save()
    assert client.get(article.get_absolute_url()).status_code == 404
    later = timezone.now() + timedelta(hours=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert client.get(article.get_absolute_url()).status_code == 200


def test_every_change_is_in_the_history_with_who_made_it(editor_client):
    article = Article.objects.get(issue__number=2, number="1.1.3")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(editor_client, url)
    data["title"] = "改过一次"
    assert editor_client.post(url, data).status_code == 302
    latest = article.history.latest()
    assert latest.title == "改过一次" and latest.history_user.username == "editor"
    previous = latest.prev_record
    delta = latest.diff_against(previous)
    assert "title" in delta.changed_fields
    history_page = editor_client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert history_page.status_code == 200 and "改过一次" in history_page.content.decode()


def test_a_version_can_be_restored(chief_client):
    article = Article.objects.get(issue__number=2, number="1.1.4")
    original = article.title
    article.title = "错误的修改"
    article.save()
    old = article.history.filter(title=original).earliest()
    old.instance.save()
    article.refresh_from_db()
    assert article.title == original


def test_a_deleted_article_can_be_restored():
    article = Article.objects.get(issue__number=2, number="4.3.3")
    pk = article.pk
    article.delete()
    record = Article.history.filter(id=pk, history_type="-").get()
    record.prev_record.instance.save()
    restored = Article.objects.get(pk=pk)
    assert restored.number == "4.3.3" and restored.body


def test_renumber_follows_printed_order_and_asks_for_a_published_issue(chief_client):
    issue = Issue.objects.get(year=2024, number=2)
    changes = renumbering_changes(issue)
    assert sorted((old, new) for _, old, new in changes) == [("1.2.7", "1.2.8"), ("1.2.8", "1.2.7")]
    url = "admin:issues_issue_changelist"
    before = {a.pk: a.number for a in issue.articles.all()}
    response = _action(chief_client, "renumber", [issue.pk], url)
    assert "确认重新编号" in response.content.decode()
    assert {a.pk: a.number for a in issue.articles.all()} == before  # nothing yet
    _action(chief_client, "renumber", [issue.pk], url, confirm="yes")
    after = {a.pk: a.number for a in issue.articles.all()}
    assert sum(before[k] != after[k] for k in before) == 2
    assert renumbering_changes(issue) == []
    assert renumber(issue=issue) == 0


def test_editors_preview_drafts_as_teachers_will_see_them(client, teacher, editor):
    issue = Issue.objects.get(year=2024, number=1)
    issue.status = Status.DRAFT
    issue.save()
    article = issue.articles.get(number="3.1")
    for user in (None, teacher):
        if user:
            client.force_login(user)
        assert client.get(issue.get_absolute_url()).status_code == 404
        assert client.get(article.get_absolute_url()).status_code == 404
    client.force_login(editor)
    page = client.get(issue.get_absolute_url()).content.decode()
    assert "预览" in page and article.toc_title in page
    page = client.get(article.get_absolute_url()).content.decode()
    assert "预览" in page and article.title in page
    published = Article.objects.published().first()
    assert "预览" not in client.get(published.get_absolute_url()).content.decode()


def test_deleted_article_is_listed_and_restored_from_the_admin(chief_client):
    article = Article.objects.get(issue__number=2, number="4.3.2")
    pk, title = article.pk, article.title
    delete_url = reverse("admin:articles_article_delete", args=[pk])
    assert chief_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=pk).exists()
    deleted_url = reverse("admin:articles_article_deleted")
    page = chief_client.get(deleted_url)
    assert page.status_code == 200 and title in page.content.decode()
    record = page.context["records"][0]
    chief_client.post(deleted_url, {"record": record.history_id})
    assert Article.objects.get(pk=pk).title == title
    # Restored once: it is no longer listed, and a second restore is a clear error.
    assert pk not in [r.id for r in chief_client.get(deleted_url).context["records"]]
    response = chief_client.post(deleted_url, {"record": record.history_id}, follow=True)
    assert "没有这条删除记录" in response.content.decode()
    response = chief_client.post(deleted_url, {"record": "abc"}, follow=True)  # hostile input
    assert response.status_code == 200 and "没有这条删除记录" in response.content.decode()


def test_teacher_cannot_see_deleted_items(client, teacher):
    client.force_login(teacher)
    response = client.get(reverse("admin:articles_article_deleted"))
    assert response.status_code == 302  # to the admin login
