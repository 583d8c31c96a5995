"""The history list reads as what changed: a diff of the text, Chinese headings, full names."""

from __future__ import annotations

import pytest
from django.urls import reverse

from articles.models import Article
from core.textdiff import inline_html, side_by_side_html
from tests.conftest import admin_form_data
from tests.seeds import SEED_COMMUNITY

pytestmark = pytest.mark.django_db

LONG_BODY = "".join(
    f"<p>第{i}段：职业教育产教融合的做法与经验，以及下一步打算。</p>" for i in range(40)
)


def test_a_chinese_diff_marks_characters_not_whole_lines():
    html = inline_html("学院召开职业教育工作会议。", "学院召开职教工作会议。")
    assert html == "学院召开职<del>业教育</del><ins>教</ins>工作会议。"
    left, right = side_by_side_html("甲乙<丙>", "甲丁<丙>")
    assert left == "甲<mark>乙</mark>&lt;丙&gt;" and right == "甲<mark>丁</mark>&lt;丙&gt;"


def _history(client, article):
    url = reverse("admin:articles_article_history", args=[article.pk])
    return client.get(url).content.decode()


def test_the_history_shows_a_readable_diff_of_the_body(editor, editor_client):
    editor.first_name, editor.last_name = "乐", "刘"
    editor.save()
    article = Article.objects.get(issue__number=2, number="1.1.2")
    change = reverse("admin:articles_article_change", args=[article.pk])
    for body in (LONG_BODY, LONG_BODY.replace("第20段：职业教育", "第20段：技工教育")):
        data = admin_form_data(editor_client, change)
        data["body"] = body
        assert editor_client.post(change, data).status_code == 302

    page = _history(editor_client, article)
    # The change itself, as text, and not the HTML cut off somewhere.
    assert "第20段：<del>职业</del><ins>技工</ins>教育" in page
    assert "&lt;p&gt;" not in page and "chars]" not in page
    assert "字未改" in page  # long unchanged text is shortened around the change
    for heading in ("时间", "操作", "修改人", "修改原因", "修改内容"):
        assert f">{heading}" in page
    assert "Changes</th>" not in page and "Change reason" not in page
    assert "刘乐" in page  # the full name, family name first
    assert "None" not in page


def test_the_history_names_related_rows_and_choices(chief_client):
    article = Article.objects.get(issue__number=2, number="1.1.3")
    change = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(chief_client, change)
    data["status"] = "draft"
    data["subtitle"] = "新的副标题"
    assert chief_client.post(change, data).status_code == 302
    page = _history(chief_client, article)
    assert "<dt>状态</dt>" in page and "<ins>草稿</ins>" in page
    assert "<dt>副标题</dt>" in page and "新的副标题" in page
    assert "<dt>版本</dt>" not in page  # the counter the code keeps is no edit


def test_the_other_content_models_use_the_same_list(editor_client):
    from communities.models import Community
    from issues.models import Section

    for obj in (
        Section.objects.filter(issue__number=2).first(),
        Community.objects.get(number=SEED_COMMUNITY),
    ):
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
        page = editor_client.get(url).content.decode()
        assert ">修改内容" in page and "首个版本" in page
