"""Issues (期) of 职教通讯 and their numbered sections (板块 › 栏目)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

#: A section's or an article's number (1, 1.1, 1.1.1): ASCII digits joined by single dots. The URLs
#: match only these (zhijiao/converters.py), so a number outside it would be a page nobody reaches.
NUMBER_PATTERN = r"[0-9]{1,5}(?:\.[0-9]{1,5}){0,9}"
validate_number = RegexValidator(
    rf"^{NUMBER_PATTERN}\Z", "编号只能由数字和点组成，如 1、1.1 或 1.1.1。"
)


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    REVIEW = "review", "待审"
    PUBLISHED = "published", "已发布"


def published_q(prefix: str = "") -> Q:
    """Marked published by a 主编 (visible once its time has come, see ``visible_q``)."""
    return Q(**{f"{prefix}status": Status.PUBLISHED})


def visible_q(prefix: str = "") -> Q:
    """The one definition of "the public may see it": published, and its time has come.

    A scheduled item (published with a future ``published_at``) becomes visible by itself when the
    time passes: visibility is a query, so no cron job or worker is needed.
    """
    now = timezone.now()
    return published_q(prefix) & (
        Q(**{f"{prefix}published_at__isnull": True}) | Q(**{f"{prefix}published_at__lte": now})
    )


def scheduled_q(now) -> Q:
    """Published, but visible only later: what turns visible by itself after ``now``."""
    return published_q() & Q(published_at__gt=now)


def visible_from(*items) -> datetime | None:
    """From when all of these published items are visible (the latest ``published_at``), or None
    for at once: the time part of ``visible_q``, for what is checked later (the search index)."""
    times = [item.published_at for item in items if item.published_at is not None]
    return max(times) if times else None


def can_preview(user, model) -> bool:
    """Editors see unpublished items on the public pages exactly as teachers will (a preview)."""
    return bool(
        user.is_authenticated
        and user.is_staff
        and user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")
    )


class IssueQuerySet(models.QuerySet):
    def published(self) -> IssueQuerySet:
        return self.filter(visible_q())

    def viewable_by(self, user) -> IssueQuerySet:
        """What one reader may open directly: published items, and for editors drafts too."""
        return self.all() if can_preview(user, self.model) else self.published()


class Issue(models.Model):
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
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "发布时间",
        null=True,
        blank=True,
        help_text="留空则发布后立即可见；填写将来的时间则定时发布。",
    )
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
    # tell whether editors changed the issue since (see issues/importer/load.py).
    import_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["import_fingerprint"], verbose_name="期刊历史")
    objects = IssueQuerySet.as_manager()

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
        return f"{self.year}年第{self.number:02d}期"


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

    def clean(self) -> None:
        parents = dict(
            Section.objects.filter(issue_id=self.issue_id).values_list("pk", "parent_id")
        )
        if self.pk is not None:
            parents[self.pk] = self.parent_id
        problem = section_tree_problem(self, parents)
        if problem:
            raise ValidationError({"parent": problem})


def section_tree_problem(section: Section, parents: dict[int, int | None]) -> str | None:
    """Why ``section``'s parent cannot be (``parents``: section → parent, as it will be), or None.

    A parent in another issue, or a loop (1 › 1.1 › 1), would take the sections out of the 目录."""
    parent = section.parent
    if parent is None:
        return None
    if parent.issue_id != section.issue_id:
        return "上级板块必须属于同一期。"
    seen = {section.pk}
    current = parent.pk
    while current is not None:
        if current in seen:
            return "上级板块不能是这个栏目本身或它的下级栏目。"
        seen.add(current)
        current = parents.get(current)
    return None
