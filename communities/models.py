"""The registry of 行业产教融合共同体: communities, their lead organisations, and the dataset."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from core.links import reverse


class Scope(models.TextChoices):
    NATIONAL = "national", "全国"
    PROVINCIAL = "provincial", "省级"
    REGIONAL = "regional", "区域"


class OrganizationKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    UNIVERSITY = "university", "普通高校"
    VOCATIONAL = "vocational", "职业院校（高职/职业本科）"
    SCHOOL = "school", "中职/技工院校"
    RESEARCH = "research", "科研院所"
    ASSOCIATION = "association", "协会/政府机构"


class Registry(models.Model):
    """One published dataset (e.g. 汇总表 1–500): its title and provenance, kept once."""

    title = models.CharField("名称", max_length=200, unique=True)
    source = models.CharField("资料来源", max_length=200, blank=True)
    published = models.DateField("发布日期", null=True, blank=True)
    import_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "共同体汇总表"
        verbose_name_plural = "共同体汇总表"

    def __str__(self) -> str:
        return self.title


class Organization(models.Model):
    name = models.CharField("名称", max_length=200, unique=True)
    kind = models.CharField(
        "类型",
        max_length=20,
        choices=OrganizationKind.choices,
        db_index=True,
        help_text="导入时按名称推断，可在此更正",
    )
    province = models.CharField(
        "所在省份",
        max_length=20,
        blank=True,
        db_index=True,
        help_text="按名称推断（如 广州… → 广东），可在此更正",
    )

    history = HistoricalRecords(verbose_name="单位历史")

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("communities:organization", kwargs={"pk": self.pk})


class Community(models.Model):
    registry = models.ForeignKey(
        Registry, verbose_name="汇总表", on_delete=models.PROTECT, related_name="communities"
    )
    number = models.PositiveIntegerField("序号", unique=True)
    name = models.CharField("名称", max_length=200, db_index=True)
    lead_units_text = models.TextField("牵头单位（原文）", blank=True)
    lead_units = models.ManyToManyField(
        Organization, verbose_name="牵头单位", through="LeadUnit", related_name="communities"
    )
    founded_year = models.PositiveSmallIntegerField("成立年份", db_index=True)
    founded_month = models.PositiveSmallIntegerField("成立月份")
    scope = models.CharField("范围", max_length=20, choices=Scope.choices, db_index=True)
    province = models.CharField(
        "省份", max_length=20, blank=True, db_index=True, help_text="名称中的省份（省级共同体）"
    )
    industry = models.CharField(
        "行业类别",
        max_length=20,
        blank=True,
        db_index=True,
        help_text="按名称关键词推断，可在此更正",
    )
    review_note = models.CharField(
        "待核对", max_length=200, blank=True, help_text="导入时发现的问题，如原文被截断"
    )

    history = HistoricalRecords(verbose_name="共同体历史")

    class Meta:
        verbose_name = "行业产教融合共同体"
        verbose_name_plural = "行业产教融合共同体"
        ordering = ["number"]
        indexes = [
            # The registry's chart and "founded" filter group by month.
            models.Index(fields=["founded_year", "founded_month"], name="community_founded"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("communities:detail", kwargs={"number": self.number})

    @property
    def founded(self) -> str:
        return f"{self.founded_year}-{self.founded_month:02d}"


class LeadUnit(models.Model):
    """A community's lead organisation, in the order the registry prints them."""

    community = models.ForeignKey(
        Community, verbose_name="共同体", on_delete=models.CASCADE, related_name="lead_unit_links"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="单位", on_delete=models.PROTECT, related_name="lead_unit_links"
    )
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "牵头单位"
        verbose_name_plural = "牵头单位"
        ordering = ["community", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "organization"], name="leadunit_community_org_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.organization.name
