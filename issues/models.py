"""Issues (期) of 职教通讯 and their numbered sections (板块 › 栏目)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from core.links import reverse
from core.numbers import validate_number
from core.publishing import Publishable, PublishableQuerySet

#: An issue's masthead and 说明, declared once: what an issue file carries, the PDF prints and
#: the API gives (importer/load.py, printing/data.py, issues/api.py read it).
MASTHEAD_FIELDS = (
    "title",
    "title_en",
    "school",
    "school_en",
    "publisher",
    "chief_editor",
    "editor",
    "managing_editor",
    "notes",
)


def issue_label(year: int, number: int) -> str:
    """How an issue is named: 2024年第02期 (also for what has its year and number without it)."""
    return f"{year}年第{number:02d}期"


class Issue(Publishable):
    year = models.PositiveSmallIntegerField("年份")
    number = models.PositiveSmallIntegerField("期号", help_text="当年的第几期")
    title = models.CharField("刊名", max_length=100, default="职教通讯")
    title_en = models.CharField(
        "英文刊名",
        max_length=200,
        blank=True,
        default="Information on Technical Vocational Education",
    )
    school = models.CharField("学校", max_length=200, blank=True)
    school_en = models.CharField("学校英文名", max_length=200, blank=True)
    publisher = models.CharField("主办", max_length=200, blank=True)
    chief_editor = models.CharField("总编", max_length=100, blank=True)
    editor = models.CharField("主编", max_length=100, blank=True)
    managing_editor = models.CharField("责编", max_length=100, blank=True)
    notes = models.TextField("《职教通讯》说明", blank=True)
    publication_date = models.DateField("出版日期", null=True, blank=True)
    appendix = models.ForeignKey(
        "communities.Registry",
        verbose_name="附录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issues",
    )
    appendix_page = models.PositiveIntegerField("附录页码", null=True, blank=True)
    # What the importer wrote, as a hash; a re-import compares it with the rows as they are now to
    # tell whether editors changed the issue since (see importer/load.py).
    import_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["import_fingerprint"], verbose_name="期刊历史")
    objects = PublishableQuerySet.as_manager()

    class Meta:
        verbose_name = "期刊"
        verbose_name_plural = "期刊"
        ordering = ["-year", "-number"]
        permissions = [("publish_issue", "可以发布和撤回期刊")]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="issue_year_number_unique"),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("issues:detail", kwargs={"year": self.year, "number": self.number})

    @property
    def label(self) -> str:
        return issue_label(self.year, self.number)


class Section(models.Model):
    issue = models.ForeignKey(
        Issue, verbose_name="期刊", on_delete=models.CASCADE, related_name="sections"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级板块",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    number = models.CharField(
        "编号", max_length=20, validators=[validate_number], help_text="如 1 或 1.1"
    )
    title = models.CharField("标题", max_length=200, db_index=True)
    position = models.PositiveIntegerField("顺序", default=0)
    page = models.PositiveIntegerField("页码", null=True, blank=True)

    history = HistoricalRecords(verbose_name="栏目历史")

    class Meta:
        verbose_name = "栏目"
        verbose_name_plural = "栏目"
        ordering = ["issue", "position"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "number"], name="section_issue_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.issue.label} {self.number} {self.title}"

    @property
    def is_top(self) -> bool:
        return self.parent_id is None

    #: False in the issue form, which checks every row against the tree as the form leaves it
    #: (issues/admin.py SectionFormSet); a row alone would be judged against the stored one.
    check_tree = True

    def clean(self) -> None:
        if not self.check_tree:
            return
        parents = dict(
            Section.objects.filter(issue_id=self.issue_id).values_list("pk", "parent_id")
        )
        if self.pk is not None:
            parents[self.pk] = self.parent_id
        problem = section_tree_problem(self, parents)
        if problem:
            raise ValidationError({"parent": problem})


def section_tree_problem(
    section: Section, parents: dict[object, object | None], key: object = None
) -> str | None:
    """Why ``section`` cannot sit under its parent with its number, or None.

    ``parents``: each section's key → its parent's key, as the tree will be. Keys are primary
    keys, and for rows not saved yet any other name (the issue form's ``new-3``); ``key`` is the
    section's own, its pk by default. A parent in another issue, or a loop (1 › 1.1 › 1), would
    take the sections out of the 目录; a number that is not its parent's (1.1 outside 1) would
    print the 目录 wrong."""
    key = section.pk if key is None else key
    parent = section.parent
    number = section.number or ""
    if parent is None:
        if "." in number:
            above = number.rpartition(".")[0]
            return (
                f"编号 {number} 表示它在板块 {above} 之下：请把上级板块设为 {above}，"
                "或改用不带点的编号（如 5）。"
            )
        return None
    if parent.issue_id != section.issue_id:
        return "上级板块必须属于同一期。"
    seen = {key}
    current = parents.get(key, parent.pk)
    while current is not None:
        if current in seen:
            return "上级板块不能是这个栏目本身或它的下级栏目。"
        seen.add(current)
        current = parents.get(current)
    head, dot, tail = number.rpartition(".")
    if number and (not dot or head != parent.number or not tail):
        return (
            f"上级板块是 {parent.number}，编号应为 {parent.number}.1、{parent.number}.2 这样，"
            f"而不是 {number}。"
        )
    return None
