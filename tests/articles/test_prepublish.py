"""发布前检查 (issue 13, item 10): warnings before publishing, each linking to what to fix."""

from __future__ import annotations

import re

import pytest
from django.db.models import Q
from django.urls import reverse

from articles.models import Article
from articles.prepublish import (
    Kind,
    missing_numbers,
    out_of_order,
    prepublish_warnings,
    uncaptioned_images,
)
from core.publishing import Status
from issues.models import Issue, Section
from issues.next_issue import issue_from_previous
from sources import similar


def _article_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def _by_kind(warnings) -> dict[Kind, list[str]]:
    found: dict[Kind, list[str]] = {}
    for w in warnings:
        found.setdefault(w.kind, []).append(w.url)
    return found


# --- pure checks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>无图</p>", (0, 0)),
        ('<p><img src="/a.png" alt="a"></p>', (1, 1)),
        ('<figure><img src="/a.png"><figcaption>图1 实训中心</figcaption></figure>', (1, 0)),
        ('<figure><img src="/a.png"><figcaption> </figcaption></figure>', (1, 1)),
        ('<figure><img src="/a.png"></figure>', (1, 1)),
        (
            '<figure><img src="/a.png"><img src="/b.png"><figcaption>两图</figcaption></figure>',
            (2, 0),
        ),
        ('<figure><img src="/a.png"><figcaption><em>图</em></figcaption>', (1, 0)),  # unclosed
        ('<figure><img src="/a.png"></figure><figcaption>外面的</figcaption>', (1, 1)),
    ],
)
def test_images_need_a_figure_with_a_caption(html, expected):
    assert uncaptioned_images(html) == expected


def test_missing_numbers_among_siblings():
    assert missing_numbers(["1", "1.1", "1.1.1", "1.1.2", "1.1.4", "3"]) == ["2", "1.1.3"]
    assert missing_numbers(["1", "2", "2.1", "2.2"]) == []


def test_numbers_printed_out_of_order():
    assert out_of_order(["1.2.6", "1.2.8", "1.2.7"]) == [("1.2.7", "1.2.8")]
    assert out_of_order(["1.1.1", "1.2.1", "1.1.2"]) == []


# --- the seeds -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_issue_2024_02_warnings_are_what_its_data_says():
    """Computed from the rows, not counted by hand: the seed issue has sources, dates, tags,
    bodies and its 说明 throughout, but prints 1.2.8 before 1.2.7 (its 目录 does too)."""
    issue = Issue.objects.get(year=2024, number=2)
    articles = issue.articles.all()
    found = _by_kind(prepublish_warnings(issue, similar=similar))

    no_source = articles.filter(Q(source_name="") | Q(source_date=None))
    no_tags = articles.filter(tags=None)
    empty = articles.filter(body="")
    images = articles.filter(body__contains="<img")
    leaves = issue.sections.filter(children=None, articles=None)
    assert found.get(Kind.SOURCE, []) == [_article_url(a) for a in no_source]
    assert found.get(Kind.TAGS, []) == [_article_url(a) for a in no_tags]
    assert found.get(Kind.BODY, []) == [_article_url(a) for a in empty]
    assert not images.exists() and Kind.IMAGE not in found
    assert Kind.SECTION not in found and not leaves.exists()
    assert Kind.NOTES not in found and issue.notes.strip()
    assert Kind.DUPLICATE not in found  # the seeds' closest pair overlaps 0.44 (4.1.3, 01期 4.3.2)

    seventh, eighth = articles.get(number="1.2.7"), articles.get(number="1.2.8")
    assert eighth.position < seventh.position
    assert found == {Kind.NUMBERING: [_article_url(seventh)]}
    (warning,) = prepublish_warnings(issue)
    assert warning.message == (
        "1.2.7 印在 1.2.8 之后，编号与印刷顺序不一致（可用“按顺序重新编号”操作修正）。"
    )


# --- a new issue being made ----------------------------------------------------------------------


