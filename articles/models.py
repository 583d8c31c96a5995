"""Articles: numbered excerpts (1.1.1 教育部：…) from outside sources, printed in an issue."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager

from articles.sanitize import clean_html
from articles.uploads import check_upload, upload_path
from core.links import reverse
from core.numbers import validate_number
from core.publishing import Publishable, PublishableQuerySet, is_visible, visible_q
from issues.models import Issue, Section

#: An article's text and provenance as excerpted, declared once: what an issue file carries, the
#: PDF prints and the API gives (importer/load.py, printing/data.py, articles/api.py read it).
TEXT_FIELDS = (
    "title",
    "toc_title",
    "subtitle",
    "source",
    "source_name",
    "source_date",
    "source_url",
    "compiled_by",
    "body",
)


class SourceKind(models.TextChoices):
    """What an article's 来源标签 names (the values importer/labels.py derives on import)."""

    OUTLET = "outlet", "来源"
    TOPIC = "topic", "主题"
    PLACE = "place", "地区"


def article_url(year: int, number: int, article: str) -> str:
    """An article's public address, from its issue's year and number and its own number (for
    what has them in hand without the article: a 目录 line, a search row)."""
    return reverse("articles:detail", kwargs={"year": year, "number": number, "article": article})


def outlet_of(source: str, kind: str) -> str:
    """The 来源标签 when it names who published the text (教育部, 中国教育报), else "": a topic
    or place label is no source (``Article.outlet``, for rows read as plain values)."""
    return source if kind == SourceKind.OUTLET else ""


class ArticleQuerySet(PublishableQuerySet):
    def published(self) -> ArticleQuerySet:
        """Visible articles: the article itself is visible and so is its issue."""
        return self.filter(visible_q()).filter(visible_q("issue__"))

    def published_in(self, issue: Issue) -> ArticleQuerySet:
        """``published()`` for the articles of an issue in hand: what it asks of the issue is
        asked of the row already read (``is_visible``), so the query needs no join."""
        if not is_visible(issue, timezone.now()):
            return self.none()
        return self.filter(visible_q(), issue=issue)

    def in_print_order(self) -> ArticleQuerySet:
        return self.order_by("issue__year", "issue__number", "position")


