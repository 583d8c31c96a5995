"""Write a parsed registry (汇总表) to the database: communities, organisations, ordered lead units.

Called by the issue importer inside its transaction. Like the issue importer it fingerprints what it
wrote, so re-importing unchanged data writes nothing and editors' corrections are never overwritten
silently. Derived fields (scope, province, industry, an organisation's kind and province) are set
when a row is created or its name changes; editors' corrections of them survive re-imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from communities.classify import community_scope, industry, organization_kind, organization_province
from communities.models import Community, LeadUnit, Organization, Registry
from communities.registry import FLAG_NOTES, RegistryDoc, RegistryEntry
from core.changes import content_change
from importer.common import ImportRefused, fingerprint


@dataclass
class RegistryResult:
    registry: Registry
    action: str  # created | updated | unchanged


def _entry_state(entry: RegistryEntry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "lead_units_text": entry.lead_units_text,
        "lead_units": list(entry.lead_units),
        "founded": [entry.founded_year, entry.founded_month],
        "review_note": review_note(entry),
    }


def review_note(entry: RegistryEntry) -> str:
    return "；".join(FLAG_NOTES.get(flag, flag) for flag in entry.flags)


def _doc_state(doc: RegistryDoc) -> dict[str, Any]:
    return {
        "source": doc.source,
        "published": doc.published,
        "communities": {str(e.number): _entry_state(e) for e in doc.entries},
    }


def _db_state(registry: Registry) -> dict[str, Any]:
    links: dict[int, list[str]] = {}
    for link in (
        LeadUnit.objects.filter(community__registry=registry)
        .select_related("organization")
        .order_by("community_id", "position")
    ):
        links.setdefault(link.community_id, []).append(link.organization.name)
    return {
        "source": registry.source,
        "published": registry.published,
        "communities": {
            str(c.number): {
                "name": c.name,
                "lead_units_text": c.lead_units_text,
                "lead_units": links.get(c.pk, []),
                "founded": [c.founded_year, c.founded_month],
                "review_note": c.review_note,
            }
            for c in registry.communities.all()
        },
    }


@dataclass(frozen=True)
class RegistryChanges:
    """What loading a registry would change in the public list, by community number."""

    added: list[int]
    removed: list[int]
    changed: list[int]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def describe(self) -> str:
        def numbers(values: list[int]) -> str:
            shown = "、".join(str(n) for n in values[:20])
            return shown + (f" 等 {len(values)} 个" if len(values) > 20 else "")

        parts = [
            f"{label} {len(values)} 个（编号 {numbers(values)}）"
            for label, values in (
                ("新增", self.added),
                ("删除", self.removed),
                ("修改", self.changed),
            )
            if values
        ]
        return "，".join(parts)


def registry_changes(doc: RegistryDoc) -> RegistryChanges:
    """Compare a parsed registry with the stored one (reads only)."""
    registry = Registry.objects.filter(title=doc.title).first()
    stored = _db_state(registry)["communities"] if registry else {}
    wanted = _doc_state(doc)["communities"]
    return RegistryChanges(
        added=sorted(int(n) for n in wanted.keys() - stored.keys()),
        removed=sorted(int(n) for n in stored.keys() - wanted.keys()),
        changed=sorted(int(n) for n in wanted.keys() & stored.keys() if wanted[n] != stored[n]),
    )


def registry_edited_since_import(registry: Registry) -> bool:
    return fingerprint(_db_state(registry)) != registry.import_fingerprint


def load_registry(doc: RegistryDoc, *, replace: bool) -> RegistryResult:
    new_fp = fingerprint(_doc_state(doc))
    registry = Registry.objects.select_for_update().filter(title=doc.title).first()
    if registry is None:
        registry = Registry(title=doc.title)
        action = "created"
    else:
        edited = registry_edited_since_import(registry)
        if edited and not replace:
            raise ImportRefused(
                f"《{registry.title}》导入后已被编辑，未覆盖。"
                "确认要用文件内容替换，请加 --replace。"
            )
        if new_fp == registry.import_fingerprint and not edited:
            return RegistryResult(registry, "unchanged")
        action = "updated"
    registry.source = doc.source
    registry.published = doc.published
    registry.import_fingerprint = new_fp
    registry.save()
    _write_communities(registry, doc)
    return RegistryResult(registry, action)


def _organizations(names: set[str]) -> dict[str, Organization]:
    found = {o.name: o for o in Organization.objects.filter(name__in=names)}
    missing = [
        Organization(name=n, kind=organization_kind(n), province=organization_province(n))
        for n in sorted(names - found.keys())
    ]
    # With history, so a new organisation's first version is in its revision history too. It
    # returns the objects with their primary keys (read back where the database gives none).
    created = bulk_create_with_history(missing, Organization)
    return {**found, **{o.name: o for o in created}}


# What the importer writes of a community (besides its number, which finds it).
_COMMUNITY_FIELDS = [
    "registry",
    "name",
    "lead_units_text",
    "founded_year",
    "founded_month",
    "review_note",
    "scope",
    "province",
    "industry",
]


def _write_communities(registry: Registry, doc: RegistryDoc) -> None:
    orgs = _organizations({name for e in doc.entries for name in e.lead_units})
    links = Prefetch(
        "lead_unit_links",
        queryset=LeadUnit.objects.select_related("organization").order_by("position"),
    )
    existing = {
        c.number: c
        for c in Community.objects.filter(
            number__in=[e.number for e in doc.entries]
        ).prefetch_related(links)
    }
    registry.communities.exclude(number__in=[e.number for e in doc.entries]).delete()
    new: list[Community] = []
    kept: list[Community] = []
    for entry in doc.entries:
        community = existing.get(entry.number)
        if community is None:
            community = Community(number=entry.number, registry=registry)
        elif _community_matches(community, entry):
            continue
        if community.pk is None or community.name != entry.name:
            community.scope, community.province = community_scope(entry.name)
            community.industry = industry(entry.name)
        community.registry = registry
        community.name = entry.name
        community.lead_units_text = entry.lead_units_text
        community.founded_year = entry.founded_year
        community.founded_month = entry.founded_month
        community.review_note = review_note(entry)
        (kept if community.pk else new).append(community)
    # In bulk, with the history records their saves would write; bulk writes send no signals, so
    # the unit is told below which communities were written.
    new = bulk_create_with_history(new, Community)
    bulk_update_with_history(kept, Community, _COMMUNITY_FIELDS)
    changed = sorted(new + kept, key=lambda c: c.number)
    by_number = {e.number: e for e in doc.entries}
    LeadUnit.objects.filter(community__in=changed).delete()
    LeadUnit.objects.bulk_create(
        LeadUnit(community=c, organization=orgs[name], position=i)
        for c in changed
        for i, name in enumerate(by_number[c.number].lead_units)
    )
    # bulk_create sends no signals: the unit is told which communities were written and which
    # organisations now lead what.
    with content_change() as change:
        change.add(Community, [c.pk for c in changed])
        names = {name for c in changed for name in by_number[c.number].lead_units}
        change.add(Organization, [orgs[name].pk for name in sorted(names)])


def _community_matches(community: Community, entry: RegistryEntry) -> bool:
    names = [link.organization.name for link in community.lead_unit_links.all()]
    return (
        community.name == entry.name
        and community.lead_units_text == entry.lead_units_text
        and names == list(entry.lead_units)
        and (community.founded_year, community.founded_month)
        == (entry.founded_year, entry.founded_month)
        and community.review_note == review_note(entry)
    )
