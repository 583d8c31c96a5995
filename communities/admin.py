from django.contrib import admin
from django.db.models import Count

from communities.models import Community, LeadUnit, Organization, Registry
from core.admin import ContentChangeAdmin
from core.recover import RevisionAdmin


class LeadUnitInline(admin.TabularInline):
    model = LeadUnit
    fields = ("position", "organization")
    autocomplete_fields = ("organization",)
    ordering = ("position",)
    extra = 0


class LedCommunityInline(admin.TabularInline):
    model = LeadUnit
    fk_name = "organization"
    fields = ("community", "position")
    readonly_fields = ("community", "position")
    extra = 0
    can_delete = False
    verbose_name = "牵头的共同体"
    verbose_name_plural = "牵头的共同体"

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("community").order_by("community__number")
        )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Registry)
class RegistryAdmin(ContentChangeAdmin, admin.ModelAdmin):
    list_display = ("title", "source", "published", "community_count")
    ordering = ("title",)  # Meta.ordering is dropped from the GROUP BY of the count
    readonly_fields = ("updated_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_count=Count("communities"))

    @admin.display(description="共同体数", ordering="_count")
    def community_count(self, obj: Registry) -> int:
        return obj._count


class LeadKindFilter(admin.SimpleListFilter):
    title = "牵头单位类型"
    parameter_name = "lead_kind"

    def lookups(self, request, model_admin):
        return Organization._meta.get_field("kind").choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(lead_units__kind=self.value()).distinct()
        return queryset


@admin.register(Community)
class CommunityAdmin(RevisionAdmin):
    list_display = ("number", "name", "scope", "province", "industry", "founded", "review_note")
    list_display_links = ("number", "name")
    list_filter = (
        "scope",
        ("province", admin.AllValuesFieldListFilter),
        "founded_year",
        "founded_month",
        ("industry", admin.AllValuesFieldListFilter),
        LeadKindFilter,
    )
    search_fields = ("name", "lead_units_text", "lead_units__name", "=number")
    inlines = [LeadUnitInline]
    fields = (
        "registry",
        "number",
        "name",
        "lead_units_text",
        "founded_year",
        "founded_month",
        "scope",
        "province",
        "industry",
        "review_note",
    )

    @admin.display(description="成立时间", ordering="founded_year")
    def founded(self, obj: Community) -> str:
        return obj.founded


@admin.register(Organization)
class OrganizationAdmin(RevisionAdmin):
    list_display = ("name", "kind", "province", "community_count")
    ordering = ("name",)  # Meta.ordering is dropped from the GROUP BY of the count
    list_filter = ("kind", ("province", admin.AllValuesFieldListFilter))
    search_fields = ("name",)
    inlines = [LedCommunityInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_count=Count("communities"))

    @admin.display(description="牵头共同体数", ordering="_count")
    def community_count(self, obj: Organization) -> int:
        return obj._count
