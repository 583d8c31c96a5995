"""Revisions in the admin: revert to an old version, restore deleted items (django-simple-history
keeps a last record of each)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import IntegrityError, models
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ContentChangeAdmin
from core.changes import content_change
from core.roles import display_name
from core.text import html_to_text
from core.textdiff import inline_html

HISTORY_TYPES = {"+": "创建", "~": "修改", "-": "删除"}


def _readable(model_field, value) -> str:
    """A stored value as an editor reads it: a name for a foreign key, a label for a choice, the
    text of HTML."""
    if value is None or value == "":
        return ""
    if isinstance(model_field, models.ForeignKey):
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"（已删除的条目 {value}）"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.TextField) and "<" in str(value):
        return html_to_text(str(value))
    return str(getattr(value, "isoformat", lambda: value)())


def record_changes(newer, older) -> list[dict]:
    """What a version changed against the one before: each edited field's label and a readable
    diff (fields the code keeps, such as the version counter, left out)."""
    model = newer.instance_type
    delta = newer.diff_against(older, foreign_keys_are_objs=False)  # editable fields only
    changes = []
    for change in delta.changes:
        model_field = model._meta.get_field(change.field)
        old, new = _readable(model_field, change.old), _readable(model_field, change.new)
        changes.append({"label": model_field.verbose_name, "diff": inline_html(old, new)})
    return changes


def deleted_records(model):
    """The deletion record of each item that is gone (and not restored since)."""
    history = model.history.model
    gone = history.objects.filter(history_type="-").exclude(id__in=model.objects.values("pk"))
    return gone.order_by("-history_date").select_related("history_user")


def restore(model, *, record_id: int, prepare=None) -> object:
    """Put the item back as it was when deleted (``prepare`` may adjust it before it is saved);
    raises LookupError or ValueError."""
    record = deleted_records(model).filter(history_id=record_id).first()
    if record is None:
        raise LookupError("没有这条删除记录，或该条目已恢复。")
    try:
        with content_change():
            instance = record.instance
            if prepare is not None:
                prepare(instance)
            instance.save()
    except (IntegrityError, ProtectedError, RestrictedError, ObjectDoesNotExist) as exc:
        # Usually a row it belongs to (its issue or section) is gone too: restore that first.
        raise ValueError(f"无法恢复（{exc}）：请先恢复它所属的期刊或栏目。") from None
    return instance


class RevisionAdmin(ContentChangeAdmin, SimpleHistoryAdmin):
    """历史 (with revert) and 已删除的条目 (with restore) for a content model's admin."""

    change_list_template = "admin/recover_change_list.html"

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name="{}_{}_deleted".format(*info),
            ),
            *super().get_urls(),
        ]

    def deleted_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        opts = self.model._meta
        if request.method == "POST":
            try:
                record = request.POST.get("record", "")
                obj = restore(
                    self.model,
                    record_id=int(record) if record.isdigit() else 0,
                    prepare=lambda instance: self.prepare_restored(request, instance),
                )
            except (LookupError, ValueError) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已恢复：{obj}")
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_deleted")
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": f"已删除的{opts.verbose_name}",
            "records": deleted_records(self.model)[:200],
        }
        return TemplateResponse(request, "admin/recover_deleted.html", context)

    def prepare_restored(self, request: HttpRequest, instance) -> None:
        """Adjust a deleted item before it is put back (the publishing admin makes it a draft)."""

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """For the history list (templates/simple_history/object_history_list.html): each
        version's changes as a readable diff, its type and its editor's name in Chinese."""
        records = list(historical_records)
        for i, record in enumerate(records):
            older = records[i + 1] if i + 1 < len(records) else record.prev_record
            record.readable_changes = record_changes(record, older) if older else []
            record.type_label = HISTORY_TYPES.get(record.history_type, record.history_type)
            user = record.history_user
            record.editor_name = display_name(user) if user else ""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A revert is a save like the change form's: in one transaction (the conflict check locks
        # the row), and marked, so that the admin judges the form by the item as it is now.
        request.reverting_to_history = True
        with content_change():
            return super().history_form_view(request, object_id, version_id, extra_context)
