"""The issue form's 栏目 table as one tree (issue 13, item 3): a board and its subsection in one
save, numbers that follow the tree, positions that follow the rows, and every bad tree refused
with a Chinese reason and nothing changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from articles.models import Article
from core.publishing import Status
from issues.models import Issue, Section, section_tree_problem

pytestmark = pytest.mark.django_db

PREFIX = "sections"


def _draft() -> Issue:
    """2025年第01期: 1 职教动态 › 1.1 他山之石, and an article in 1.1."""
    issue = Issue.objects.create(year=2025, number=1, status=Status.DRAFT)
    top = Section.objects.create(issue=issue, number="1", title="职教动态", position=1)
    sub = Section.objects.create(
        issue=issue, number="1.1", title="他山之石", parent=top, position=2
    )
    Article.objects.create(issue=issue, section=sub, number="1.1.1", position=1, title="文章")
    return issue


def _url(issue: Issue) -> str:
    return reverse("admin:issues_issue_change", args=[issue.pk])


def _post_data(client, issue: Issue, *new_rows: dict, follow_tree: bool = False, **changes):
    """The change form as the browser posts it unchanged, with ``new_rows`` added to the 栏目
    table and ``changes`` ("<row>-<field>": value) applied."""
    response = client.get(_url(issue))
    assert response.status_code == 200
    data: dict = {}
    form = response.context["adminform"].form
    for name in ("year", "number", "title", "title_en", "status"):
        if name in form.fields:
            value = form.initial.get(name, form.fields[name].initial)
            if value is not None:
                data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for i, sub in enumerate(formset.forms):
            for name in sub.fields:
                value = sub.initial.get(name)
                if name == "id":
                    value = sub.instance.pk
                if value is not None:
                    data[f"{formset.prefix}-{i}-{name}"] = getattr(value, "pk", value)
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management.initial.get(name, 0)
    total = int(data[f"{PREFIX}-TOTAL_FORMS"])
    for offset, row in enumerate(new_rows):
        for name, value in row.items():
            data[f"{PREFIX}-{total + offset}-{name}"] = value
        data[f"{PREFIX}-{total + offset}-issue"] = issue.pk
    data[f"{PREFIX}-TOTAL_FORMS"] = total + len(new_rows)
    for name, value in changes.items():
        data[f"{PREFIX}-{name.replace('_', '-', 1)}"] = value
    if follow_tree:
        data[f"{PREFIX}-follow_tree"] = "on"
    return data


def _row(issue: Issue, number: str) -> int:
    """The form index of a saved section in the 栏目 table (rows in position order)."""
    pks = list(issue.sections.order_by("position", "pk").values_list("pk", flat=True))
    return pks.index(issue.sections.get(number=number).pk)


def _tree(issue: Issue) -> list[tuple[str, str, str | None, int]]:
    return [
        (s.number, s.title, s.parent.number if s.parent else None, s.position)
        for s in issue.sections.select_related("parent").order_by("position", "pk")
    ]


def _refused(response, text: str) -> None:
    assert response.status_code == 200, "saved"
    assert text in response.content.decode()


def test_a_board_and_its_subsection_in_one_save(editor_client):
    issue = _draft()
    data = _post_data(
        editor_client,
        issue,
        {"number": "2", "title": "职教观点", "parent": "", "position": ""},
        {"number": "2.1", "title": "专家视点", "parent": "new-2", "position": ""},
    )
    response = editor_client.post(_url(issue), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert _tree(issue) == [
        ("1", "职教动态", None, 1),
        ("1.1", "他山之石", "1", 2),
        ("2", "职教观点", None, 3),
        ("2.1", "专家视点", "2", 4),
    ]


def test_a_subsection_listed_before_its_new_board_is_saved_after_it(editor_client):
    issue = _draft()
    data = _post_data(
        editor_client,
        issue,
        {"number": "2.1", "title": "专家视点", "parent": "new-3", "position": "4"},
        {"number": "2", "title": "职教观点", "parent": "", "position": "3"},
    )
    assert editor_client.post(_url(issue), data).status_code == 302
    assert issue.sections.get(number="2.1").parent == issue.sections.get(number="2")


def test_numbers_follow_the_tree_when_asked(editor_client):
    """With 编号随结构 the typed numbers do not matter; the articles follow their sections."""
    issue = _draft()
    data = _post_data(
        editor_client,
        issue,
        {"number": "", "title": "职教观点", "parent": "", "position": "3"},
        {"number": "", "title": "专家视点", "parent": "new-2", "position": "4"},
        follow_tree=True,
    )
    # 1 moves after the new board: 职教观点 becomes 1, 职教动态 2 and its 他山之石 2.1.
    data[f"{PREFIX}-{_row(issue, '1')}-position"] = 10
    data[f"{PREFIX}-{_row(issue, '1.1')}-position"] = 11
    response = editor_client.post(_url(issue), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert _tree(issue) == [
        ("1", "职教观点", None, 3),
        ("1.1", "专家视点", "1", 4),
        ("2", "职教动态", None, 10),
        ("2.1", "他山之石", "2", 11),
    ]
    assert issue.articles.get().number == "2.1.1"


def test_swapping_two_boards_renumbers_without_a_clash(editor_client):
    issue = _draft()
    Section.objects.create(issue=issue, number="2", title="职教观点", position=3)
    data = _post_data(editor_client, issue, follow_tree=True)
    data[f"{PREFIX}-{_row(issue, '2')}-position"] = 0
    assert editor_client.post(_url(issue), data).status_code == 302
    assert [n for n, *_ in _tree(issue)] == ["1", "2", "2.1"]
    assert issue.sections.get(number="1").title == "职教观点"
    assert issue.articles.get().number == "2.1.1"


def test_a_new_row_goes_after_the_others_not_to_0(editor_client):
    issue = _draft()
    data = _post_data(editor_client, issue, {"number": "2", "title": "职教观点", "parent": ""})
    assert editor_client.post(_url(issue), data).status_code == 302
    assert issue.sections.get(number="2").position == 3


def test_a_subsection_number_without_its_board_is_refused(editor_client):
    issue = _draft()
    before = _tree(issue)
    data = _post_data(editor_client, issue, {"number": "2.1", "title": "专家视点", "parent": ""})
    _refused(editor_client.post(_url(issue), data), "编号 2.1 表示它在板块 2 之下")
    assert _tree(issue) == before


def test_a_number_that_is_not_its_boards_is_refused(editor_client):
    issue = _draft()
    top = issue.sections.get(number="1")
    data = _post_data(
        editor_client, issue, {"number": "2.1", "title": "专家视点", "parent": str(top.pk)}
    )
    _refused(editor_client.post(_url(issue), data), "上级板块是 1，编号应为 1.1、1.2 这样")
    assert not issue.sections.filter(title="专家视点").exists()


def test_a_loop_among_new_rows_is_refused(editor_client):
    issue = _draft()
    data = _post_data(
        editor_client,
        issue,
        {"number": "2", "title": "甲", "parent": "new-3"},
        {"number": "3", "title": "乙", "parent": "new-2"},
        follow_tree=True,
    )
    _refused(editor_client.post(_url(issue), data), "上级板块不能是这个栏目本身或它的下级栏目")
    assert issue.sections.count() == 2


def test_a_row_under_a_deleted_board_is_refused(editor_client):
    issue = _draft()
    Section.objects.create(issue=issue, number="2", title="职教观点", position=3)
    data = _post_data(editor_client, issue)
    data[f"{PREFIX}-{_row(issue, '2')}-DELETE"] = "on"
    data[f"{PREFIX}-{_row(issue, '1.1')}-parent"] = issue.sections.get(number="2").pk
    data[f"{PREFIX}-{_row(issue, '1.1')}-number"] = "2.1"
    _refused(editor_client.post(_url(issue), data), "上级板块已勾选删除")
    assert issue.sections.count() == 3


@pytest.mark.parametrize("parent", ["new-9", "abc", "999999"])
def test_a_parent_that_is_not_a_row_of_this_issue_is_refused(editor_client, parent):
    issue = _draft()
    data = _post_data(editor_client, issue, {"number": "2", "title": "职教观点", "parent": parent})
    response = editor_client.post(_url(issue), data)
    assert response.status_code == 200
    assert "上级板块" in response.content.decode()
    assert issue.sections.count() == 2


def test_a_board_of_another_issue_is_refused(editor_client):
    issue = _draft()
    other = Section.objects.filter(issue__year=2024).first()
    data = _post_data(editor_client, issue, {"number": "2", "title": "x", "parent": other.pk})
    _refused(editor_client.post(_url(issue), data), "所选的上级板块不属于这一期")


def test_the_parent_list_never_offers_the_row_itself_or_its_subsections(editor_client):
    issue = _draft()
    response = editor_client.get(_url(issue))
    formset = response.context["inline_admin_formsets"][0].formset
    top, sub = issue.sections.get(number="1"), issue.sections.get(number="1.1")
    offered = {
        form.instance.pk: [v for v, _ in form.fields["parent"].widget.choices]
        for form in formset.forms
    }
    assert offered[top.pk] == [""]
    assert offered[sub.pk] == ["", str(top.pk)]
    assert [label for _, label in formset.forms[1].fields["parent"].widget.choices] == [
        "（无，顶级板块）",
        "1 职教动态",
    ]


def test_a_draft_offers_numbers_from_the_tree_and_a_published_issue_does_not(editor_client):
    draft = _draft()
    published = Issue.objects.get(year=2024, number=2)
    assert 'name="sections-follow_tree" id="id_sections-follow_tree"' in (
        editor_client.get(_url(draft)).content.decode()
    )
    page = editor_client.get(_url(draft)).content.decode()
    assert "sections-follow_tree" in page and "checked> 编号随结构" in page
    page = editor_client.get(_url(published)).content.decode()
    assert "sections-follow_tree" in page and "checked> 编号随结构" not in page


def test_the_seed_issues_pass_the_tree_check_and_save_unchanged(chief_client):
    for issue in Issue.objects.filter(year=2024):
        sections = list(issue.sections.select_related("parent"))
        parents = {s.pk: s.parent_id for s in sections}
        assert [s.number for s in sections if section_tree_problem(s, parents)] == []
        before = _tree(issue)
        response = chief_client.post(_url(issue), _post_data(chief_client, issue))
        assert response.status_code == 302, response.context and response.context["errors"]
        assert _tree(issue) == before


def test_the_section_form_refuses_a_subsection_number_without_its_board(editor_client):
    """SectionAdmin has the same one check (Section.clean)."""
    issue = _draft()
    url = reverse("admin:issues_section_add")
    data = {"issue": issue.pk, "number": "3.1", "title": "x", "position": 5}
    _refused(editor_client.post(url, data), "编号 3.1 表示它在板块 3 之下")
