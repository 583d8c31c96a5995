from django.urls import path

import core.converters  # noqa: F401  (registers <year:>, <issue:>, <article:>, <id:> …)
from issues import views

app_name = "issues"

urlpatterns = [
    path("", views.home, name="home"),
    path("issues/", views.archive, name="archive"),
    path("issues/<year:year>/<issue:number>/", views.issue_detail, name="detail"),
    path("issues/<year:year>/<issue:number>/wechat/", views.issue_wechat, name="wechat"),
]
