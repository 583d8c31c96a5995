"""The registry in the JSON API: communities (with the page's filters) and organisations."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound

from articles.api import ArticleRefSerializer
from articles.mentions import published_mentions
from communities.filters import CommunityFilter
from communities.models import Community, Organization
from communities.queries import communities_with_lead_units, lead_unit_prefetch
from core.api import NOT_FOUND, AbsoluteUrlField


class NotFoundFilterBackend(DjangoFilterBackend):
    """A filter value the registry cannot have (scope=foo, founded_month=13) matches nothing:
    404, as for a page number past the end, rather than a 400 or the whole list."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            problems = "；".join(
                f"{name}: {' '.join(map(str, errors))}" for name, errors in filterset.errors.items()
            )
            raise NotFound(f"无效的筛选条件（{problems}）")
        return filterset.qs


class OrganizationRefSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    url = AbsoluteUrlField()

    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "kind_label", "province", "url"]


class CommunitySerializer(serializers.ModelSerializer):
    """A community as the registry lists it. Expects ``lead_unit_prefetch()``."""

    lead_units = serializers.SerializerMethodField(help_text="牵头单位名称，按原表顺序")
    founded = serializers.CharField(help_text="成立年月，如 2023-11")
    scope_label = serializers.CharField(source="get_scope_display")
    lead_provinces = serializers.SerializerMethodField(help_text="牵头单位所在省份，按出现顺序")
    url = AbsoluteUrlField()

    class Meta:
        model = Community
        fields = [
            "number",
            "name",
            "lead_units",
            "lead_units_text",
            "founded",
            "scope",
            "scope_label",
            "province",
            "lead_provinces",
            "industry",
            "url",
        ]

    def get_lead_units(self, community: Community) -> list[str]:
        return [link.organization.name for link in community.lead_unit_links.all()]

    def get_lead_provinces(self, community: Community) -> list[str]:
        provinces = (link.organization.province for link in community.lead_unit_links.all())
        return list(dict.fromkeys(p for p in provinces if p))


class CommunityDetailSerializer(CommunitySerializer):
    organizations = serializers.SerializerMethodField(help_text="牵头单位，按原表顺序")
    mentioned_in = serializers.SerializerMethodField(help_text="提及本共同体的文章")

    class Meta(CommunitySerializer.Meta):
        fields = [*CommunitySerializer.Meta.fields, "organizations", "mentioned_in"]

    @extend_schema_field(OrganizationRefSerializer(many=True))
    def get_organizations(self, community: Community) -> list:
        orgs = [link.organization for link in community.lead_unit_links.all()]
        return OrganizationRefSerializer(orgs, many=True, context=self.context).data

    @extend_schema_field(ArticleRefSerializer(many=True))
    def get_mentioned_in(self, community: Community) -> list:
        articles = [m.article for m in published_mentions(community=community)]
        return ArticleRefSerializer(articles, many=True, context=self.context).data


class OrganizationSerializer(OrganizationRefSerializer):
    communities = serializers.SerializerMethodField(help_text="牵头的共同体")
    mentioned_in = serializers.SerializerMethodField(help_text="提及本单位的文章")

    class Meta(OrganizationRefSerializer.Meta):
        fields = [*OrganizationRefSerializer.Meta.fields, "communities", "mentioned_in"]

    @extend_schema_field(CommunitySerializer(many=True))
    def get_communities(self, organization: Organization) -> list:
        communities = organization.communities.order_by("number").prefetch_related(
            lead_unit_prefetch()
        )
        return CommunitySerializer(communities, many=True, context=self.context).data

    @extend_schema_field(ArticleRefSerializer(many=True))
    def get_mentioned_in(self, organization: Organization) -> list:
        articles = [m.article for m in published_mentions(organization=organization)]
        return ArticleRefSerializer(articles, many=True, context=self.context).data


@extend_schema(
    summary="共同体列表",
    description="与共同体页面相同的筛选与排序参数；无效的参数值返回 404。",
    responses={200: CommunitySerializer, **NOT_FOUND},
)
class CommunityList(generics.ListAPIView):
    serializer_class = CommunitySerializer
    filter_backends = [NotFoundFilterBackend]
    filterset_class = CommunityFilter

    def get_queryset(self) -> QuerySet:
        return communities_with_lead_units()


@extend_schema(summary="共同体", responses={200: CommunityDetailSerializer, **NOT_FOUND})
class CommunityDetail(generics.RetrieveAPIView):
    serializer_class = CommunityDetailSerializer
    lookup_field = "number"
    queryset = Community.objects.prefetch_related(lead_unit_prefetch())


@extend_schema(summary="单位", responses={200: OrganizationSerializer, **NOT_FOUND})
class OrganizationDetail(generics.RetrieveAPIView):
    serializer_class = OrganizationSerializer
    queryset = Organization.objects.all()
