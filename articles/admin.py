import logging

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html_join
from django_prose_editor.widgets import AdminProseEditorWidget
from js_asset import Media
from taggit.models import Tag

from articles.conflicts import find_conflict
from articles.models import Article, Attachment, Topic
from articles.topics import apply_topics_to_all
from issues.models import Status
from issues.publishing import PublishingAdminMixin
from zhijiao.recover import RevisionAdmin

logger = logging.getLogger(__name__)

# The editor offers what articles/sanitize.py keeps (nh3 cleans every save whatever the editor
# sends): headings, emphasis, lists, quotes, tables, links, images.
EDITOR_CONFIG = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Underline": True,
        "Strike": True,
        "Subscript": True,
        "Superscript": True,
        "Heading": {"levels": [2, 3, 4]},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "HorizontalRule": True,
        "HardBreak": True,
        "Link": {"protocols": ["http", "https", "mailto"], "enableTarget": False},
        "Image": True,
        "Table": True,
        "TableRow": True,
        "TableHeader": True,
        "TableCell": True,
        "History": True,
        "HTML": True,
    }
}


def editor_media_with_nonce(request, context) -> None:
    """The rich-text editor's import map is an inline <script>: under the Content-Security-Policy
    it runs only with the request's nonce (every form that shows the editor calls this)."""
    nonce = getattr(request, "csp_nonce", None)
    if nonce is not None and "media" in context:
        context["media"] = Media.from_media(context["media"], nonce=nonce)


class ArticleForm(forms.ModelForm):
    # Tags as an autocomplete over existing tags (taggit's own field is a free-text box);
    # new tags are added on the tag admin page or by the topic suggestions.
    tag_list = forms.ModelMultipleChoiceField(
        label="标签",
        queryset=Tag.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple(Article._meta.get_field("tags"), admin.site),
    )

    class Meta:
        model = Article
        widgets = {"body": AdminProseEditorWidget(config=EDITOR_CONFIG, preset="configurable")}
        # Every field the fieldsets show; tags go through tag_list.
        fields = (
            "issue",
            "section",
            "number",
            "position",
            "status",
            "published_at",
            "title",
            "toc_title",
            "subtitle",
            "source",
            "body",
            "source_name",
            "source_date",
            "source_url",
            "compiled_by",
            "page_start",
            "page_end",
        )

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Set by the admin (PublishingAdminMixin.get_form) from the user's publish permission.
    may_publish = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["tag_list"] = list(self.instance.tags.all())
            # The version stored now: a revert's instance is an old version, and its own
            # number would make the conflict check refuse the revert.
            stored = Article.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
            self.initial["base_version"] = stored.first() or self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.may_publish:
            self._refuse_moving_across_publication(cleaned)
        if self.instance.pk:
            conflict = find_conflict(self.instance.pk, base_version=cleaned.get("base_version"))
            if conflict:
                # A second save must be deliberate: it now carries the version just shown.
                self.data = self.data.copy()
                self.data["base_version"] = conflict.current_version
                raise forms.ValidationError(conflict.message)
        return cleaned

    def _refuse_moving_across_publication(self, cleaned) -> None:
        """Moving a published article into or out of a published issue puts it online or takes
        it down: the 主编's decision, like publishing itself."""
        stored = (
            Article.objects.filter(pk=self.instance.pk)
            .values("status", "issue_id", "issue__status")
            .first()
        )
        target = cleaned.get("issue")
        if not stored or target is None or target.pk == stored["issue_id"]:
            return
        if stored["status"] == Status.PUBLISHED and Status.PUBLISHED in (
            stored["issue__status"],
            target.status,
        ):
            raise forms.ValidationError(
                "已发布的文章移入或移出已发布的期刊会改变读者看到的内容，需要主编操作；"
                "可先请主编撤回该文章，再移动。"
            )

    def _save_m2m(self):
        super()._save_m2m()
        self.instance.tags.set(self.cleaned_data["tag_list"])


