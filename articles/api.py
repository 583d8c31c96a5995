"""Articles in the JSON API. Only ``Article.objects.published()`` is ever read here."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers

from articles.models import TEXT_FIELDS, Article, Mention
from core.api import NOT_FOUND, AbsoluteUrlField

ISSUE_REF_SCHEMA = {
    "type": "object",
    "properties": {"year": {"type": "integer"}, "number": {"type": "integer"}},
    "required": ["year", "number"],
}


class IssueRefMixin(serializers.Serializer):
    issue = serializers.SerializerMethodField(help_text='所在期刊，如 {"year": 2024, "number": 2}')

    @extend_schema_field(ISSUE_REF_SCHEMA)
    def get_issue(self, article: Article) -> dict:
        return {"year": article.issue.year, "number": article.issue.number}


class ArticleRefSerializer(IssueRefMixin, serializers.ModelSerializer):
    """A short reference to an article (in lists of mentions). Expects the issue selected."""

    url = AbsoluteUrlField()

    class Meta:
        model = Article
        fields = ["id", "issue", "number", "title", "url"]


class ArticleSerializer(IssueRefMixin, serializers.ModelSerializer):
    """An article as the 目录 lists it. Expects the issue selected and the tags prefetched."""

    page = serializers.IntegerField(source="page_start", allow_null=True, help_text="印刷起始页")
    pages = serializers.CharField(source="page_label", help_text="印刷页码范围，如 54–57")
    pdf_page = serializers.IntegerField(
        allow_null=True, read_only=True, help_text="本期 PDF 中的起始页（没有印刷页码的期刊）"
    )
    page_numbering = serializers.SerializerMethodField(
        help_text="页码所属：print（印刷版，见 page）、pdf（本期 PDF，见 pdf_page）或 null"
    )
    tags = serializers.SerializerMethodField()
    url = AbsoluteUrlField()

    class Meta:
        model = Article
        fields = [
            "id",
            "issue",
            "number",
            "title",
            "toc_title",
            "subtitle",
            "source",
            "page",
            "pages",
            "pdf_page",
            "page_numbering",
            "tags",
            "url",
        ]

    @extend_schema_field({"type": "string", "enum": ["print", "pdf"], "nullable": True})
    def get_page_numbering(self, article: Article) -> str | None:
        if article.page_start is not None:
            return "print"
        return "pdf" if article.pdf_page is not None else None

    def get_tags(self, article: Article) -> list[str]:
        return sorted(tag.name for tag in article.tags.all())


class _NamedRef(serializers.Serializer):
    name = serializers.CharField()
    url = AbsoluteUrlField()


class ArticleDetailSerializer(ArticleSerializer):
    section = serializers.SerializerMethodField(help_text="板块 › 栏目")
    body = serializers.CharField(help_text="正文（已清理的 HTML）")
    communities = serializers.SerializerMethodField(help_text="文中提及的共同体")
    organizations = serializers.SerializerMethodField(help_text="文中提及的单位")

    class Meta(ArticleSerializer.Meta):
        fields = [
            *ArticleSerializer.Meta.fields,
            "section",
            *(name for name in TEXT_FIELDS if name not in ArticleSerializer.Meta.fields),
            "communities",
            "organizations",
        ]

    def get_section(self, article: Article) -> list[str]:
        section = article.section
        return [s.title for s in (section.parent, section) if s is not None]

    # The view prefetches the mentions with their communities and organisations (one query).

    @extend_schema_field(_NamedRef(many=True))
    def get_communities(self, article: Article) -> list:
        communities = sorted(
            (m.community for m in article.mentions.all() if m.community_id),
            key=lambda c: c.number,
        )
        return _NamedRef(communities, many=True, context=self.context).data

    @extend_schema_field(_NamedRef(many=True))
    def get_organizations(self, article: Article) -> list:
        organizations = sorted(
            (m.organization for m in article.mentions.all() if m.organization_id),
            key=lambda o: o.name,
        )
        return _NamedRef(organizations, many=True, context=self.context).data


@extend_schema(summary="文章", responses={200: ArticleDetailSerializer, **NOT_FOUND})
class ArticleDetail(generics.RetrieveAPIView):
    serializer_class = ArticleDetailSerializer

    def get_queryset(self):
        # Built per request: visibility depends on the time (scheduled publishing).
        return (
            Article.objects.published()
            .select_related("issue", "section", "section__parent")
            .prefetch_related(
                "tags",
                Prefetch(
                    "mentions",
                    queryset=Mention.objects.select_related("community", "organization"),
                ),
            )
        )
