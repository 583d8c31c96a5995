"""The 素材库 in the admin: upload a source document, correct its candidates, excerpt them."""

from __future__ import annotations

import logging

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django_prose_editor.widgets import AdminProseEditorWidget

from articles.admin import EDITOR_CONFIG, editor_media_with_nonce
from core.recover import RevisionAdmin
from core.tokens import parse_query
from issues.models import Section
from sources.editing import merge, split
from sources.errors import SourceError
from sources.excerpt import ExcerptRefused, excerpt
from sources.library import read_document, store_document
from sources.models import Candidate, SourceDocument

logger = logging.getLogger(__name__)


def _similar_label(candidate: Candidate) -> str:
    best = candidate.similar[0] if candidate.similar else None
    if not best:
        return ""
    label = f"与 {best['label']} 相似 {round(best['score'] * 100)}%"
    return f"可能已摘编：{label}" if best.get("likely") else label


class NormSearchMixin:
    """The admin's search box with the site's query syntax (words, "phrases", -exclusions) over
    the normalised text the model keeps in ``norm`` (traditional characters, widths folded)."""

    def get_search_results(self, request, queryset, search_term):
        query = parse_query(search_term)
        if not query.terms:
            return queryset, False
        for term in query.positive:
            queryset = queryset.filter(**{self.norm_field + "__contains": term.text})
        for term in query.negative:
            queryset = queryset.exclude(**{self.norm_field + "__contains": term.text})
        return queryset, False


PASTE_MAX_CHARS = 800_000  # UTF-8 Chinese is 3 bytes a character: under Django's 2.5 MB


class UploadForm(forms.Form):
    file = forms.FileField(
        label="文件",
        required=False,
        help_text="PDF（文字版）、Word（.docx）或纯文本（.txt/.md，UTF-8）。",
    )
    pasted = forms.CharField(
        label="或粘贴文本",
        required=False,
        # A request body larger than Django's DATA_UPLOAD_MAX_MEMORY_SIZE is refused before any
        # form sees it: longer texts come as a file.
        max_length=PASTE_MAX_CHARS,
        help_text=f"最多约 {PASTE_MAX_CHARS // 10000} 万字；更长的文本请保存为 .txt 文件上传。",
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not (cleaned.get("pasted") or "").strip():
            raise forms.ValidationError("请选择一个文件，或粘贴文本。")
        return cleaned


class CandidateInlineFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Django's tabular inline writes the delete box without a <label> (its column head says
        # 删除?): name it for screen readers, after the candidate it deletes.
        if "DELETE" in form.fields and form.instance.pk:
            form.fields["DELETE"].widget.attrs["aria-label"] = f"删除《{form.instance.title}》"


class CandidateColumns:
    """What the document's inline and the candidate list both show of a candidate."""

    @admin.display(description="字数")
    def length(self, obj: Candidate) -> int:
        return obj.length

    @admin.display(description="相似")
    def similar_to(self, obj: Candidate) -> str:
        return _similar_label(obj)

    @admin.display(description="已摘编为")
    def taken(self, obj: Candidate) -> str:
        return _article_link(obj)


class CandidateInline(CandidateColumns, admin.TabularInline):
    model = Candidate
    formset = CandidateInlineFormSet
    fields = (
        "position",
        "preview",
        "column",
        "source",
        "source_date",
        "length",
        "similar_to",
        "taken",
    )
    readonly_fields = fields
    ordering = ("position",)
    extra = 0
    # The admin prints each candidate's title above its row, with the 修改 link beside it.
    show_change_link = True
    verbose_name_plural = "候选文章（点“修改”核对、拆分；在“候选文章”列表中合并或摘编到期刊）"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="预览")
    def preview(self, obj: Candidate) -> str:
        return Truncator(obj.plain_text).chars(80)


def _article_link(obj: Candidate) -> str:
    if not obj.article_id:
        return ""
    url = reverse("admin:articles_article_change", args=[obj.article_id])
    return format_html('<a href="{}">{}</a>', url, obj.article)


