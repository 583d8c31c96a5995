"""以上一期为模板新建: the next issue as a draft with the previous one's masthead, 说明 and
section tree, so that nothing is retyped; its articles are the editors' to add."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from core.changes import content_change
from core.publishing import Status
from issues.models import MASTHEAD_FIELDS, Issue, Section

#: 职教通讯 appears twice a year: after 第02期 comes next year's 第01期.
ISSUES_PER_YEAR = 2

NEXT_NUMBER_RULE = (
    f"建议的年份与期号：本刊每年出 {ISSUES_PER_YEAR} 期，"
    f"上一期不是当年第{ISSUES_PER_YEAR:02d}期时为同年的下一期，否则为次年第01期；可以修改。"
)


class IssueExists(ValueError):
    """The year and number asked for are taken."""


def following(year: int, number: int) -> tuple[int, int]:
    """The issue after 年 ``year`` 第 ``number`` 期, by :data:`ISSUES_PER_YEAR`."""
    if number >= ISSUES_PER_YEAR:
        return year + 1, 1
    return year, number + 1


def proposed_year_number(previous: Issue) -> tuple[int, int]:
    """The first free (year, number) after ``previous`` (an older template skips issues that
    exist already)."""
    taken = set(Issue.objects.values_list("year", "number"))
    year, number = following(previous.year, previous.number)
    while (year, number) in taken:
        year, number = following(year, number)
    return year, number


def issue_label(year: int, number: int) -> str:
    return f"{year}年第{number:02d}期"


def issue_from_previous(previous: Issue, *, year: int, number: int) -> Issue:
    """A draft 年 ``year`` 第 ``number`` 期 with ``previous``'s masthead and section tree
    (numbers, titles, parents and order; no page numbers, no articles), in one unit.

    Raises :class:`IssueExists` if that issue exists already; then nothing is written."""
    taken = IssueExists(f"{issue_label(year, number)}已存在，请改用其他年份或期号。")
    if Issue.objects.filter(year=year, number=number).exists():
        raise taken
    sections = list(previous.sections.order_by("position", "pk"))
    try:
        # The savepoint keeps an outer unit usable when the insert clashes.
        with content_change(), transaction.atomic():
            issue = Issue.objects.create(
                year=year,
                number=number,
                status=Status.DRAFT,
                **{name: getattr(previous, name) for name in MASTHEAD_FIELDS},
            )
            _copy_tree(sections, issue)
    except IntegrityError:
        # Another editor made the same issue between the check and the insert.
        raise taken from None
    return issue


def _copy_tree(sections: list[Section], issue: Issue) -> None:
    """Parents before their children, whatever their positions."""
    children: dict[int | None, list[Section]] = {}
    for section in sections:
        children.setdefault(section.parent_id, []).append(section)
    pending: list[tuple[int | None, Section | None]] = [(None, None)]
    while pending:
        old_parent, new_parent = pending.pop()
        for old in children.get(old_parent, []):
            new = Section.objects.create(
                issue=issue,
                parent=new_parent,
                number=old.number,
                title=old.title,
                position=old.position,
            )
            pending.append((old.pk, new))
