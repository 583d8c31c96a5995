import json
import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminTextInputWidget, AutocompleteSelectMultiple
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db.models import Count
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django_prose_editor.widgets import (
    AdminProseEditorWidget,
    prose_editor_admin_media,
    prose_editor_js,
)
from js_asset import Media, Script
from taggit.models import Tag

from articles.conflicts import BOTH, EDIT, MINE, THEIRS, Conflict, find_conflict, form_value
from articles.editor import article_images, store_image
from articles.models import Article, Attachment, Topic
from articles.publishing import PublishingAdminMixin
from articles.topics import apply_topics_to_all
from core.publishing import Status
from core.recover import RevisionAdmin
from importer.labels import label_kind
from issues.models import Section
from sources.lines import join_broken_lines

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


# An article's body also takes figures (image + 图注): its images are its attachments.
ARTICLE_EDITOR_CONFIG = {
    "extensions": EDITOR_CONFIG["extensions"] | {"Figure": True, "Caption": True},
}


class ArticleBodyWidget(AdminProseEditorWidget):
    """ARTICLE_EDITOR_CONFIG with our preset (static/articles/editor/): Chinese labels, the image
    button and the clean paste. ArticleAdmin.get_form puts the endpoints' URLs on the textarea
    (``data-images-url``, ``data-paste-url``); without the first (an article not yet saved) the
    image button asks to save first, without the second a paste is the editor's own."""

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, config=ARTICLE_EDITOR_CONFIG, preset="zhijiao")

    @property
    def media(self):
        return prose_editor_admin_media + Media(
            css={"all": ["articles/editor/editor.css"]},
            # zh.js is a classic script so that it runs before the editor's modules read gettext.
            js=[
                Script("articles/editor/zh.js"),
                prose_editor_js,
                Script("articles/editor/preset.js", type="module"),
            ],
        )


class IssueSectionField(forms.ModelChoiceField):
    """栏目 as a plain list of one issue's sections (ArticleForm picks the issue). Any section is
    looked up, so that one of another issue meets Article.clean and its own message."""

    def label_from_instance(self, obj: Section) -> str:
        return f"{obj.number} {obj.title}"

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return Section.objects.select_related("issue").get(pk=value)
        except (ValueError, TypeError, Section.DoesNotExist):
            raise ValidationError("所选的栏目不存在，请重新选择。", code="invalid_choice") from None


#: Chinese titles are long: the title fields as wide as the form allows (article_form.css).
WIDE_TEXT = AdminTextInputWidget(attrs={"class": "vTextField article-wide"})