@admin.register(SourceDocument)
class SourceDocumentAdmin(NormSearchMixin, RevisionAdmin):
    norm_field = "candidates__norm"
    list_display = (
        "__str__",
        "kind",
        "publisher",
        "date",
        "candidate_count",
        "uploaded_by",
        "created_at",
    )
    list_filter = ("kind",)
    search_fields = ("title",)  # shows the box; get_search_results decides
    fields = (
        "kind",
        "title",
        "publisher",
        "date",
        "editors_note",
        "original_name",
        "uploaded_by",
        "created_at",
    )
    readonly_fields = ("original_name", "uploaded_by", "created_at")
    inlines = [CandidateInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_candidates=Count("candidates"))

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    @admin.display(description="候选文章", ordering="_candidates")
    def candidate_count(self, obj: SourceDocument) -> int:
        return obj._candidates

    def add_view(self, request: HttpRequest, form_url="", extra_context=None) -> HttpResponse:
        """上传素材: a file or pasted text, read at once into candidates."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data.get("file")
            limit = settings.ZHIJIAO_SOURCE_MAX_BYTES
            try:
                if upload and upload.size > limit:  # refused before it is read into memory
                    size, most = upload.size / 1048576, limit / 1048576
                    raise SourceError(
                        f"文件太大（{size:.1f} MB），上限为 {most:.0f} MB："
                        "请拆分后上传，或只上传要摘编的部分。"
                    )
                if upload:
                    text, doc = read_document(data=upload.read(), filename=upload.name or "")
                else:
                    text, doc = read_document(pasted=form.cleaned_data["pasted"])
                document = store_document(
                    text=text,
                    doc=doc,
                    original_name=upload.name if upload else "粘贴的文本",
                    user=request.user,
                )
            except SourceError as exc:
                form.add_error("file" if upload else "pasted", str(exc))
            else:
                messages.success(
                    request, f"已读入 {document}：{document.candidates.count()} 篇候选文章。"
                )
                return HttpResponseRedirect(
                    reverse("admin:sources_sourcedocument_change", args=[document.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "上传素材",
            "form": form,
        }
        return TemplateResponse(request, "admin/sources/upload.html", context)


class CandidateForm(forms.ModelForm):
    class Meta:
        model = Candidate
        fields = (
            "document",
            "position",
            "column",
            "title",
            "subtitle",
            "source",
            "source_date",
            "source_url",
            "compiled_by",
            "author",
            "body",
        )
        widgets = {
            "body": AdminProseEditorWidget(config=EDITOR_CONFIG, preset="configurable"),
            "title": forms.TextInput(attrs={"size": 80}),
            "subtitle": forms.TextInput(attrs={"size": 80}),
        }


class ExcerptForm(forms.Form):
    section = forms.ModelChoiceField(
        label="期刊与栏目",
        queryset=Section.objects.none(),
        help_text="所选候选文章按顺序成为该栏目最后的草稿文章。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Unpublished issues first: that is where the next issue is made.
        sections = Section.objects.select_related("issue").order_by(
            "issue__status", "-issue__year", "-issue__number", "position"
        )
        self.fields["section"].queryset = sections
        self.fields["section"].label_from_instance = lambda s: (
            f"{s.issue.label}（{s.issue.get_status_display()}） › {s.number} {s.title}"
        )


class TakenFilter(admin.SimpleListFilter):
    title = "摘编状态"
    parameter_name = "taken"

    def lookups(self, request, model_admin):
        return [("no", "未摘编"), ("yes", "已摘编")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(article__isnull=self.value() == "no")
        return queryset


@admin.register(Candidate)
class CandidateAdmin(CandidateColumns, NormSearchMixin, RevisionAdmin):
    norm_field = "norm"
    form = CandidateForm
    list_display = (
        "title",
        "column",
        "source",
        "source_date",
        "length",
        "similar_to",
        "taken",
        "document_short",
    )
    list_filter = ("document__kind", TakenFilter, "document")
    list_select_related = ("document", "article__issue")
    search_fields = ("title",)
    ordering = ("-document__created_at", "position")
    readonly_fields = ("similar_list", "taken", "created_at", "updated_at")
    actions = ["excerpt_to_issue", "merge_candidates"]
    fieldsets = (
        (None, {"fields": ("document", "position", "column", "title", "subtitle")}),
        ("出处", {"fields": ("source", "source_date", "source_url", "compiled_by", "author")}),
        ("正文", {"fields": ("body",)}),
        ("核对", {"fields": ("similar_list", "taken", "created_at", "updated_at")}),
    )

    @admin.display(description="素材文档", ordering="document")
    def document_short(self, obj: Candidate) -> str:
        # The title column needs the width; the document's full name is on its own page.
        return Truncator(str(obj.document)).chars(12)

    @admin.display(description="相似的文章与候选")
    def similar_list(self, obj: Candidate) -> str:
        if not obj.similar:
            return "（没有相似内容）"
        return format_html_join(
            "",
            "<div>{} 相似 {}%</div>",
            ((s["label"], round(s["score"] * 100)) for s in obj.similar),
        )

    def render_change_form(self, request, context, *args, **kwargs):
        editor_media_with_nonce(request, context)
        return super().render_change_form(request, context, *args, **kwargs)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/split/",
                self.admin_site.admin_view(self.split_view),
                name="sources_candidate_split",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"split_url": reverse("admin:sources_candidate_split", args=[object_id])}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def split_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """拆分: the paragraphs from the one chosen on become a candidate of their own."""
        candidate = Candidate.objects.filter(pk=object_id).first()
        if candidate is None or not self.has_change_permission(request, candidate):
            raise PermissionDenied
        from sources.editing import body_blocks

        blocks = body_blocks(candidate.body)
        if request.method == "POST":
            at = request.POST.get("at", "")
            try:
                second = split(
                    candidate,
                    at=int(at) if at.isdigit() else -1,
                    title=request.POST.get("title", ""),
                    user=request.user,
                )
            except ValueError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已拆分为《{candidate.title}》和《{second.title}》。")
                return HttpResponseRedirect(
                    reverse("admin:sources_candidate_change", args=[second.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"拆分《{candidate.title}》",
            "candidate": candidate,
            "blocks": blocks,
        }
        return TemplateResponse(request, "admin/sources/split.html", context)

    @admin.action(description="合并所选的两篇候选文章", permissions=["change"])
    def merge_candidates(self, request, queryset):
        try:
            kept = merge(list(queryset.order_by("document", "position")), user=request.user)
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已合并为《{kept.title}》。")

    @admin.action(description="摘编到期刊……", permissions=["excerpt"])
    def excerpt_to_issue(self, request, queryset):
        chosen = list(queryset.select_related("document").order_by("document", "position"))
        form = ExcerptForm(request.POST if "section" in request.POST else None)
        if form.is_bound and form.is_valid():
            section = form.cleaned_data["section"]
            try:
                made = excerpt(candidates=chosen, section=section, user=request.user)
            except ExcerptRefused as exc:
                messages.error(request, str(exc))
                return None
            messages.success(
                request,
                f"已摘编 {len(made)} 篇到 {section.issue.label} {section.number} {section.title}："
                + "、".join(a.number for a in made),
            )
            return HttpResponseRedirect(
                reverse("admin:issues_issue_change", args=[section.issue_id])
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "摘编到期刊",
            "form": form,
            "candidates": chosen,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/sources/excerpt.html", context)

    def has_excerpt_permission(self, request) -> bool:
        return request.user.has_perm("articles.add_article")

    def has_add_permission(self, request):
        return False  # candidates come from a document (上传素材), or by splitting one
