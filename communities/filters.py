"""The registry's filters and sort orders: one FilterSet for the page, the downloads and the API.

The page and the downloads drop a value they cannot read (``CommunityFilter.qs`` filters with the
valid ones only and the page says what it ignored); the API answers 404 for it (see
``communities.api``). Either way the same parameters mean the same list.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from drf_spectacular.utils import extend_schema_field

from communities.classify import INDUSTRY_FALLBACK, PROVINCES, load_industry_table
from communities.models import Community, LeadUnit, OrganizationKind, Scope
from communities.registry import normalize_org_name

Q_MAX_LENGTH = 100
FIRST_YEAR, LAST_YEAR = 2000, 2100

PROVINCE_CHOICES = [(p, p) for p in PROVINCES]
MONTH_CHOICES = [(m, f"{m}月") for m in range(1, 13)]

# Sort orders: (value, label, ordering). The number breaks ties so pages never overlap.
SORTS = [
    ("number", "按序号", ("number",)),
    ("-number", "按序号倒序", ("-number",)),
    ("founded", "按成立时间（早→晚）", ("founded_year", "founded_month", "number")),
    ("-founded", "按成立时间（晚→早）", ("-founded_year", "-founded_month", "number")),
    ("name", "按名称", ("name", "number")),
]
SORT_CHOICES = [(value, label) for value, label, _ in SORTS]
_ORDERING = {value: ordering for value, _, ordering in SORTS}
DEFAULT_SORT = "number"


def industry_names() -> list[str]:
    """The categories of the shipped keyword table, then the fallback, in table order."""
    names = [name for name, _ in load_industry_table()]
    return names if INDUSTRY_FALLBACK in names else [*names, INDUSTRY_FALLBACK]


def industry_choices() -> list[tuple[str, str]]:
    # Editors may correct a community to a category the table does not have; it stays filterable.
    extra = (
        Community.objects.order_by()
        .exclude(industry__in=[*industry_names(), ""])
        .values_list("industry", flat=True)
        .distinct()
    )
    return [(name, name) for name in [*industry_names(), *sorted(extra)]]


def _lead_unit_exists(**lookup) -> Exists:
    return Exists(LeadUnit.objects.filter(community=OuterRef("pk"), **lookup))


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def _documented(schema: dict, filter_: django_filters.Filter) -> django_filters.Filter:
    """Give a filter an exact OpenAPI schema (drf-spectacular guesses loosely for choices given as
    a function, typed choices and method filters), keeping its label as the description."""
    return extend_schema_field({**schema, "description": str(filter_.label)})(filter_)


class CommunityFilter(django_filters.FilterSet):
    q = _documented(
        {"type": "string", "maxLength": Q_MAX_LENGTH},
        django_filters.CharFilter(
            label="名称或牵头单位", method="filter_text", max_length=Q_MAX_LENGTH
        ),
    )
    scope = _documented(
        {"type": "string", "enum": Scope.values},
        django_filters.ChoiceFilter(label="范围", choices=Scope.choices),
    )
    province = _documented(
        {"type": "string", "enum": list(PROVINCES)},
        django_filters.ChoiceFilter(label="名称中的省份", choices=PROVINCE_CHOICES),
    )
    lead_province = _documented(
        {"type": "string", "enum": list(PROVINCES)},
        django_filters.ChoiceFilter(
            label="牵头单位所在省份", choices=PROVINCE_CHOICES, method="filter_lead_province"
        ),
    )
    industry = _documented(
        {"type": "string", "enum": industry_names()},
        django_filters.ChoiceFilter(label="行业类别", choices=industry_choices),
    )
    founded_year = _documented(
        {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR},
        YearFilter(label="成立年份", min_value=FIRST_YEAR, max_value=LAST_YEAR),
    )
    founded_month = _documented(
        {"type": "integer", "enum": list(range(1, 13))},
        django_filters.TypedChoiceFilter(label="成立月份", choices=MONTH_CHOICES, coerce=int),
    )
    kind = _documented(
        {"type": "string", "enum": OrganizationKind.values},
        django_filters.ChoiceFilter(
            label="牵头单位类型", choices=OrganizationKind.choices, method="filter_kind"
        ),
    )
    # Declared last: FilterSet applies filters in declaration order, the ordering after them.
    sort = _documented(
        {"type": "string", "enum": [value for value, _ in SORT_CHOICES]},
        django_filters.ChoiceFilter(
            label="排序", choices=SORT_CHOICES, method="order", empty_label=None
        ),
    )

    class Meta:
        model = Community
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        text = normalize_org_name(value)
        if not text:
            return queryset
        return queryset.filter(
            Q(name__icontains=text)
            | Q(lead_units_text__icontains=text)
            | _lead_unit_exists(organization__name__icontains=text)
        )

    def filter_lead_province(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(_lead_unit_exists(organization__province=value))

    def filter_kind(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(_lead_unit_exists(organization__kind=value))

    def order(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*_ORDERING.get(value, _ORDERING[DEFAULT_SORT]))

    # --- for the page: what was asked, what could not be read ------------------------------------

    @property
    def valid_data(self) -> dict:
        """The readable, non-empty filter values (sort excluded)."""
        self.errors  # noqa: B018  (validates the form)
        return {
            name: value
            for name, value in self.form.cleaned_data.items()
            if name != "sort" and value not in (None, "", [])
        }

    @property
    def ignored(self) -> list[str]:
        """Labels of the parameters given with a value that could not be read."""
        return [str(self.filters[name].label) for name in self.errors if name in self.filters]

    @property
    def chosen_sort(self) -> str:
        self.errors  # noqa: B018
        return self.form.cleaned_data.get("sort") or DEFAULT_SORT

    def filtered(self, *, without: str | None = None) -> QuerySet:
        """The queryset filtered by every valid value except ``without`` (for facet counts)."""
        queryset = self.queryset.all()
        for name, value in self.valid_data.items():
            if name != without:
                queryset = self.filters[name].filter(queryset, value)
        return queryset