class ArticleForm(forms.ModelForm):
    section = IssueSectionField(
        label="栏目", queryset=Section.objects.none(), empty_label="（请选择栏目）"
    )
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
        widgets = {
            "body": ArticleBodyWidget(),
            "title": WIDE_TEXT,
            "toc_title": WIDE_TEXT,
            "subtitle": WIDE_TEXT,
        }
        error_messages = {
            "source_kind": {
                "invalid_choice": "标签类别只能是“来源”“主题”或“地区”，“%(value)s”不是其中之一。"
            }
        }
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
            "source_kind",
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
        self._limit_sections()

    class Media:
        css = {"all": ["articles/article_form.css"]}
        # select2_labels.js: names for the 期刊 and 标签 autocompletes (select2 gives none).
        js = ["articles/article_form.js", "core/select2_labels.js"]

    def _limit_sections(self) -> None:
        """栏目 offers the chosen issue's sections: the posted issue, the article's, or the one the
        add form was opened for (?issue=). article_form.js swaps them when the issue changes."""
        field = self.fields.get("section")
        if field is None:
            return
        issue = self.data.get(self.add_prefix("issue")) if self.is_bound else None
        issue = str(issue or self.instance.issue_id or self.initial.get("issue") or "")
        if not issue.isdigit():
            self.initial.pop("issue", None)  # ?issue=abc: the issue's own widget would fail on it
        field.queryset = Section.objects.filter(
            issue_id=int(issue) if issue.isdigit() else None
        ).order_by("position", "pk")
        by_issue: dict[str, list] = {}
        for issue_id, pk, number, title in Section.objects.order_by(
            "issue_id", "position", "pk"
        ).values_list("issue_id", "pk", "number", "title"):
            by_issue.setdefault(str(issue_id), []).append([pk, f"{number} {title}"])
        field.widget.attrs.update(
            {"class": "article-section", "data-sections": json.dumps(by_issue, ensure_ascii=False)}
        )

    def clean(self):
        cleaned = super().clean()
        self._derive_source_kind(cleaned)
        if self.instance.pk and not self.may_publish:
            self._refuse_moving_across_publication(cleaned)
        if self.instance.pk:
            self._merge_with_stored(cleaned)
        return cleaned

    def _derive_source_kind(self, cleaned) -> None:
        """标签类别 as the importer would derive it when the editor left it empty or changed the
        label without touching it (the old label's kind says nothing about the new one); none
        without a label. A kind the editor chose is kept."""
        if "source_kind" not in self.fields or "source_kind" in self.errors:
            return
        source = (cleaned.get("source") or "").strip()
        changed = "source" in self.changed_data and "source_kind" not in self.changed_data
        if not source:
            cleaned["source_kind"] = ""
        elif changed or not cleaned.get("source_kind"):
            cleaned["source_kind"] = label_kind(source, source_name=cleaned.get("source_name", ""))

    # Set when the save was merged with another editor's (the change form shows the conflict).
    conflict: Conflict | None = None
    conflict_rows: list[dict] = []

    def _merge_with_stored(self, cleaned) -> None:
        """A stale save is merged with what was saved since (articles/conflicts.py); a field both
        editors changed is saved only as the editor chose it on the conflict form."""
        columns = {f.name for f in Article._meta.concrete_fields}
        mine = {n: cleaned[n] for n in self.fields if n in columns and n in cleaned}
        conflict = find_conflict(
            self.instance.pk, base_version=cleaned.get("base_version"), mine=mine
        )
        if conflict is None:
            return
        cleaned.update(conflict.taken)
        self.merged_with = conflict
        if not conflict.fields:
            return
        # Choices count only for the version they were made against: a third save in between
        # shows the conflict again.
        answered = self.data.get("conflict-version") == str(conflict.current_version)
        chosen, problems = self._chosen(conflict) if answered else ({}, [])
        if answered and not problems:
            cleaned.update(chosen)
            return
        self.conflict = conflict
        self.conflict_rows = [
            {
                "field": f,
                "choice": self.data.get(f"conflict-{f.name}", "") if answered else "",
                "text": self.data.get(f"conflict-{f.name}-text", f.draft) if answered else f.draft,
            }
            for f in conflict.fields
        ]
        # The form shows what will be kept of the other side's save; base_version stays the
        # version the editor opened, the base of the next merge.
        self.data = self.data.copy()
        for name, value in conflict.taken.items():
            self.data[name] = form_value(value)
        raise forms.ValidationError([conflict.message, *problems])

    def _chosen(self, conflict: Conflict) -> tuple[dict, list[str]]:
        chosen, missing, problems = {}, [], []
        for f in conflict.fields:
            choice = self.data.get(f"conflict-{f.name}")
            if choice not in dict(f.choices):
                missing.append(f.label)
            elif choice == THEIRS:
                chosen[f.name] = f.theirs
            elif choice == MINE:
                chosen[f.name] = f.mine
            elif choice == BOTH:
                chosen[f.name] = f.merged
            elif choice == EDIT:
                try:
                    text = self.data.get(f"conflict-{f.name}-text", "")
                    chosen[f.name] = self.fields[f.name].clean(text)
                except forms.ValidationError as exc:
                    problems.append(f"手动编辑的{f.label}有误：{'；'.join(exc.messages)}")
        if missing:
            problems.insert(0, f"还没有选择保留哪一方的版本：{'、'.join(missing)}。")
        return chosen, problems

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


