import logging

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from articles.models import Article
from issues.importer import uploads
from issues.importer.common import ImportRefused
from issues.importer.load import ImportProblem, import_issue, parse_issue_file
from issues.models import Issue, Section, Status, section_tree_problem
from issues.numbering import renumber, renumbering_changes
from issues.pdf.admin import export_pdf
from issues.publishing import PublishingAdminMixin
from zhijiao.recover import RevisionAdmin

logger = logging.getLogger(__name__)


class SectionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """The tree as this form will leave it: each form's own check sees only the stored
        parents, so two rows changed at once (1 › 1.1 and 1.1 › 1) are caught here."""
        super().clean()
        if any(self.errors):
            return
        parents = dict(Section.objects.filter(issue=self.instance).values_list("pk", "parent_id"))
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        for form in kept:
            if form.instance.pk is not None:
                parent = form.cleaned_data.get("parent")
                parents[form.instance.pk] = parent.pk if parent else None
        for form in kept:
            form.instance.parent = form.cleaned_data.get("parent")
            problem = section_tree_problem(form.instance, parents)
            if problem:
                form.add_error("parent", problem)


class SectionInline(admin.TabularInline):
    model = Section
    formset = SectionFormSet
    fields = ("number", "title", "parent", "position", "page")
    ordering = ("position",)
    extra = 0
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only sections of this issue can be parents (and one query, not one per row).
        if db_field.name == "parent":
            issue_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Section.objects.filter(issue_id=issue_id).select_related("issue")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ArticleInline(admin.TabularInline):
    model = Article
    fields = ("position", "number", "title", "section", "page_start", "status")
    readonly_fields = ("number", "title", "section", "status")
    ordering = ("position",)
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name_plural = "文章（按印刷顺序；修改“顺序”即可调整）"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("section__issue")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Issue)
class IssueAdmin(PublishingAdminMixin, RevisionAdmin):
    list_display = (
        "label",
        "title",
        "status",
        "published_at",
        "section_count",
        "article_count",
        "updated_at",
    )
    list_filter = ("status", "year")
    search_fields = ("title", "notes", "year")
    readonly_fields = ("created_at", "updated_at")
    inlines = [SectionInline, ArticleInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "year",
                    "number",
                    "title",
                    "title_en",
                    "status",
                    "published_at",
                    "publication_date",
                )
            },
        ),
        (
            "刊头与编辑",
            {
                "fields": (
                    "school",
                    "school_en",
                    "publisher",
                    "chief_editor",
                    "editor",
                    "managing_editor",
                    "notes",
                )
            },
        ),
        ("附录", {"fields": ("appendix", "appendix_page")}),
        ("记录", {"fields": ("created_at", "updated_at")}),
    )
    change_list_template = "admin/issues/issue/change_list.html"
    actions = [export_pdf, *PublishingAdminMixin.actions, "renumber"]
    # Meta.ordering is dropped from GROUP BY queries (the counts below), so say it again.
    ordering = ("-year", "-number")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _sections=Count("sections", distinct=True),
                _articles=Count("articles", distinct=True),
            )
        )

    @admin.display(description="期", ordering="year")
    def label(self, obj: Issue) -> str:
        return obj.label

    @admin.display(description="栏目数", ordering="_sections")
    def section_count(self, obj: Issue) -> int:
        return obj._sections

    @admin.display(description="文章数", ordering="_articles")
    def article_count(self, obj: Issue) -> int:
        return obj._articles

    @admin.action(description="按顺序重新编号", permissions=["change"])
    def renumber(self, request, queryset):
        """Drafts are renumbered at once; a published issue only after the editor saw the list."""
        published = [i for i in queryset if i.status == Status.PUBLISHED]
        if published and request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "重新编号已发布的期刊",
                "issues": [(i, renumbering_changes(i)) for i in queryset],
                "queryset": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/issues/issue/renumber_confirm.html", context)
        for issue in queryset:
            n = renumber(issue=issue)
            messages.success(request, f"{issue.label}：{n} 个编号已更新。")
        return None

    def get_urls(self):
        return [
            path(
                "import/", self.admin_site.admin_view(self.import_view), name="issues_issue_import"
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload an issue file, see what the importer finds (dry run), then confirm."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "导入期刊文件",
        }
        may_publish = self.has_publish_permission(request)
        if request.method == "POST" and "token" in request.POST:
            return self._confirm_import(request)
        form = ImportForm(request.POST or None, request.FILES or None, may_publish=may_publish)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                text = uploads.read_upload(upload)
                result = import_issue(text=text, dry_run=True)
                self._check_import_permission(request, result.doc.year, result.doc.number)
                token = uploads.stash(text)
            except ImportProblem as exc:
                form.add_error("file", str(exc))
            except OSError:
                logger.exception("import upload: the file could not be stashed")
                form.add_error("file", STORAGE_FAILED)
            else:
                from issues.management.commands.import_issue import describe

                context.update(
                    result=result,
                    structure=describe(result),
                    token=token,
                    filename=upload.name,
                    publish=form.cleaned_data.get("publish", False),
                    may_remove_published=may_publish,
                    replace=form.cleaned_data["replace"],
                )
                return TemplateResponse(request, "admin/issues/issue/import_confirm.html", context)
        context["form"] = form
        return TemplateResponse(request, "admin/issues/issue/import.html", context)

    def _check_import_permission(self, request: HttpRequest, year: int, number: int) -> None:
        """Creating an issue needs the right to add one, updating it the right to change it."""
        exists = Issue.objects.filter(year=year, number=number).exists()
        if not (
            self.has_change_permission(request) if exists else self.has_add_permission(request)
        ):
            raise ImportRefused(
                f"{year}年第{number:02d}期"
                + (
                    "已存在，你没有修改期刊的权限。"
                    if exists
                    else "尚不存在，你没有新建期刊的权限。"
                )
            )

    def _confirm_import(self, request: HttpRequest) -> HttpResponse:
        publish = request.POST.get("publish") == "1"
        if publish and not self.has_publish_permission(request):
            raise PermissionDenied
        back = HttpResponseRedirect(reverse("admin:issues_issue_import"))
        try:
            text = uploads.take(request.POST["token"])
        except OSError:
            logger.exception("import confirm: the stashed file could not be read")
            messages.error(request, STORAGE_FAILED)
            return back
        if text is None:
            messages.error(request, "上传的文件已过期或不存在，请重新上传。")
            return back
        try:
            doc, _ = parse_issue_file(text)
            self._check_import_permission(request, doc.year, doc.number)
            result = import_issue(
                text=text,
                publish=publish,
                replace=request.POST.get("replace") == "1",
                registry_now=request.POST.get("registry_now") == "1",
                may_remove_published=self.has_publish_permission(request),
            )
        except ImportProblem as exc:
            messages.error(request, str(exc))
            return back
        messages.success(request, result.summary())
        return HttpResponseRedirect(reverse("admin:issues_issue_change", args=[result.issue.pk]))


STORAGE_FAILED = "文件存储暂时不可写（或不可读），未导入任何内容；请稍后重试，或请管理员检查存储。"


class ImportForm(forms.Form):
    file = forms.FileField(
        label="期刊文件",
        help_text="纯文本（.txt/.md，UTF-8）或 Word（.docx），格式与已出版的期刊相同。",
    )
    publish = forms.BooleanField(
        label="导入为已发布",
        required=False,
        help_text="已印刷的期刊可直接发布；否则导入为草稿，审核后再发布。",
    )
    replace = forms.BooleanField(
        label="覆盖已编辑的内容",
        required=False,
        help_text="该期导入后若被编辑过，勾选此项才会用文件内容替换。",
    )

    def __init__(self, *args, may_publish: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_publish:
            del self.fields["publish"]  # offered only to those who may publish (主编)


@admin.register(Section)
class SectionAdmin(RevisionAdmin):
    list_display = ("__str__", "number", "title", "issue", "parent", "position")
    list_filter = ("issue", "title")
    list_select_related = ("issue", "parent__issue")
    search_fields = ("title", "number")
    autocomplete_fields = ("issue", "parent")
    ordering = ("-issue__year", "-issue__number", "position")

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.select_related("issue"), may_have_duplicates

    def get_readonly_fields(self, request, obj=None):
        # A section's articles belong to its issue: moving it to another would part them.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "issue"] if obj is not None else fields
