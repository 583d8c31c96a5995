"""Revisions in the admin: revert to an old version, restore deleted items (django-simple-history
keeps a last record of each)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import IntegrityError, router, transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin


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
        with transaction.atomic():
            instance = record.instance
            if prepare is not None:
                prepare(instance)
            instance.save()
    except (IntegrityError, ProtectedError, RestrictedError, ObjectDoesNotExist) as exc:
        # Usually a row it belongs to (its issue or section) is gone too: restore that first.
        raise ValueError(f"无法恢复（{exc}）：请先恢复它所属的期刊或栏目。") from None
    return instance


class RevisionAdmin(SimpleHistoryAdmin):
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

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A revert is a save like the change form's: in one transaction (the conflict check locks
        # the row), and marked, so that the admin judges the form by the item as it is now.
        request.reverting_to_history = True
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)
