"""Who may publish, and the admin's part of the workflow draft → 待审 → published.

Visibility itself is one query (``visible_q`` in issues/models.py): a published item with a future
``published_at`` appears by itself when the time comes. Here: only 主编 (the ``publish_*``
permission) publish and unpublish; editors write drafts and submit them for review.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet

from core.changes import content_change
from core.publishing import Status
from issues.models import Issue


def publish_permission(model) -> str:
    return f"{model._meta.app_label}.publish_{model._meta.model_name}"


def can_publish(user, model) -> bool:
    return user.has_perm(publish_permission(model))


def set_status(*, objects: QuerySet, status: str) -> int:
    """Save each object with the new status (one save each, so history, search and PDFs follow)."""
    changed = 0
    with content_change() as change:
        # Locked as they are read: an editor's save that commits meanwhile is waited for, not
        # overwritten with what was read before it.
        rows = objects.model.objects.select_for_update().filter(pk__in=objects.values("pk"))
        for obj in rows:
            if obj.status != status:
                obj.status = status
                obj.save()
                changed += 1
                if isinstance(obj, Issue) and status == Status.PUBLISHED:
                    change.published_issues.add(obj.pk)
    return changed


def _current(obj):
    """The item's row as stored now (a history revert hands the admin an old version)."""
    if obj is None or obj.pk is None:
        return None
    return type(obj)._default_manager.filter(pk=obj.pk).only("status", "published_at").first()


class PublishingAdminMixin:
    """Status choices, read-only fields and actions that follow the user's publish permission.

    Without it, no path through the admin changes whether the public sees an item: the change
    form, a history revert, delete and restore keep the status and publication time as they are.
    """

    actions = ["submit_for_review", "publish", "unpublish"]

    def has_publish_permission(self, request) -> bool:
        return can_publish(request.user, self.model)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not self.has_publish_permission(request):
            kwargs["choices"] = [(s.value, s.label) for s in (Status.DRAFT, Status.REVIEW)]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        widgets = getattr(field and field.widget, "widgets", None)
        if db_field.name == "published_at" and widgets and len(widgets) == 2:
            # Django's split date/time: the field's <label> points at neither of its two inputs
            # (a MultiWidget has no id_for_label), so each says what it is.
            for widget, part in zip(widgets, ("日期", "时间"), strict=True):
                widget.attrs["aria-label"] = f"{field.label}（{part}）"
        return field

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        published = obj is not None and obj.status == Status.PUBLISHED
        if not self.has_publish_permission(request):
            # An editor can neither unpublish nor schedule: both belong to the 主编.
            fields += ["published_at"] + (["status"] if published else [])
        return fields

    def get_form(self, request, obj=None, **kwargs):
        may_publish = self.has_publish_permission(request)
        if obj is not None and not may_publish and getattr(request, "reverting_to_history", False):
            # A revert hands over an old version: its text, but the status as it is now, so
            # that the form, its read-only fields and the save all start from the present.
            current = _current(obj)
            if current is not None:
                obj.status, obj.published_at = current.status, current.published_at
        form = super().get_form(request, obj, **kwargs)
        form.may_publish = may_publish
        return form

    def save_model(self, request, obj, form, change):
        if change and not self.has_publish_permission(request):
            current = _current(obj)
            if current and Status.PUBLISHED in (current.status, obj.status):
                obj.status, obj.published_at = current.status, current.published_at
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # Deleting what the public reads takes it offline: that is the 主编's to do.
        published = obj is not None and obj.status == Status.PUBLISHED
        if published and not self.has_publish_permission(request):
            return False
        return super().has_delete_permission(request, obj)

    def prepare_restored(self, request, instance) -> None:
        if not self.has_publish_permission(request) and instance.status == Status.PUBLISHED:
            instance.status = Status.DRAFT
        super().prepare_restored(request, instance)

    @admin.action(description="提交审核", permissions=["change"])
    def submit_for_review(self, request, queryset):
        n = set_status(objects=queryset.exclude(status=Status.PUBLISHED), status=Status.REVIEW)
        messages.success(request, f"{n} 项已提交审核。")

    @admin.action(description="发布", permissions=["publish"])
    def publish(self, request, queryset):
        n = set_status(objects=queryset, status=Status.PUBLISHED)
        messages.success(request, f"{n} 项已发布。")

    @admin.action(description="撤回（改为草稿）", permissions=["publish"])
    def unpublish(self, request, queryset):
        n = set_status(objects=queryset.filter(status=Status.PUBLISHED), status=Status.DRAFT)
        messages.success(request, f"{n} 项已撤回为草稿。")