class Article(Publishable):
    issue = models.ForeignKey(
        Issue, verbose_name="期刊", on_delete=models.CASCADE, related_name="articles"
    )
    section = models.ForeignKey(
        Section, verbose_name="栏目", on_delete=models.RESTRICT, related_name="articles"
    )
    number = models.CharField(
        "编号", max_length=20, validators=[validate_number], help_text="如 1.1.1，在本期内唯一"
    )
    position = models.PositiveIntegerField(
        "顺序", default=0, help_text="印刷顺序；不一定与编号顺序相同"
    )
    title = models.CharField("标题", max_length=300)
    toc_title = models.CharField("目录标题", max_length=300, blank=True)
    subtitle = models.CharField("副标题", max_length=300, blank=True)
    source = models.CharField(
        "来源标签",
        max_length=100,
        blank=True,
        db_index=True,
        help_text="标题冒号前的标签，如 教育部、中国教育报；某些栏目是主题或地名",
    )
    # The 栏目与来源 page lists outlets under 来源, topics as tags and places under 地区.
    source_kind = models.CharField(
        "标签类别",
        max_length=10,
        choices=SourceKind.choices,
        blank=True,
        help_text="来源标签是来源（发布单位、媒体）、主题还是地区；没有来源标签时留空",
        error_messages={"invalid_choice": "标签类别只能是“来源”“主题”或“地区”。"},
    )
    source_name = models.CharField(
        "信息来源", max_length=300, blank=True, help_text="文末 资料来源/信息来源 所载"
    )
    source_date = models.DateField("发布日期", null=True, blank=True)
    source_url = models.URLField("原文链接", max_length=500, blank=True)
    compiled_by = models.CharField("摘编", max_length=100, blank=True)
    body = models.TextField("正文", blank=True, help_text="保存时自动清理不安全的 HTML")
    page_start = models.PositiveIntegerField("起始页", null=True, blank=True)
    page_end = models.PositiveIntegerField("结束页", null=True, blank=True)
    # Where the article starts in the issue's PDF, for issues without printed page numbers;
    # written after each build of that PDF (printing/storage.py), never part of what it prints.
    pdf_page = models.PositiveIntegerField("PDF 页码", null=True, blank=True, editable=False)
    tags = TaggableManager("标签", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    # Bumped by every full save; the admin form carries the version it was opened at, so a second
    # editor's save over a newer version is refused instead of silently overwriting it.
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    history = HistoricalRecords(verbose_name="文章历史")
    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = "文章"
        verbose_name_plural = "文章"
        ordering = ["issue", "position"]
        permissions = [("publish_article", "可以发布和撤回文章")]
        constraints = [
            models.UniqueConstraint(fields=["issue", "number"], name="article_issue_number_unique"),
        ]
        indexes = [
            # The issue page and prev/next links read an issue's articles in printed order.
            models.Index(fields=["issue", "position"], name="article_issue_position"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs) -> None:
        # Every path that stores a body (admin form, importer, API, shell) goes through here.
        self.body = clean_html(self.body)
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and (update_fields is None or "version" in update_fields):
            # From the stored row, not this instance: a revert saves an old version's instance,
            # and a counter that went back would let a stale form through the conflict check.
            stored = Article.objects.filter(pk=self.pk).values_list("version", flat=True).first()
            self.version = max(stored or 0, self.version) + 1
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return article_url(self.issue.year, self.issue.number, self.number)

    def clean(self) -> None:
        if self.section_id and self.issue_id and self.section.issue_id != self.issue_id:
            raise ValidationError({"section": "栏目必须属于这篇文章所在的期刊。"})
        if self.source_kind and not self.source.strip():
            raise ValidationError({"source_kind": "没有来源标签的文章不能选择标签类别。"})
        if self.source.strip() and not self.source_kind:
            raise ValidationError(
                {"source_kind": "请选择来源标签的类别：来源（发布单位、媒体）、主题或地区。"}
            )

    @property
    def page_label(self) -> str:
        if self.page_start is None:
            return ""
        if self.page_end and self.page_end != self.page_start:
            return f"{self.page_start}–{self.page_end}"
        return str(self.page_start)

    @property
    def outlet(self) -> str:
        """The label before the colon when it names who published the text (教育部, 中国教育报);
        a topic or place label is no source."""
        return outlet_of(self.source, self.source_kind)

    @property
    def source_line(self) -> str:
        """信息来源 with the source's own date, as the feed and the 公众号 copy give it."""
        source = self.source_name or self.outlet
        if not source:
            return ""
        day = self.source_date
        return f"信息来源：{source}" + (f"（{day.year}年{day.month}月{day.day}日）" if day else "")


class Attachment(models.Model):
    """An image or document that belongs to an article; its body links to ``get_absolute_url``."""

    article = models.ForeignKey(
        Article, verbose_name="文章", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=upload_path, max_length=200)
    title = models.CharField("说明", max_length=200, blank=True)
    original_name = models.CharField("原文件名", max_length=255, editable=False)
    content_type = models.CharField("类型", max_length=100, editable=False)
    size = models.PositiveIntegerField("大小（字节）", default=0, editable=False)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["article", "pk"]

    def __str__(self) -> str:
        return self.title or self.original_name

    def save(self, *args, **kwargs) -> None:
        if self.file and not self.file._committed and not self.content_type:
            self.clean()  # every path is checked, not only the admin form
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:attachment", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.file and not self.file._committed:
            checked = check_upload(self.file)
            self._checked_extension = checked.extension
            self.content_type = checked.content_type
            self.original_name = (self.file.name or "")[-255:]
            self.size = self.file.size

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Topic(models.Model):
    """A term of the field's vocabulary; articles that name it get it as a suggested tag.

    Loaded from articles/data/topics.json by a migration; editors add, edit and switch off terms
    in the admin (see articles/topics.py for the matching rule).
    """

    name = models.CharField("主题词", max_length=50, unique=True, help_text="也是建议标签的名称")
    aliases = models.CharField(
        "同义说法", max_length=300, blank=True, help_text="出现这些说法也算该主题，用、或逗号分隔"
    )
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "主题词"
        verbose_name_plural = "主题词"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in re.split(r"[、,，;；\s]+", self.aliases) if a.strip()]


class TopicSuggestion(models.Model):
    """That a topic was once suggested (added as a tag) for an article: it is not suggested again,
    so a tag an editor removed stays removed."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="topic_suggestions")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="suggestions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "主题建议"
        verbose_name_plural = "主题建议"
        constraints = [
            models.UniqueConstraint(fields=["article", "topic"], name="topicsuggestion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.topic}"


class Mention(models.Model):
    """An article naming a registry community or organisation in its text.

    Derived data, recomputed by ``articles.mentions`` whenever an article or a name changes;
    never edited by hand. Rows exist for drafts too: readers filter through
    ``Article.objects.published()``.
    """

    article = models.ForeignKey(
        "Article", verbose_name="文章", on_delete=models.CASCADE, related_name="mentions"
    )
    community = models.ForeignKey(
        "communities.Community",
        verbose_name="共同体",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="mentions",
    )
    organization = models.ForeignKey(
        "communities.Organization",
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="mentions",
    )
    occurrences = models.PositiveIntegerField("出现次数", default=1)

    class Meta:
        verbose_name = "文章提及"
        verbose_name_plural = "文章提及"
        # Moved here from communities with its table (state-only migrations).
        db_table = "communities_mention"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(community__isnull=False, organization__isnull=True)
                | models.Q(community__isnull=True, organization__isnull=False),
                name="mention_names_one_thing",
            ),
            models.UniqueConstraint(
                fields=["article", "community"],
                name="mention_article_community",
                condition=models.Q(community__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["article", "organization"],
                name="mention_article_organization",
                condition=models.Q(organization__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.community or self.organization}"


class RelatedLink(models.Model):
    """One of an article's related articles (articles/related.py), in rank order, with why.

    Derived data: every unit of content work that changes what the lists are made of writes them
    again where they changed, so that a page reads its list instead of every process working out
    the whole archive after each change. Lists exist for the articles published by status; the
    time part of visibility is checked when a page is rendered.
    """

    # No database constraint and no cascade: only the lists' own step (which takes its turn)
    # writes or removes these rows, so they take no lock on the articles they name, which the
    # unit beside it may hold. A deleted article's rows go in the step of the unit that
    # deleted it; a page joins ``other``, so a row naming a gone article shows nothing meanwhile.
    article = models.ForeignKey(
        "Article",
        verbose_name="文章",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="related_links",
    )
    other = models.ForeignKey(
        "Article",
        verbose_name="相关文章",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    rank = models.PositiveSmallIntegerField("名次")
    reason = models.CharField("理由", max_length=300)

    class Meta:
        verbose_name = "相关文章"
        verbose_name_plural = "相关文章"
        constraints = [
            models.UniqueConstraint(fields=["article", "rank"], name="related_link_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.other_id} ({self.rank})"
