"""以上一期为模板新建 (issue 13, item 2): the next issue as a draft with the previous one's
masthead and section tree, proposed year and number, refused clearly when it exists."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from articles.models import Article
from core.changes import content_change
from core.publishing import Status
from issues.models import MASTHEAD_FIELDS, Issue, Section
from issues.next_issue import (
    IssueExists,
    following,
    issue_from_previous,
    proposed_year_number,
)

pytestmark = pytest.mark.django_db

FROM_PREVIOUS = reverse("admin:issues_issue_from_previous")


def _seed(number: int) -> Issue:
    return Issue.objects.get(year=2024, number=number)


def _tree(issue: Issue) -> list[tuple]:
    return [
        (s.number, s.title, s.parent.number if s.parent else None, s.position)
        for s in issue.sections.select_related("parent").order_by("position")
    ]


def _counts() -> tuple[int, int, int]:
    return Issue.objects.count(), Section.objects.count(), Article.objects.count()


def test_twice_a_year_after_the_second_issue_comes_next_years_first():
    assert following(2024, 1) == (2024, 2)
    assert following(2024, 2) == (2025, 1)


def test_proposal_after_the_latest_seed_is_2025_first():
    assert proposed_year_number(_seed(2)) == (2025, 1)


def test_proposal_from_an_older_template_skips_issues_that_exist():
    # After 2024年第01期 would come 第02期, which the seeds hold.
    assert proposed_year_number(_seed(1)) == (2025, 1)


def test_new_issue_copies_masthead_and_section_tree_without_articles():
    previous = _seed(2)
    previous.publication_date = "2024-12-01"
    previous.save()
    issue = issue_from_previous(previous, year=2025, number=1)
    issue.refresh_from_db()
    assert (issue.year, issue.number, issue.status) == (2025, 1, Status.DRAFT)
    for name in MASTHEAD_FIELDS:
        assert getattr(issue, name) == getattr(previous, name), name
    assert issue.notes.startswith("一、《职教通讯》宗旨")
    assert issue.published_at is None and issue.publication_date is None
    assert issue.appendix_id is None and issue.appendix_page is None
    assert issue.import_fingerprint == ""
    assert _tree(issue) == _tree(previous)
    assert len(_tree(issue)) == previous.sections.count() > 0
    assert not issue.sections.exclude(page=None).exists()
    assert not issue.articles.exists()
    # The parents are the new issue's own sections.
    parents = issue.sections.exclude(parent=None).values_list("parent__issue", flat=True)
    assert set(parents) == {issue.pk}


def test_parents_are_copied_before_children_whatever_their_positions():
    previous = Issue.objects.create(year=2030, number=1)
    child_first = Section.objects.create(issue=previous, number="1", title="甲", position=5)
    Section.objects.create(issue=previous, number="1.1", title="乙", parent=child_first, position=0)
    issue = issue_from_previous(previous, year=2030, number=2)
    assert _tree(issue) == [("1.1", "乙", "1", 0), ("1", "甲", None, 5)]


def test_an_existing_issue_is_refused_and_nothing_is_written():
    before = _counts()
    with pytest.raises(IssueExists, match="2024年第01期已存在"):
        issue_from_previous(_seed(2), year=2024, number=1)
    assert _counts() == before


# --- the admin ---------------------------------------------------------------------------------


@pytest.fixture
def viewer(db) -> User:
    """Staff who may look at issues but not add one."""
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_issue"))
    return user


def test_button_on_issue_list_and_change_page(editor_client):
    listing = editor_client.get(reverse("admin:issues_issue_changelist")).content.decode()
    assert f'href="{FROM_PREVIOUS}"' in listing and "以上一期为模板新建" in listing
    issue = _seed(1)
    page = editor_client.get(reverse("admin:issues_issue_change", args=[issue.pk]))
    assert f'href="{FROM_PREVIOUS}?from={issue.pk}"' in page.content.decode()


def test_no_button_without_add_permission(client, viewer):
    client.force_login(viewer)
    listing = client.get(reverse("admin:issues_issue_changelist")).content.decode()
    assert FROM_PREVIOUS not in listing
    page = client.get(reverse("admin:issues_issue_change", args=[_seed(2).pk]))
    assert FROM_PREVIOUS not in page.content.decode()
    assert client.get(FROM_PREVIOUS).status_code == 403
    before = _counts()
    response = client.post(FROM_PREVIOUS, {"previous": _seed(2).pk, "year": 2025, "number": 1})
    assert response.status_code == 403 and _counts() == before


def test_step_proposes_the_next_issue_and_shows_what_is_copied(editor_client):
    response = editor_client.get(FROM_PREVIOUS)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial == {"previous": _seed(2).pk, "year": 2025, "number": 1}
    html = response.content.decode()
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert "每年出 2 期" in html and "次年第01期" in html
    assert "将从2024年第02期复制" in html and "经济产业聚焦" in html


def test_step_from_an_issues_page_takes_that_issue(editor_client):
    response = editor_client.get(FROM_PREVIOUS, {"from": _seed(1).pk})
    assert response.context["form"].initial["previous"] == _seed(1).pk
    assert "将从2024年第01期复制" in response.content.decode()


def test_confirming_creates_the_draft_and_lands_on_its_page(editor_client):
    response = editor_client.post(
        FROM_PREVIOUS, {"previous": _seed(2).pk, "year": 2025, "number": 1}, follow=True
    )
    issue = Issue.objects.get(year=2025, number=1)
    assert response.redirect_chain[-1][0] == reverse("admin:issues_issue_change", args=[issue.pk])
    assert issue.status == Status.DRAFT
    assert _tree(issue) == _tree(_seed(2))
    message = [str(m) for m in response.context["messages"]]
    assert message == [
        f"已以2024年第02期为模板新建2025年第01期（草稿）：刊头、说明和"
        f" {issue.sections.count()} 个栏目已复制，文章请另行添加。"
    ]


def test_the_user_may_change_the_proposal(editor_client):
    editor_client.post(FROM_PREVIOUS, {"previous": _seed(1).pk, "year": 2024, "number": 3})
    issue = Issue.objects.get(year=2024, number=3)
    assert _tree(issue) == _tree(_seed(1))


def test_an_existing_issue_is_refused_in_chinese(editor_client):
    before = _counts()
    response = editor_client.post(
        FROM_PREVIOUS, {"previous": _seed(2).pk, "year": 2024, "number": 2}
    )
    assert response.status_code == 200
    assert "2024年第02期已存在，请改用其他年份或期号。" in response.content.decode()
    assert _counts() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": "二〇二五", "number": 1}, "输入整数"),
        ({"year": 2025, "number": 0}, "大于或等于1"),
        ({"year": 2025, "number": ""}, "该字段是必填项"),
        ({"year": 99999, "number": 1}, "小于或等于2100"),
        ({"previous": 999999, "year": 2025, "number": 1}, "模板期刊不存在"),
        ({"previous": "x", "year": 2025, "number": 1}, "模板期刊不存在"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_changes_nothing(editor_client, data, message):
    before = _counts()
    response = editor_client.post(FROM_PREVIOUS, {"previous": _seed(2).pk, **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _counts() == before


def test_with_no_issue_at_all_there_is_no_template(editor_client):
    # In one unit of content work, as the admin deletes: outside one, every deleted row would
    # run the derived steps on its own (some 4,600 queries instead of about 130).
    with content_change():
        Article.objects.all().delete()
        Issue.objects.all().delete()
    response = editor_client.get(FROM_PREVIOUS, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "还没有可作模板的期刊：请先导入或新建一期。"
    ]
    assert not Issue.objects.exists()
