"""What the search index holds of the registry (communities and lead organisations), and which of
them a change touches: plain data out, for the search package to write (it finds this module
through ``settings.ZHIJIAO_SEARCH_DOCUMENTS``; nothing here imports search).
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from communities.models import Community, LeadUnit, Organization
from core.documents import Document, in_order
from core.links import reverse

__all__ = ["COMMUNITIES", "ORGANIZATIONS"]


def _lead_units(change) -> list:
    """The lead-unit links the change wrote or deleted."""
    return [
        *change.removed("communities.LeadUnit"),
        *LeadUnit.objects.filter(pk__in=change.ids("communities.LeadUnit")),
    ]


class CommunityDocuments:
    kind = "community"
    text_is_body = False  # the text lists the lead units

    def ids(self) -> QuerySet:
        return Community.objects.order_by("number").values_list("pk", flat=True)

    def documents(self, ids: list[int]) -> list[Document]:
        links = Prefetch(
            "lead_unit_links",
            queryset=LeadUnit.objects.select_related("organization").order_by("position"),
        )
        docs = []
        for c in Community.objects.filter(pk__in=ids).prefetch_related(links):
            names = [link.organization.name for link in c.lead_unit_links.all()]
            lead = c.lead_units_text or "、".join(names)
            docs.append(
                Document(
                    kind=self.kind,
                    object_id=c.pk,
                    title=c.name,
                    headings=[c.name],
                    meta=names,
                    body=lead,
                    text=f"牵头单位：{lead}",
                    location=f"行业产教融合共同体 › 第 {c.number} 号 · 成立于 {c.founded}",
                    number=str(c.number),
                )
            )
        return in_order(ids, docs)

    def touched(self, change) -> set[int]:
        ids = set(change.ids("communities.Community"))
        ids |= {c.pk for c in change.removed("communities.Community")}
        ids |= {u.community_id for u in _lead_units(change)}
        # An organisation's name is one of the lead units of the communities it leads.
        ids |= set(
            LeadUnit.objects.filter(
                organization__in=change.ids("communities.Organization")
            ).values_list("community_id", flat=True)
        )
        return ids

    def url(self, doc) -> str:
        return reverse("communities:detail", kwargs={"number": int(doc.number)})


class OrganizationDocuments:
    kind = "organization"
    text_is_body = False  # the text lists the communities it leads

    def ids(self) -> QuerySet:
        return Organization.objects.order_by("pk").values_list("pk", flat=True)

    def documents(self, ids: list[int]) -> list[Document]:
        led = Prefetch("communities", queryset=Community.objects.order_by("number").only("name"))
        docs = []
        for o in Organization.objects.filter(pk__in=ids).prefetch_related(led):
            communities = [c.name for c in o.communities.all()]
            where = " · ".join(x for x in (o.get_kind_display(), o.province) if x)
            docs.append(
                Document(
                    kind=self.kind,
                    object_id=o.pk,
                    title=o.name,
                    headings=[o.name],
                    meta=[],
                    body="",
                    # Shown, not searched: searching an organisation by the communities it leads
                    # would make it a result for every community name.
                    text=f"牵头 {len(communities)} 个共同体：" + "、".join(communities),
                    location=f"牵头单位 › {where}" if where else "牵头单位",
                )
            )
        return in_order(ids, docs)

    def touched(self, change) -> set[int]:
        ids = set(change.ids("communities.Organization"))
        ids |= {o.pk for o in change.removed("communities.Organization")}
        ids |= {u.organization_id for u in _lead_units(change)}
        return ids

    def url(self, doc) -> str:
        return reverse("communities:organization", kwargs={"pk": doc.object_id})


COMMUNITIES = CommunityDocuments()
ORGANIZATIONS = OrganizationDocuments()