@pytest.fixture
def draft(db) -> Issue:
    """2025年第01期 made from 2024年第02期: its sections, none of them with articles yet."""
    return issue_from_previous(Issue.objects.get(year=2024, number=2), year=2025, number=1)


def _add(issue: Issue, section: str, number: str, position: int, **fields) -> Article:
    fields = {
        "title": f"文章{number}",
        "source_name": "教育部",
        "source_date": "2025-01-02",
    } | fields
    article = Article.objects.create(
        issue=issue,
        section=issue.sections.get(number=section),
        number=number,
        position=position,
        **fields,
    )
    article.tags.add("职业教育")
    return article


@pytest.mark.django_db
def test_new_issue_names_every_section_still_without_articles(draft):
    found = _by_kind(prepublish_warnings(draft))
    leaves = draft.sections.filter(children=None).order_by("position")
    assert found == {
        Kind.SECTION: [reverse("admin:issues_section_change", args=[s.pk]) for s in leaves]
    }


@pytest.mark.django_db
def test_each_problem_is_named_and_links_to_its_article(draft):
    copied = Article.objects.get(issue__year=2024, issue__number=2, number="1.1.3")
    draft.notes = " "
    draft.save()
    ok = _add(draft, "1.1", "1.1.1", 0, body="<p>正文</p>")
    unsourced = _add(draft, "1.1", "1.1.2", 1, body="<p>正文</p>", source_name="", source_date=None)
    untagged = _add(draft, "1.1", "1.1.4", 2, body="<p>正文</p>")
    untagged.tags.clear()
    empty = _add(draft, "1.2", "1.2.1", 3, body="<p> </p>")
    pictured = _add(
        draft,
        "1.2",
        "1.2.2",
        4,
        body='<figure><img src="/a.png" alt=""><figcaption>图1</figcaption></figure>'
        '<p>正文</p><p><img src="/b.png" alt=""></p>',
    )
    repeated = _add(draft, "2.1", "2.1.1", 5, body=copied.body, title="再次收录")
    misplaced = _add(draft, "2.2", "2.1.9", 6, body="<p>正文</p>")

    warnings = prepublish_warnings(draft, similar=similar)
    found = _by_kind(warnings)
    issue_url = reverse("admin:issues_issue_change", args=[draft.pk])
    section_1_1 = reverse("admin:issues_section_change", args=[draft.sections.get(number="1.1").pk])
    assert found[Kind.NOTES] == [issue_url]
    assert found[Kind.SOURCE] == [_article_url(unsourced)]
    assert found[Kind.TAGS] == [_article_url(untagged)]
    assert found[Kind.BODY] == [_article_url(empty)]
    assert found[Kind.IMAGE] == [_article_url(pictured)]
    assert found[Kind.DUPLICATE] == [_article_url(repeated)]
    assert _article_url(ok) not in {w.url for w in warnings}
    # 1.1.3 is missing; 2.1.9 is in section 2.2 (and leaves 2.1.1–2.1.8 missing).
    assert found[Kind.NUMBERING][0] == section_1_1
    assert _article_url(misplaced) in found[Kind.NUMBERING]
    messages = {w.kind: w.message for w in warnings}
    assert messages[Kind.SOURCE] == "1.1.2《文章1.1.2》缺信息来源和发布日期。"
    assert messages[Kind.IMAGE].startswith("1.2.2《文章1.2.2》有 1 张图片没有图注")
    assert messages[Kind.DUPLICATE].startswith(
        f"2.1.1《再次收录》与2024年第02期的1.1.3《{copied.title}》内容重合 100%"
    )
    numbering = [w.message for w in warnings if w.kind == Kind.NUMBERING]
    assert numbering[0] == "缺少编号 1.1.3（可用“按顺序重新编号”操作修正）。"
    assert (
        numbering[-1]
        == "2.1.9《文章2.1.9》的编号与所在栏目 2.2 不符（可用“按顺序重新编号”操作修正）。"
    )
    # Grouped in the order of Kind.
    order = list(Kind)
    assert [order.index(w.kind) for w in warnings] == sorted(order.index(w.kind) for w in warnings)


