"""The read-only JSON API, assembled in one place; each app keeps its views beside its pages.

Mounted at /api/ by zhijiao/urls.py. The OpenAPI schema is at /api/schema/ and Swagger UI at
/api/docs/, served from drf-spectacular's sidecar package (no CDN on the intranet).
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

import core.converters  # noqa: F401  (registers <year:>, <issue:>, <article:>, <id:> …)
from articles.api import ArticleDetail
from communities.api import CommunityDetail, CommunityList, OrganizationDetail
from issues.api import IssueDetail, IssueList

app_name = "api"


def not_found(request: HttpRequest, rest: str) -> JsonResponse:
    """Any other path under /api/ (/api/issues/abc/1/, /api/nothing/): a 404 in JSON, as the API's
    own 404s are, rather than the site's HTML error page."""
    return JsonResponse(
        {"detail": "未找到。"}, status=404, json_dumps_params={"ensure_ascii": False}
    )


urlpatterns = [
    path("issues/", IssueList.as_view(), name="issues"),
    path("issues/<year:year>/<issue:number>/", IssueDetail.as_view(), name="issue"),
    path("articles/<id:pk>/", ArticleDetail.as_view(), name="article"),
    path("communities/", CommunityList.as_view(), name="communities"),
    path("communities/<community:number>/", CommunityDetail.as_view(), name="community"),
    path("organizations/<id:pk>/", OrganizationDetail.as_view(), name="organization"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^(?P<rest>.*)$", not_found),  # last: only what nothing above matched
]
