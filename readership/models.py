"""What the counting stores: raw events for two days, then one row per item and day.

No row holds an address, a user agent, a user id or a cookie. A reader is a ``visitor`` hash
(readership/visitors.py): HMAC of address and user agent under a salt of the day, which is
replaced every day and is itself not stored (only a random seed from which, with the
SECRET_KEY, it is derived; yesterday's seed is overwritten). The README's "阅读统计" section
says what is kept and for how long.
"""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    ISSUE = "issue", "期刊页"
    ARTICLE = "article", "文章页"
    COMMUNITY = "community", "共同体页"
    ORGANIZATION = "organization", "单位页"
    ISSUE_PDF = "issue_pdf", "期刊 PDF"
    ARTICLE_PDF = "article_pdf", "文章 PDF"
    ATTACHMENT = "attachment", "附件"
    REGISTRY_CSV = "registry_csv", "名录 CSV"
    REGISTRY_JSON = "registry_json", "名录 JSON"
    SEARCH = "search", "检索"
    #: Daily rows only: everything of one issue (its page, its articles, the PDFs), with its
    #: readers counted once however many of its pages they opened that day.
    ISSUE_TOTAL = "issue_total", "本期合计"


PAGE_KINDS = (Kind.ISSUE, Kind.ARTICLE, Kind.COMMUNITY, Kind.ORGANIZATION)
DOWNLOAD_KINDS = (
    Kind.ISSUE_PDF,
    Kind.ARTICLE_PDF,
    Kind.ATTACHMENT,
    Kind.REGISTRY_CSV,
    Kind.REGISTRY_JSON,
)


class Event(models.Model):
    """One counted request, as the middleware saw it; deleted after ZHIJIAO_READERSHIP_RAW_DAYS
    once the rollup has turned its day into DailyCount/DailySearch rows."""

    at = models.DateTimeField("时间")
    day = models.DateField("日期")  # the local day of ``at``: the day of the visitor's salt
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    # The item: its primary key where it has one (resolved when the batch is written, so a
    # renumbered article keeps its counts), and the URL's words (2024/2/1.1.1; for a search the
    # result tab) either way.
    object_id = models.PositiveBigIntegerField("对象 ID", null=True, blank=True)
    key = models.CharField("网址参数", max_length=100, blank=True)
    visitor = models.CharField("读者（当日散列）", max_length=16)
    query = models.CharField("检索词（规范化）", max_length=200, blank=True)
    results = models.PositiveIntegerField("结果数", null=True, blank=True)

    class Meta:
        verbose_name = "原始记录"
        verbose_name_plural = "原始记录"
        # The rollup reads one day in time order, and deletes whole days.
        indexes = [models.Index(fields=["day", "at"], name="readership_event_day_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.key}"


class DailyCount(models.Model):
    """Views (30-second repeats counted once) and unique readers of one item on one day."""

    day = models.DateField("日期")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField("对象 ID", null=True, blank=True)
    key = models.CharField("网址参数", max_length=100, blank=True)
    views = models.PositiveIntegerField("次数", default=0)
    readers = models.PositiveIntegerField("读者", default=0)

    class Meta:
        verbose_name = "阅读统计"
        verbose_name_plural = "阅读统计"
        indexes = [
            # The admin's period sums (day range, grouped by kind and object).
            models.Index(fields=["day", "kind"], name="readership_daily_day_kind"),
            # "阅读 N 次" on an article page: all days of one object.
            models.Index(fields=["kind", "object_id"], name="readership_daily_object"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()} {self.key}: {self.views}"


class DailySearch(models.Model):
    """One normalised query on one result tab on one day: how often, by how many readers, and
    how many results it had (the last time that day)."""

    day = models.DateField("日期")
    kind = models.CharField("结果类型", max_length=20)
    query = models.CharField("检索词", max_length=200)
    searches = models.PositiveIntegerField("次数", default=0)
    readers = models.PositiveIntegerField("读者", default=0)
    results = models.PositiveIntegerField("结果数", null=True, blank=True)

    class Meta:
        verbose_name = "检索记录"
        verbose_name_plural = "检索记录"
        indexes = [models.Index(fields=["day"], name="readership_search_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.query}: {self.searches}"


class DailySalt(models.Model):
    """One row: the day and a random seed, replaced by the first process that counts on a new
    day. The salt is HMAC(SECRET_KEY, seed): a copy of the database alone cannot recompute a
    visitor hash, and once the seed is replaced yesterday's salt is gone for everyone."""

    day = models.DateField("日期")
    seed = models.CharField("种子", max_length=64)

    class Meta:
        verbose_name = "每日盐值"
        verbose_name_plural = "每日盐值"

    def __str__(self) -> str:
        return str(self.day)


class RollupState(models.Model):
    """One row: when the raw events were last aggregated. Locked for the rollup's transaction, so
    two servers' crons (or a cron and the app) never aggregate at the same time."""

    ran_at = models.DateTimeField("汇总时间", null=True, blank=True)

    class Meta:
        verbose_name = "汇总状态"
        verbose_name_plural = "汇总状态"

    def __str__(self) -> str:
        return f"{self.ran_at}"