@pytest.mark.django_db
def test_two_articles_of_the_issue_alike_are_named_once(draft):
    copied = Article.objects.get(issue__year=2024, issue__number=2, number="1.1.3")
    _add(draft, "1.1", "1.1.1", 0, body=copied.body)
    _add(draft, "1.1", "1.1.2", 1, body=copied.body)
    duplicates = [
        w for w in prepublish_warnings(draft, similar=similar) if w.kind == Kind.DUPLICATE
    ]
    # Each against 2024年第02期's 1.1.3, and the pair of them once.
    assert [w.message.split("与")[1].split("的")[0] for w in duplicates].count("本期") == 1
    assert len(duplicates) == 3


# --- the admin -----------------------------------------------------------------------------------


def _page(issue: Issue) -> str:
    return reverse("admin:issues_issue_prepublish", args=[issue.pk])


@pytest.mark.django_db
def test_chief_sees_the_list_of_the_seed_issue_with_links(chief_client):
    issue = Issue.objects.get(year=2024, number=2)
    change = chief_client.get(reverse("admin:issues_issue_change", args=[issue.pk]))
    assert f'href="{_page(issue)}"' in change.content.decode()
    response = chief_client.get(_page(issue))
    html = response.content.decode()
    assert len(re.findall(r"<h1[\s>]", html)) == 1 and "<h1>发布前检查：2024年第02期</h1>" in html
    seventh = Article.objects.get(issue=issue, number="1.2.7")
    assert f'<a href="{_article_url(seventh)}">1.2.7 印在 1.2.8 之后' in html
    assert 'name="action" value="publish"' not in html  # published already


@pytest.mark.django_db
def test_chief_may_publish_a_draft_from_the_list(chief_client, draft):
    html = chief_client.get(_page(draft)).content.decode()
    assert "栏目 1.1 重要通知 没有文章。" in html
    assert 'name="action" value="publish"' in html and "发布2025年第01期" in html


@pytest.mark.django_db
def test_editor_reads_the_list_without_publishing(editor_client, draft):
    response = editor_client.get(_page(draft))
    assert response.status_code == 200
    html = response.content.decode()
    assert "栏目 1.1 重要通知 没有文章。" in html
    assert 'name="action" value="publish"' not in html


@pytest.mark.django_db
def test_outsiders_do_not_see_the_list(client, teacher, draft):
    client.force_login(teacher)
    response = client.get(_page(draft))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_a_missing_issue_gets_a_message(chief_client):
    response = chief_client.get(
        reverse("admin:issues_issue_prepublish", args=[999999]), follow=True
    )
    assert response.status_code == 200
    assert any("不存在" in str(m) for m in response.context["messages"])


def _publish(client, issue: Issue, **extra):
    return client.post(
        reverse("admin:issues_issue_changelist"),
        {"action": "publish", "_selected_action": [issue.pk], **extra},
    )


@pytest.mark.django_db
def test_publishing_an_issue_with_warnings_shows_them_first(chief_client, draft):
    response = _publish(chief_client, draft)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>发布前检查：确认发布</h1>" in html and "栏目 1.1 重要通知 没有文章。" in html
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    _publish(chief_client, draft, confirm="yes")
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED


@pytest.mark.django_db
def test_publishing_an_issue_without_warnings_needs_no_second_step(chief_client):
    issue = Issue.objects.create(year=2031, number=1, notes="说明")
    Section.objects.create(issue=issue, number="1", title="职教动态", position=0)
    _add(issue, "1", "1.1", 0, body="<p>一段正文。</p>")
    assert prepublish_warnings(issue, similar=similar) == []
    response = _publish(chief_client, issue)
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == Status.PUBLISHED
