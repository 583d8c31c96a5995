"""The 素材库's records: a source document as read, and the candidate articles it holds.

Editors' material, never the public's: no view outside the admin reads these tables.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from articles.models import Article
from articles.sanitize import clean_html
from core.text import html_to_text
from core.tokens import match_text


class DocumentKind(models.TextChoices):
    NEWSLETTER = "newsletter", "简报/内刊"
    POLICY = "policy", "政策文件"
    OTHER = "other", "其他"


class SourceDocument(models.Model):
    kind = models.CharField("类型", max_length=20, choices=DocumentKind.choices)
    title = models.CharField("标题", max_length=300, blank=True)
    publisher = models.CharField("发布单位", max_length=200, blank=True)
    date = models.CharField("日期", max_length=10, blank=True, help_text="如 2024-06-16 或 2024-06")
    editors_note = models.TextField("编者按", blank=True)
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    # The text as read from the file (lines), kept so that the document can be read again.
    text = models.TextField("原文", blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["text"], verbose_name="素材历史")

    class Meta:
        verbose_name = "素材文档"
        verbose_name_plural = "素材文档"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title or self.original_name or f"素材 {self.pk}"


class Candidate(models.Model):
    """One article of a source document, ready to excerpt (摘编) into an issue."""

    document = models.ForeignKey(
        SourceDocument,
        verbose_name="素材文档",
        on_delete=models.CASCADE,
        related_name="candidates",
    )
    position = models.PositiveIntegerField("顺序", default=0)
    column = models.CharField("栏目", max_length=100, blank=True)
    title = models.CharField("标题", max_length=300)
    subtitle = models.CharField("副标题", max_length=300, blank=True)
    source = models.CharField("信息来源", max_length=300, blank=True, help_text="如 中国教育报")
    source_date = models.CharField(
        "来源日期", max_length=10, blank=True, help_text="如 2024-06-16 或 2024-06"
    )
    source_url = models.URLField("原文链接", max_length=500, blank=True)
    compiled_by = models.CharField("摘编", max_length=100, blank=True)
    author = models.CharField("作者", max_length=200, blank=True)
    body = models.TextField("正文", blank=True, help_text="保存时自动清理不安全的 HTML")
    article = models.ForeignKey(
        Article,
        verbose_name="已摘编为",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_candidates",
    )
    # The most similar articles and candidates, best first (sources/similar.py), as
    # [{"kind": "article" | "candidate", "id": …, "label": …, "score": 0.83}].
    similar = models.JSONField("相似内容", default=list, blank=True, editable=False)
    # Title, source and body as the search package normalises them: the admin's search runs
    # the site's query syntax over it (core/tokens.py).
    norm = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["norm", "similar"], verbose_name="候选文章历史")

    class Meta:
        verbose_name = "候选文章"
        verbose_name_plural = "候选文章"
        ordering = ["document", "position"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.body = clean_html(self.body)
        self.norm = match_text("\n".join([self.title, self.subtitle, self.source, self.plain_text]))
        super().save(*args, **kwargs)

    @property
    def plain_text(self) -> str:
        return html_to_text(self.body)

    @property
    def length(self) -> int:
        return len("".join(self.plain_text.split()))
