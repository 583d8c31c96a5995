"""Querysets the registry's pages, downloads and API share, so that they read the same rows."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from communities.models import Community, LeadUnit


def lead_unit_prefetch() -> Prefetch:
    """A community's lead units, in printed order, with their organisations: one query."""
    return Prefetch(
        "lead_unit_links",
        queryset=LeadUnit.objects.select_related("organization").order_by("position"),
    )


def communities_with_lead_units() -> QuerySet:
    return Community.objects.prefetch_related(lead_unit_prefetch()).order_by("number")
