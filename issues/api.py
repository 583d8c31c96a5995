"""Issues in the JSON API: the list of published issues, and one issue with its 目录."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers

from articles.api import ArticleSerializer
from articles.toc import TocSection, table_of_contents
from core.api import NOT_FOUND, AbsoluteUrlField
from issues.archive import published_issues
from issues.models import MASTHEAD_FIELDS, Issue


class IssueSerializer(serializers.ModelSerializer):
    label = serializers.CharField(help_text="如 2024年第02期")
    article_count = serializers.IntegerField(help_text="已发布的文章数")
    url = AbsoluteUrlField()
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Issue
        fields = [
            "year",
            "number",
            "label",
            "title",
            "publication_date",
            "article_count",
            "url",
            "api_url",
        ]

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_api_url(self, issue: Issue) -> str:
        path = reverse("api:issue", kwargs={"year": issue.year, "number": issue.number})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class TocSectionSerializer(serializers.Serializer):
    number = serializers.CharField(source="section.number")
    title = serializers.CharField(source="section.title")
    page = serializers.IntegerField(source="section.page", allow_null=True)
    articles = ArticleSerializer(many=True)
    children = serializers.SerializerMethodField()

    @extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/TocSection"}})
    def get_children(self, node: TocSection) -> list:
        return TocSectionSerializer(node.children, many=True, context=self.context).data


class IssueDetailSerializer(IssueSerializer):
    toc = serializers.SerializerMethodField(help_text="目录：板块、栏目与文章，按印刷顺序")

    class Meta(IssueSerializer.Meta):
        fields = [
            *IssueSerializer.Meta.fields,
            *(name for name in MASTHEAD_FIELDS if name not in IssueSerializer.Meta.fields),
            "appendix_page",
            "toc",
        ]

    @extend_schema_field(TocSectionSerializer(many=True))
    def get_toc(self, issue: Issue) -> list:
        toc = table_of_contents(issue, with_tags=True)
        return TocSectionSerializer(toc, many=True, context=self.context).data


@extend_schema(summary="期刊列表", responses={200: IssueSerializer, **NOT_FOUND})
class IssueList(generics.ListAPIView):
    serializer_class = IssueSerializer

    def get_queryset(self):
        return published_issues()


@extend_schema(summary="期刊及其目录", responses={200: IssueDetailSerializer, **NOT_FOUND})
class IssueDetail(generics.RetrieveAPIView):
    serializer_class = IssueDetailSerializer

    def get_object(self) -> Issue:
        return generics.get_object_or_404(
            published_issues(), year=self.kwargs["year"], number=self.kwargs["number"]
        )
