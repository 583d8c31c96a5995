from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from zhijiao import views
from zhijiao.sitemaps import SITEMAPS

admin.site.site_header = "《职教通讯》编辑后台"
admin.site.site_title = "职教通讯"
admin.site.index_title = "内容管理"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("api/search/", include("articles.search.api_urls")),
    path("api/", include("zhijiao.api")),
    path("search/", include("articles.search.urls")),
    path("", include("issues.pdf.urls")),
    path("", include("issues.urls")),
    path("articles/", include("articles.urls")),
    path("communities/", include("communities.urls")),
]
