import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Count, Value
from django.db.models.functions import Cast, Concat
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property

from articles.models import Article
from articles.numbering import renumber, renumbering_changes
from articles.prepublish import prepublish_warnings
from articles.publishing import PublishingAdminMixin
from core.publishing import Status
from core.recover import RevisionAdmin
from importer import uploads
from importer.common import ImportRefused
from importer.load import ImportProblem, import_issue, parse_issue_file
from issues.models import MASTHEAD_FIELDS, Issue, Section, section_tree_problem
from issues.next_issue import (
    NEXT_NUMBER_RULE,
    IssueExists,
    issue_from_previous,
    proposed_year_number,
)
from printing.admin import export_pdf
from sources import similar

logger = logging.getLogger(__name__)


#: A parent that is another new row of the same form, by that row's form index ("new-3"): it has
#: no primary key until the form is saved (static/issues/section_tree.js offers these).
NEW_ROW = "new-"


class SectionForm(forms.ModelForm):
    # A key rather than a saved section, so that a new row can sit under another new row.
    parent = forms.CharField(
        label="上级板块",
        required=False,
        widget=forms.Select(attrs={"class": "section-parent"}),
    )
    # Left empty (a new row without the script), the row goes after the others.
    position = forms.IntegerField(
        label="顺序",
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "section-position"}),
    )
    follow_tree = False  # set by SectionFormSet: numbers come from the tree, not from the row

    class Meta:
        model = Section
        fields = ("number", "title", "parent", "position", "page")
        widgets = {
            "number": forms.TextInput(attrs={"class": "section-number", "size": 6}),
            "title": forms.TextInput(attrs={"class": "section-title"}),
            "page": forms.NumberInput(attrs={"class": "section-page"}),
        }

    def full_clean(self):
        self.instance.check_tree = False  # SectionFormSet.clean checks the whole tree
        if self.follow_tree:
            self.fields["number"].required = False
            self.fields["number"].validators = []
        super().full_clean()

    saved_sections: dict[int, Section] = {}  # the issue's, by pk (set by SectionFormSet)

    def has_changed(self):
        if self.instance.pk is not None:
            return super().has_changed()
        # A new row that only the script filled in (顺序; 编号 under 编号随结构) is left out.
        typed = ("title", "page") if self.follow_tree else ("number", "title", "page")
        return any(name in self.changed_data for name in typed)

    def clean_parent(self):
        """A saved section of this issue (resolved now), or a new row (by the formset)."""
        value = self.cleaned_data.get("parent") or ""
        self.parent_key = value or None
        if not value or value.startswith(NEW_ROW):
            return None
        parent = self.saved_sections.get(int(value)) if value.isdigit() else None
        if parent is None:
            raise forms.ValidationError("所选的上级板块不属于这一期或已不存在，请重新选择。")
        self.parent_key = parent.pk
        return parent

    def _get_validation_exclusions(self):
        exclusions = super()._get_validation_exclusions()
        if self.follow_tree:
            exclusions.add("number")  # given by the formset, unique by construction
        return exclusions