class SectionTitleFilter(admin.AllValuesFieldListFilter):
    """Sections by title across issues (every 重要通知 at once), titled 栏目 rather than 标题."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "栏目"


class TagFilter(admin.SimpleListFilter):
    title = "标签"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return [
            (t.slug, t.name)
            for t in Tag.objects.filter(taggit_taggeditem_items__content_type__model="article")
            .distinct()
            .order_by("name")
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


class AttachmentFormSet(forms.BaseInlineFormSet):
    storage_failed = False  # set by AttachmentInline.get_formset for the re-rendered form

    def clean(self):
        super().clean()
        if self.storage_failed:
            raise forms.ValidationError(
                "附件未能保存：文件存储暂时不可写。本次修改（包括正文）均未保存，"
                "表单中的内容仍在，请稍后再保存，或请管理员检查存储。"
            )


class AttachmentInline(admin.TabularInline):
    model = Attachment
    formset = AttachmentFormSet
    fields = ("file", "title", "content_type", "size", "link")
    readonly_fields = ("content_type", "size", "link")
    extra = 0
    verbose_name_plural = "附件（图片与文档；正文中用“链接”插入）"

    @admin.display(description="链接")
    def link(self, obj: Attachment) -> str:
        return obj.get_absolute_url() if obj.pk else ""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.storage_failed = getattr(request, "attachment_storage_failed", False)
        return formset


@admin.register(Article)
class ArticleAdmin(PublishingAdminMixin, RevisionAdmin):
    form = ArticleForm
    inlines = [AttachmentInline]
    list_display = (
        "number",
        "title",
        "issue",
        "section_title",
        "source",
        "page_start",
        "status",
        "updated_at",
    )
    list_display_links = ("number", "title")
    list_filter = (
        "status",
        "issue",
        ("section__title", SectionTitleFilter),
        ("source", admin.AllValuesFieldListFilter),
        TagFilter,
    )
    list_select_related = ("issue", "section")
    search_fields = ("title", "toc_title", "body", "source", "number")
    autocomplete_fields = ("issue", "section")
    ordering = ("-issue__year", "-issue__number", "position")
    readonly_fields = ("created_at", "updated_at", "excerpted_from")
    fieldsets = (
        (None, {"fields": ("issue", "section", "number", "position", "status", "published_at")}),
        ("标题", {"fields": ("title", "toc_title", "subtitle", "source")}),
        # base_version is hidden: the version the editor opened, for find_conflict.
        ("正文", {"fields": ("body", "tag_list", "base_version")}),
        (
            "出处",
            {
                "fields": (
                    "source_name",
                    "source_date",
                    "source_url",
                    "compiled_by",
                    "page_start",
                    "page_end",
                )
            },
        ),
        ("记录", {"fields": ("excerpted_from", "created_at", "updated_at")}),
    )

    @admin.display(description="摘编自（素材库）")
    def excerpted_from(self, obj: Article) -> str:
        # Editors' provenance of an excerpt; teachers see the 信息来源 fields, not this.
        candidates = obj.source_candidates.select_related("document") if obj.pk else []
        return (
            format_html_join(
                "",
                '<div><a href="{}">{}</a> ›《{}》</div>',
                (
                    (
                        reverse("admin:sources_sourcedocument_change", args=[c.document_id]),
                        c.document,
                        c.title,
                    )
                    for c in candidates
                ),
            )
            or "—"
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except OSError:
            # Storing an uploaded attachment failed; the transaction rolled the save back. The
            # form again, with the editor's text and the reason, instead of a 500.
            if request.method != "POST":
                raise
            logger.exception("article %s: an attachment could not be stored", object_id)
            request.attachment_storage_failed = True
            for upload in request.FILES.values():
                upload.seek(0)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, *args, **kwargs):
        editor_media_with_nonce(request, context)
        return super().render_change_form(request, context, *args, **kwargs)

    @admin.display(description="栏目", ordering="section__title")
    def section_title(self, obj: Article) -> str:
        return f"{obj.section.number} {obj.section.title}"


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """The topic vocabulary (see articles/topics.py): terms that become suggested tags."""

    list_display = ("name", "aliases", "active", "suggestion_count")
    list_editable = ("active",)
    list_filter = ("active",)
    search_fields = ("name", "aliases")
    actions = ["apply_to_articles"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(suggestion_total=Count("suggestions"))

    @admin.display(description="已建议给文章", ordering="suggestion_total")
    def suggestion_count(self, obj: Topic) -> int:
        return obj.suggestion_total

    @admin.action(description="为已有文章匹配所选主题词（只添加从未建议过的标签）")
    def apply_to_articles(self, request, queryset):
        added = apply_topics_to_all(topics=queryset.filter(active=True))
        self.message_user(request, f"新增 {added} 个标签。")
