"""Two editors save the same article: nothing either of them wrote is lost on the retry."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from articles.merge import merge, merge_html_blocks, split_blocks
from articles.models import Article
from tests.conftest import admin_form_data

BODY = "<p>第一段：原文。</p>\n<p>第二段：原文。</p>\n<p>第三段：原文。</p>\n<p>第四段：原文。</p>"


# --- the merge itself, without a database ---------------------------------------------------------


def test_blocks_are_top_level_elements():
    html = "<p>一</p>\n<ul><li><p>二</p></li></ul><p>三<br>四</p><img src='/x.png'>"
    assert split_blocks(html) == [
        "<p>一</p>",
        "<ul><li><p>二</p></li></ul>",
        "<p>三<br>四</p>",
        "<img src='/x.png'>",
    ]


def test_changes_to_different_paragraphs_merge():
    theirs = BODY.replace("第一段：原文", "第一段：对方改")
    mine = BODY.replace("第三段：原文", "第三段：我改")
    merged = merge_html_blocks(BODY, theirs, mine)
    assert "第一段：对方改" in merged and "第三段：我改" in merged
    assert "第二段：原文" in merged and "第四段：原文" in merged


def test_changes_to_the_same_paragraph_do_not_merge():
    theirs = BODY.replace("第二段：原文", "第二段：对方改")
    mine = BODY.replace("第二段：原文", "第二段：我改")
    assert merge_html_blocks(BODY, theirs, mine) is None


def test_a_field_only_one_side_changed_takes_that_side():
    base = {"title": "原", "subtitle": "原", "source": "原"}
    result = merge(base, {**base, "subtitle": "对方"}, {**base, "title": "我"})
    assert result["title"].value == "我" and not result["title"].conflict
    assert result["subtitle"].value == "对方" and not result["subtitle"].conflict
    assert not result["source"].conflict


def test_without_the_base_version_every_difference_is_a_conflict():
    result = merge(None, {"title": "对方"}, {"title": "我"})
    assert result["title"].conflict


# --- two editors in the admin ---------------------------------------------------------------------


@pytest.fixture
def two_editors(editor, chief):
    article = Article.objects.get(issue__number=2, number="1.1.1")
    article.body = BODY
    article.save()
    url = reverse("admin:articles_article_change", args=[article.pk])
    first, second = Client(), Client()
    first.force_login(chief)
    second.force_login(editor)
    # Both open version N.
    return (
        article,
        url,
        (first, admin_form_data(first, url)),
        (second, admin_form_data(second, url)),
    )


def _conflict_of(response):
    form = response.context["adminform"].form
    return form.conflict


@pytest.mark.django_db
def test_both_editors_changes_survive_the_retry(two_editors):
    article, url, (first, data_a), (second, data_b) = two_editors
    data_a["subtitle"] = "甲改的副标题"
    data_a["body"] = BODY.replace("第一段：原文", "第一段：甲改")
    assert first.post(url, data_a).status_code == 302

    data_b["title"] = "乙改的标题"
    data_b["body"] = BODY.replace("第三段：原文", "第三段：乙改")
    response = second.post(url, data_b)
    assert response.status_code == 200
    page = response.content.decode()
    assert "保存被拒绝" in page
    conflict = _conflict_of(response)
    # Only the body was changed by both; the side-by-side shows each side's own change.
    assert [f.name for f in conflict.fields] == ["body"]
    body = conflict.fields[0]
    # Each side marked against the version both opened: who changed what.
    assert "第一段：<del>原文</del><ins>甲改</ins>" in body.theirs_html
    assert "第三段：<del>原文</del><ins>乙改</ins>" in body.mine_html
    assert "甲改" not in body.mine_html and "乙改" not in body.theirs_html
    assert "保留对方的" in page and "保留我的" in page and "手动编辑" in page
    article.refresh_from_db()
    assert article.title != "乙改的标题"  # nothing saved yet

    data_b.update({"conflict-version": str(conflict.current_version), "conflict-body": "both"})
    assert second.post(url, data_b).status_code == 302
    article.refresh_from_db()
    assert article.title == "乙改的标题"  # only B changed it
    assert article.subtitle == "甲改的副标题"  # only A changed it
    assert "第一段：甲改" in article.body and "第三段：乙改" in article.body
    assert "第二段：原文" in article.body and "第四段：原文" in article.body


@pytest.mark.django_db
def test_choosing_mine_keeps_mine_and_theirs_keeps_theirs(two_editors):
    article, url, (first, data_a), (second, data_b) = two_editors
    data_a["title"] = "甲改的标题"
    data_a["subtitle"] = "甲改的副标题"
    assert first.post(url, data_a).status_code == 302

    data_b["title"] = "乙改的标题"
    data_b["subtitle"] = "乙改的副标题"
    response = second.post(url, data_b)
    conflict = _conflict_of(response)
    assert {f.name for f in conflict.fields} == {"title", "subtitle"}
    data_b.update(
        {
            "conflict-version": str(conflict.current_version),
            "conflict-title": "mine",
            "conflict-subtitle": "theirs",
        }
    )
    assert second.post(url, data_b).status_code == 302
    article.refresh_from_db()
    assert article.title == "乙改的标题"
    assert article.subtitle == "甲改的副标题"


@pytest.mark.django_db
def test_manual_edit_saves_the_edited_text(two_editors):
    article, url, (first, data_a), (second, data_b) = two_editors
    data_a["title"] = "甲改的标题"
    assert first.post(url, data_a).status_code == 302
    data_b["title"] = "乙改的标题"
    conflict = _conflict_of(second.post(url, data_b))
    data_b.update(
        {
            "conflict-version": str(conflict.current_version),
            "conflict-title": "edit",
            "conflict-title-text": "甲乙商量后的标题",
        }
    )
    assert second.post(url, data_b).status_code == 302
    article.refresh_from_db()
    assert article.title == "甲乙商量后的标题"


@pytest.mark.django_db
def test_a_retry_without_a_choice_is_refused_again(two_editors):
    article, url, (first, data_a), (second, data_b) = two_editors
    data_a["title"] = "甲改的标题"
    data_a["subtitle"] = "甲改的副标题"
    assert first.post(url, data_a).status_code == 302
    data_b["title"] = "乙改的标题"
    data_b["subtitle"] = "乙改的副标题"
    conflict = _conflict_of(second.post(url, data_b))

    # A choice for the title only; none for the subtitle.
    data_b.update({"conflict-version": str(conflict.current_version), "conflict-title": "mine"})
    response = second.post(url, data_b)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "保存被拒绝" in errors and "还没有选择保留哪一方的版本：副标题" in errors
    assert 'value="mine" checked' in response.content.decode()  # the choice made is kept
    article.refresh_from_db()
    assert (article.title, article.subtitle) == ("甲改的标题", "甲改的副标题")

    # A choice that is not offered counts as none.
    data_b["conflict-subtitle"] = "both"
    assert second.post(url, data_b).status_code == 200
    article.refresh_from_db()
    assert article.subtitle == "甲改的副标题"


@pytest.mark.django_db
def test_a_bad_manual_edit_is_refused_with_the_reason(two_editors):
    article, url, (first, data_a), (second, data_b) = two_editors
    data_a["title"] = "甲改的标题"
    assert first.post(url, data_a).status_code == 302
    data_b["title"] = "乙改的标题"
    conflict = _conflict_of(second.post(url, data_b))
    data_b.update(
        {
            "conflict-version": str(conflict.current_version),
            "conflict-title": "edit",
            "conflict-title-text": "",
        }
    )
    response = second.post(url, data_b)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "手动编辑的标题有误" in errors
    article.refresh_from_db()
    assert article.title == "甲改的标题"


@pytest.mark.django_db
def test_choices_made_against_an_older_save_do_not_count(two_editors, superuser):
    article, url, (first, data_a), (second, data_b) = two_editors
    third = Client()
    third.force_login(superuser)
    data_a["title"] = "甲改的标题"
    assert first.post(url, data_a).status_code == 302
    data_b["title"] = "乙改的标题"
    conflict = _conflict_of(second.post(url, data_b))

    # A third editor saves while B is choosing.
    data_c = admin_form_data(third, url)
    data_c["title"] = "丙改的标题"
    assert third.post(url, data_c).status_code == 302

    data_b.update({"conflict-version": str(conflict.current_version), "conflict-title": "mine"})
    response = second.post(url, data_b)
    assert response.status_code == 200
    assert _conflict_of(response).fields[0].theirs == "丙改的标题"
    article.refresh_from_db()
    assert article.title == "丙改的标题"


@pytest.mark.django_db
def test_a_save_that_touches_nothing_the_other_changed_merges(two_editors):
    article, url, (first, data_a), (second, data_b) = two_editors
    data_a["subtitle"] = "甲改的副标题"
    assert first.post(url, data_a).status_code == 302
    data_b["title"] = "乙改的标题"
    response = second.post(url, data_b, follow=True)
    assert "已合并" in response.content.decode()
    article.refresh_from_db()
    assert (article.title, article.subtitle) == ("乙改的标题", "甲改的副标题")
