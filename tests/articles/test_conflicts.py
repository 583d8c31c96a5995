"""Two editors save the same article: the second save is refused, nothing is overwritten."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from tests.conftest import admin_form_data

pytestmark = pytest.mark.django_db


def _form_data(client: Client, url: str) -> dict:
    return admin_form_data(client, url)


def test_second_editor_is_refused_and_told_what_changed(editor, chief):
    article = Article.objects.get(issue__number=2, number="1.1.1")
    url = reverse("admin:articles_article_change", args=[article.pk])
    first, second = Client(), Client()
    first.force_login(chief)
    second.force_login(editor)
    data_first, data_second = _form_data(first, url), _form_data(second, url)

    data_first["title"] = "主编改的标题"
    assert first.post(url, data_first).status_code == 302

    data_second["title"] = "编辑改的标题"
    response = second.post(url, data_second)
    assert response.status_code == 200  # the form again, with the refusal
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    # What changed is named by field; the values are side by side below (test_conflict_merge).
    assert "保存被拒绝" in errors and "chief" in errors and "其中标题你也改过" in errors
    article.refresh_from_db()
    assert article.title == "主编改的标题"
    # The second editor's text is still in the form, and the first version is in the history.
    page = response.content.decode()
    assert "编辑改的标题" in page and "<ins>主编改的标题</ins>" in page
    assert article.history.filter(title="主编改的标题").exists()

    # Saving again without a choice is refused again; choosing one's own title goes through.
    assert second.post(url, data_second).status_code == 200
    conflict = response.context["adminform"].form.conflict
    data_second.update({"conflict-version": conflict.current_version, "conflict-title": "mine"})
    assert second.post(url, data_second).status_code == 302
    article.refresh_from_db()
    assert article.title == "编辑改的标题"


def test_an_editor_saving_twice_in_a_row_is_not_a_conflict(editor):
    client = Client()
    client.force_login(editor)
    article = Article.objects.get(issue__number=2, number="1.1.2")
    url = reverse("admin:articles_article_change", args=[article.pk])
    for title in ("第一次", "第二次"):
        data = _form_data(client, url)
        data["title"] = title
        assert client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.title == "第二次"


def test_the_refusal_names_the_editor_and_the_local_time(editor, chief):
    from django.utils import timezone

    chief.first_name, chief.last_name = "乐", "刘"
    chief.save()
    article = Article.objects.get(issue__number=2, number="1.1.3")
    url = reverse("admin:articles_article_change", args=[article.pk])
    first, second = Client(), Client()
    first.force_login(chief)
    second.force_login(editor)
    data_first, data_second = _form_data(first, url), _form_data(second, url)
    data_first["title"] = "主编改的标题"
    assert first.post(url, data_first).status_code == 302
    data_second["title"] = "编辑改的标题"
    response = second.post(url, data_second)
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    saved = article.history.latest("history_date").history_date
    assert "刘乐" in errors  # family name first, as the editors write it
    assert timezone.localtime(saved).strftime("%Y-%m-%d %H:%M") in errors  # Asia/Shanghai


def test_the_version_check_locks_the_article_row_alone(django_db_setup):
    # Locking the issue's row too (as the model's ordering joined it) made a save and an import
    # of another issue deadlock: each waited for a row the other held.
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from articles.conflicts import find_conflict

    article = Article.objects.order_by("pk").first()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert find_conflict(article.pk, base_version=article.version) is None
    (lock,) = [q["sql"] for q in queries.captured_queries if "FOR " in q["sql"]] or [None]
    if connection.features.has_select_for_update:
        assert lock and "issues_issue" not in lock
        assert "FOR NO KEY UPDATE" in lock