class SourceFilter(admin.AllValuesFieldListFilter):
    """来源 as stored; the empty one (an article without a 来源) gets a name instead of an empty
    link."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] == "":
                choice = {**choice, "display": "（无来源）"}
            yield choice


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
        "source_kind",
        "page_start",
        "status",
        "updated_at",
    )
    list_display_links = ("number", "title")
    list_filter = (
        "status",
        "issue",
        ("section__title", SectionTitleFilter),
        ("source", SourceFilter),
        "source_kind",
        TagFilter,
    )
    list_select_related = ("issue", "section")
    search_fields = ("title", "toc_title", "body", "source", "number")
    autocomplete_fields = ("issue",)  # 栏目 is ArticleForm's list of the issue's sections
    ordering = ("-issue__year", "-issue__number", "position")
    readonly_fields = ("created_at", "updated_at", "excerpted_from")
    fieldsets = (
        (None, {"fields": ("issue", "section", "number", "position", "status", "published_at")}),
        ("标题", {"fields": ("title", "toc_title", "subtitle", ("source", "source_kind"))}),
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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        merged = getattr(form, "merged_with", None)
        if merged and merged.taken:
            labels = "、".join(str(Article._meta.get_field(n).verbose_name) for n in merged.taken)
            messages.info(
                request, f"已合并{merged.who}于 {merged.when} 保存的修改：{labels}采用对方的版本。"
            )

    def render_change_form(self, request, context, *args, **kwargs):
        editor_media_with_nonce(request, context)
        return super().render_change_form(request, context, *args, **kwargs)

    # The rich-text editor's endpoints (static/articles/editor/preset.js): JSON, errors in Chinese.
    PASTE_MAX_CHARS = 200_000

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        body = form.base_fields.get("body")
        if body is not None:
            body.widget.attrs["data-paste-url"] = reverse(f"admin:{self._editor_url('paragraphs')}")
            if obj is not None and obj.pk:
                name = f"admin:{self._editor_url('images')}"
                body.widget.attrs["data-images-url"] = reverse(name, args=[obj.pk])
        return form

    def _editor_url(self, kind: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_editor_{kind}"

    def get_urls(self):
        return [
            path(
                "editor/paragraphs/",
                self.admin_site.admin_view(self.editor_paragraphs_view),
                name=self._editor_url("paragraphs"),
            ),
            path(
                "<path:object_id>/editor/images/",
                self.admin_site.admin_view(self.editor_images_view),
                name=self._editor_url("images"),
            ),
            *super().get_urls(),
        ]

    def editor_images_view(self, request, object_id):
        """GET: the article's images; POST (``file``, ``caption``): a new image attachment."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            return _refusal("文章不存在或已被删除。", 404)
        if request.method == "GET":
            if not self.has_view_or_change_permission(request, article):
                return _refusal("你没有查看这篇文章的权限。", 403)
            return JsonResponse({"images": [i.as_json() for i in article_images(article)]})
        if request.method != "POST":
            return _refusal("只接受 GET 或 POST 请求。", 405)
        if not (
            self.has_change_permission(request, article)
            and request.user.has_perm("articles.add_attachment")
        ):
            return _refusal("你没有为这篇文章上传图片的权限。", 403)
        try:
            image = store_image(
                article=article,
                upload=request.FILES.get("file"),
                caption=request.POST.get("caption", ""),
            )
        except ValidationError as exc:
            return _refusal("".join(exc.messages), 400)
        except OSError:
            logger.exception("article %s: an image could not be stored", article.pk)
            return _refusal(
                "图片未能保存：文件存储暂时不可写。请稍后再试，或请管理员检查存储。", 503
            )
        return JsonResponse(image.as_json(), status=201)

    def editor_paragraphs_view(self, request):
        """POST ``text``: its paragraphs, lines cut by a conversion re-joined (sources/lines.py,
        the 素材库's one implementation)."""
        if request.method != "POST":
            return _refusal("只接受 POST 请求。", 405)
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            return _refusal("你没有编辑文章的权限。", 403)
        try:
            text = request.POST.get("text", "")
        except RequestDataTooBig:
            text = None
        if text is None or len(text) > self.PASTE_MAX_CHARS:
            most = self.PASTE_MAX_CHARS // 10000
            return _refusal(f"粘贴的文字太长：一次最多整理 {most} 万字，请分几次粘贴。", 400)
        lines = sum(1 for line in text.splitlines() if line.strip())
        return JsonResponse({"paragraphs": join_broken_lines(text), "lines": lines})

    @admin.display(description="栏目", ordering="section__title")
    def section_title(self, obj: Article) -> str:
        return f"{obj.section.number} {obj.section.title}"


def _refusal(message: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


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
