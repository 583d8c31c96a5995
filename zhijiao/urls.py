from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

import core.converters  # noqa: F401  (registers <year:>, <issue:>, <article:>, <id:> …)
from core.pagecache import published_page
from zhijiao import views
from zhijiao.sitemaps import SITEMAPS

admin.site.site_header = "《职教通讯》编辑后台"
admin.site.site_title = "职教通讯"
admin.site.index_title = "内容管理"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(settings.ZHIJIAO_ADMIN_PATH, admin.site.urls),  # "admin/" unless set otherwise
    # Django's own login pages, in Chinese. No password reset by e-mail: the intranet has no mail
    # server set up, so a reset would fail; an administrator sets a new password in the admin.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("sitemap.xml", published_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("api/search/", include("search.api_urls")),
    path("api/", include("zhijiao.api")),
    path("search/", include("search.urls")),
    path("", include("printing.urls")),
    path("", include("issues.urls")),
    path("articles/", include("articles.urls")),
    path("communities/", include("communities.urls")),
]
