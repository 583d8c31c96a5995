"""What every admin of content shares: each view that can write is one unit of content work."""

from __future__ import annotations

from core.changes import content_change


class ContentChangeAdmin:
    """A ModelAdmin mixin: a save, a delete, a list edit or an action is one unit
    (core/changes.py), so the index, mentions, topic tags and pages follow once, after the form
    has saved everything (the article, then its tags and inlines)."""

    def changeform_view(self, request, *args, **kwargs):
        with content_change():
            return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        with content_change():
            return super().delete_view(request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        if request.method != "POST":  # a list read is no change
            return super().changelist_view(request, *args, **kwargs)
        with content_change():
            return super().changelist_view(request, *args, **kwargs)
