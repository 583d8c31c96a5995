"""/api/search/?q=…: the ranked results of ``search()`` as JSON, with its OpenAPI schema."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from search import params as url_params
from search.models import Kind
from search.service import KINDS, MAX_PER_PAGE, Result, search


class IssueRefSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    number = serializers.IntegerField()


class SearchResultSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=Kind.choices, help_text="article | community | organization"
    )
    title = serializers.CharField()
    url = serializers.CharField(help_text="结果页面的绝对地址")
    snippet = serializers.CharField(help_text="原文片段（HTML，已转义），检索词以 <mark> 标出")
    score = serializers.FloatField(
        help_text=(
            "相关度，越大越靠前：标题含检索词的个数为主，其次来源与标签，再次正文中出现的次数与位置"
        )
    )
    location = serializers.CharField(help_text="所在位置，如 2024年第02期 › 1.1 重要通知 › 1.1.3")
    issue = IssueRefSerializer(allow_null=True, help_text="文章所在期刊；其他类型为 null")
    number = serializers.CharField(
        allow_null=True, help_text="文章编号（如 1.1.3）或共同体序号（如 123）；单位为 null"
    )
    community_number = serializers.IntegerField(
        allow_null=True, help_text="共同体在汇总表中的序号；其他类型为 null"
    )


class SearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="所请求类型的结果总数")
    approximate = serializers.BooleanField(
        help_text="count 为估计值：检索词在大量文档中出现时，count 可能略多（或为下限）"
    )
    next = serializers.CharField(allow_null=True, help_text="下一页地址")
    previous = serializers.CharField(allow_null=True, help_text="上一页地址")
    results = SearchResultSerializer(many=True)


def _result(result: Result, request: Request) -> dict:
    community = result.type == Kind.COMMUNITY
    return {
        "type": result.type,
        "title": result.title,
        "url": request.build_absolute_uri(result.url) if result.url else "",
        "snippet": result.snippet,
        "score": result.score,
        "location": result.location,
        "issue": {"year": result.issue.year, "number": result.issue.number}
        if result.issue
        else None,
        "number": result.number or None,
        "community_number": int(result.number) if community and result.number.isdigit() else None,
    }


class SearchAPIView(APIView):
    """Full-text search over published articles, communities and organisations."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="search",
        summary="全文检索",
        description=(
            "检索已发布的文章、行业产教融合共同体和牵头单位，按相关度排序。"
            '多个词用空格分开（都要出现），"引号"内为短语，-词 表示排除；'
            "繁体与简体、全角与半角、大小写等同。任何检索词都返回 200；"
            "type 不在列表中、page 或 page_size 不是整数时返回 400。"
        ),
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="检索词"),
            OpenApiParameter(
                "type",
                OpenApiTypes.STR,
                enum=list(KINDS),
                description="只要某一类结果；不填则三类一起排序",
            ),
            OpenApiParameter("issue", OpenApiTypes.STR, description="期刊，如 2024-2（仅文章）"),
            OpenApiParameter("section", OpenApiTypes.STR, description="栏目名称（仅文章）"),
            OpenApiParameter(
                "source", OpenApiTypes.STR, description="来源：发布单位或媒体，如 教育部（仅文章）"
            ),
            OpenApiParameter("place", OpenApiTypes.STR, description="地区，如 山东（仅文章）"),
            OpenApiParameter("tag", OpenApiTypes.STR, description="标签（仅文章）"),
            OpenApiParameter("page", OpenApiTypes.INT, description="页码，从 1 开始"),
            OpenApiParameter(
                "page_size", OpenApiTypes.INT, description=f"每页条数，1–{MAX_PER_PAGE}，默认 20"
            ),
        ],
        responses={200: SearchResponseSerializer, 400: OpenApiTypes.OBJECT},
        tags=["search"],
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        # A value the schema does not allow is the client's mistake: say so, as the other
        # endpoints do, rather than silently searching everything. Any q is fine.
        kind = url_params.clean(params.get("type"))
        if kind and kind not in KINDS:
            return Response({"detail": f"type 只能是 {'、'.join(KINDS)}"}, status=400)
        for name in ("page", "page_size"):
            if not url_params.is_int_or_blank(params.get(name)):
                return Response({"detail": f"{name} 必须是整数"}, status=400)
        page = search(
            query=url_params.query(params.get("q")),
            kinds=[kind] if kind in KINDS else KINDS,
            filters=url_params.filters(params),
            page=url_params.positive_int(params.get("page"), 1),
            per_page=url_params.positive_int(params.get("page_size"), 20, maximum=MAX_PER_PAGE),
        )
        url = request.build_absolute_uri()
        previous = None
        if page.has_previous:
            previous = (
                replace_query_param(url, "page", page.page - 1)
                if page.page > 2
                else remove_query_param(url, "page")
            )
        return Response(
            {
                "count": page.count,
                "approximate": not page.count_is_exact,
                "next": replace_query_param(url, "page", page.page + 1) if page.has_next else None,
                "previous": previous,
                "results": [_result(r, request) for r in page.results],
            }
        )