class SectionFormSet(forms.BaseInlineFormSet):
    """The issue's section tree in one form: rows may sit under rows added in the same form,
    positions follow the rows, and with 编号随结构 the numbers follow the tree."""

    renumber_articles = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.follow_tree = self.data.get(f"{self.prefix}-follow_tree") == "on"
        else:
            # Offered at once for a draft; a published issue's numbers are its URLs.
            self.follow_tree = self.instance.status != Status.PUBLISHED

    @cached_property
    def _sections(self) -> dict[int, Section]:
        """The issue's sections as stored, in order (one query for every row's choices)."""
        if self.instance.pk is None:
            return {}
        rows = Section.objects.filter(issue=self.instance).order_by("position", "pk")
        return {s.pk: s for s in rows}

    @cached_property
    def _saved(self) -> list[tuple[int, int | None, str, str]]:
        return [(s.pk, s.parent_id, s.number, s.title) for s in self._sections.values()]

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.follow_tree = self.follow_tree
        form.saved_sections = self._sections
        form.fields["parent"].widget.choices = self._parent_choices(form, index)
        # The table's cells have no <label>: each input says what and which row it is.
        saved = self._sections.get(form.instance.pk)
        row = f"{saved.number} {saved.title}" if saved else "新增的栏目"
        for field in form.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = f"{field.label}（{row}）"

    def _parent_choices(self, form, index) -> list[tuple[str, str]]:
        """Every section of the issue but the row itself and its subsections, and the other
        rows added in this form (when it comes back with an error)."""
        own = form.instance.pk
        below = {own} if own else set()
        grew = True
        while grew:
            more = {pk for pk, parent, _, _ in self._saved if parent in below} - below
            below |= more
            grew = bool(more)
        choices = [("", "（无，顶级板块）")]
        choices += [(str(pk), f"{n} {t}") for pk, _, n, t in self._saved if pk not in below]
        if self.is_bound:
            for i in range(self.initial_form_count(), self.total_form_count()):
                if i != index:
                    number = self.data.get(f"{self.prefix}-{i}-number", "")
                    title = self.data.get(f"{self.prefix}-{i}-title", "")
                    if number or title:
                        choices.append((f"{NEW_ROW}{i}", f"{number} {title}（新）"))
        return choices

    def validate_unique(self):
        if not self.follow_tree:  # otherwise the numbers are made below, unique
            super().validate_unique()

    def clean(self):
        """The tree as this form will leave it, each row checked by section_tree_problem: each
        form's own check sees only the stored parents, so two rows changed at once (1 › 1.1 and
        1.1 › 1), and rows under new rows, are caught here."""
        super().clean()
        if any(self.errors):
            return
        keys = {
            id(f): f.instance.pk or f"{NEW_ROW}{i}"
            for i, f in enumerate(self.forms)
            if f.has_changed() or f.instance.pk
        }
        deleted = {keys[id(f)] for f in self.forms if id(f) in keys and self._should_delete_form(f)}
        kept = [
            f
            for f in self.forms
            if id(f) in keys and f.cleaned_data and not self._should_delete_form(f)
        ]
        by_key = {keys[id(f)]: f for f in kept}
        parents: dict = {pk: parent for pk, parent, _, _ in self._saved}
        for form in kept:
            wanted = form.parent_key
            if wanted in deleted:
                form.add_error("parent", "上级板块已勾选删除：请另选上级板块，或一并删除这一行。")
            elif wanted is not None and wanted not in by_key:
                form.add_error("parent", "所选的上级板块（新增的一行）是空的或已删除，请重新选择。")
            parent = by_key.get(wanted)
            if parent is not None:
                form.instance.parent = parent.instance  # its number as this form has it
            parents[keys[id(form)]] = wanted
        if any(self.errors):
            return
        self._fill_positions(kept)
        self._order = self._tree_order(kept, keys, parents)
        if self.follow_tree:
            for form, number in self._order:
                form.instance.number = form.cleaned_data["number"] = number
        for form in kept:
            problem = section_tree_problem(form.instance, parents, key=keys[id(form)])
            if problem:
                form.add_error("parent", problem)

    @staticmethod
    def _fill_positions(kept) -> None:
        given = [f.cleaned_data.get("position") for f in kept]
        last = max((p for p in given if p is not None), default=0)
        for form in kept:
            if form.cleaned_data.get("position") is None:
                last += 1
                form.instance.position = form.cleaned_data["position"] = last

    @staticmethod
    def _tree_order(kept, keys, parents) -> list:
        """(form, number) in the order of the 目录, numbered as articles/numbering.py would:
        siblings by position, then saved before new, in the row order."""
        children: dict = {}
        ordered = sorted(
            enumerate(kept),
            key=lambda p: (p[1].instance.position, p[1].instance.pk or float("inf"), p[0]),
        )
        for _, form in ordered:
            children.setdefault(parents[keys[id(form)]], []).append(form)
        order: list = []

        def walk(parent_key, prefix: str) -> None:
            for place, form in enumerate(children.get(parent_key, []), start=1):
                order.append((form, f"{prefix}{place}"))
                walk(keys[id(form)], f"{prefix}{place}.")

        walk(None, "")
        return order

    def save(self, commit=True):
        """New rows first, parents before their subsections (a row may sit under a new one);
        with 编号随结构, the rows whose number changes step aside first, and the articles'
        numbers follow (articles/numbering.py)."""
        stored = {pk: number for pk, _, number, _ in self._saved}
        if self.follow_tree:
            moving = [
                f.instance.pk
                for f in self.initial_forms
                if f.instance.pk in stored
                and (self._should_delete_form(f) or f.instance.number != stored[f.instance.pk])
            ]
            # A bulk write sends no signal; these rows are saved or deleted again just below.
            Section.objects.filter(pk__in=moving).update(
                number=Concat(Value("~"), Cast("pk", CharField()), output_field=CharField())
            )
        saved = self.save_new_objects(commit) + self.save_existing_objects(commit)
        if self.follow_tree and commit:
            changed = {obj.pk for obj, _ in self.changed_objects}
            for form in self.initial_forms:
                pk = form.instance.pk
                kept = pk in stored and pk not in changed and not self._should_delete_form(form)
                if kept and form.instance.number != stored[pk]:
                    form.instance.save(update_fields=["number"])
            self.renumber_articles = True  # by IssueAdmin.save_related, after the articles' rows
        return saved

    def save_new_objects(self, commit=True):
        self.new_objects = []
        order = [form for form, _ in getattr(self, "_order", [])]
        order += [f for f in self.extra_forms if f not in order]
        extra = set(map(id, self.extra_forms))
        for form in [f for f in order if id(f) in extra]:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            self.new_objects.append(self.save_new(form, commit=commit))
            if not commit:
                self.saved_forms.append(form)
        return self.new_objects


class SectionInline(admin.TabularInline):
    model = Section
    form = SectionForm
    formset = SectionFormSet
    template = "admin/issues/section_inline_tabular.html"
    fields = ("number", "title", "parent", "position", "page")
    ordering = ("position", "pk")
    extra = 0
    show_change_link = True

    class Media:
        css = {"all": ["issues/section_tree.css"]}
        js = ["issues/section_tree.js"]


class ArticleInlineFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # The table's cells have no <label> (as in SectionFormSet): each input names its article.
        row = f"{form.instance.number} {form.instance.title}".strip()
        for field in form.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = f"{field.label}（{row}）"


class ArticleInline(admin.TabularInline):
    model = Article
    formset = ArticleInlineFormSet
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
            # The rest of the masthead (the names are in the first group).
            {"fields": tuple(f for f in MASTHEAD_FIELDS if f not in ("title", "title_en"))},
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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # 编号随结构: the articles' numbers follow their sections', once the articles' own rows
        # are saved too (a row saved later would write its old number back).
        if any(getattr(f, "renumber_articles", False) for f in formsets):
            renumber(issue=form.instance)

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

    @admin.action(description="发布", permissions=["publish"])
    def publish(self, request, queryset):
        """Issues with 发布前检查 warnings are published only after the 主编 saw them."""
        if request.POST.get("confirm") != "yes":
            reports = self._prepublish_reports(queryset.exclude(status=Status.PUBLISHED))
            if any(warnings for _, warnings in reports):
                return self._prepublish_response(
                    request, reports, queryset=queryset, title="发布前检查：确认发布"
                )
        return super().publish(request, queryset)

    def get_urls(self):
        return [
            path(
                "import/", self.admin_site.admin_view(self.import_view), name="issues_issue_import"
            ),
            path(
                "from-previous/",
                self.admin_site.admin_view(self.from_previous_view),
                name="issues_issue_from_previous",
            ),
            path(
                "<path:object_id>/prepublish/",
                self.admin_site.admin_view(self.prepublish_view),
                name="issues_issue_prepublish",
            ),
            *super().get_urls(),
        ]

    def from_previous_view(self, request: HttpRequest) -> HttpResponse:
        """以上一期为模板新建: the proposed year and number, editable, then one new draft."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        chosen = request.POST.get("previous") if data is not None else request.GET.get("from")
        form = NextIssueForm(data, initial_from=chosen)
        if form.no_template:
            messages.error(request, "还没有可作模板的期刊：请先导入或新建一期。")
            return HttpResponseRedirect(reverse("admin:issues_issue_changelist"))
        if data is not None and form.is_valid():
            previous = form.cleaned_data["previous"]
            try:
                issue = issue_from_previous(
                    previous, year=form.cleaned_data["year"], number=form.cleaned_data["number"]
                )
            except IssueExists as exc:
                form.add_error(None, str(exc))
            else:
                sections = issue.sections.count()
                messages.success(
                    request,
                    f"已以{previous.label}为模板新建{issue.label}（草稿）：刊头、说明和"
                    f" {sections} 个栏目已复制，文章请另行添加。",
                )
                return HttpResponseRedirect(reverse("admin:issues_issue_change", args=[issue.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "以上一期为模板新建",
            "form": form,
            "issues": Issue.objects.order_by("-year", "-number"),
            "masthead": [
                (Issue._meta.get_field(name).verbose_name, getattr(form.template, name))
                for name in MASTHEAD_FIELDS
            ],
            "sections": form.template.sections.order_by("position", "pk"),
        }
        return TemplateResponse(request, "admin/issues/issue/from_previous.html", context)

    def prepublish_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """发布前检查 of one issue: read-only for editors, with 发布 for those who may publish."""
        issue = self.get_object(request, unquote(object_id))
        if issue is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        if not self.has_view_or_change_permission(request, issue):
            raise PermissionDenied
        return self._prepublish_response(
            request,
            self._prepublish_reports([issue]),
            queryset=[issue] if issue.status != Status.PUBLISHED else [],
            title=f"发布前检查：{issue.label}",
        )

    def _prepublish_reports(self, issues) -> list[tuple[Issue, list]]:
        return [(issue, prepublish_warnings(issue, similar=similar)) for issue in issues]

    def _prepublish_response(self, request, reports, *, queryset, title: str) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "reports": reports,
            "publishable": queryset if self.has_publish_permission(request) else [],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/issues/issue/prepublish.html", context)

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
                from importer.load import describe

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


class NextIssueForm(forms.Form):
    # Chosen on the page (a GET form), so that the proposal and the preview follow it.
    previous = forms.ModelChoiceField(
        queryset=Issue.objects.order_by("-year", "-number"),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "模板期刊不存在（可能已被删除），请重新选择。"},
    )
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    number = forms.IntegerField(label="期号", min_value=1, max_value=99)

    def __init__(self, *args, initial_from: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        issues = self.fields["previous"].queryset
        chosen = issues.filter(pk=initial_from).first() if str(initial_from).isdigit() else None
        previous = chosen or issues.first()
        self.no_template = previous is None
        self.template = previous
        if previous is not None:
            year, number = proposed_year_number(previous)
            self.initial = {"previous": previous.pk, "year": year, "number": number}
            self.fields["number"].help_text = NEXT_NUMBER_RULE


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
