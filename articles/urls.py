from django.urls import path

import core.converters  # noqa: F401  (registers <year:>, <issue:>, <article:>, <id:> …)
from articles import views
from articles.feeds import LatestArticlesFeed
from core.pagecache import published_page

app_name = "articles"

urlpatterns = [
    path("", views.index, name="index"),
    path("feed/", published_page(LatestArticlesFeed()), name="feed"),
    path("sections/<path:title>/", views.by_section, name="section"),
    path("sources/<path:source>/", views.by_source, name="source"),
    path("places/<path:place>/", views.by_place, name="place"),
    path("tags/<str:slug>/", views.by_tag, name="tag"),
    path("attachments/<id:pk>/", views.attachment, name="attachment"),
    path("<year:year>/<issue:number>/<article:article>/", views.article_detail, name="detail"),
    path(
        "<year:year>/<issue:number>/<article:article>/wechat/",
        views.article_wechat,
        name="wechat",
    ),
    path(
        "<year:year>/<issue:number>/<article:article>/cite.ris",
        views.article_citation,
        {"kind": "ris"},
        name="cite-ris",
    ),
    path(
        "<year:year>/<issue:number>/<article:article>/cite.bib",
        views.article_citation,
        {"kind": "bib"},
        name="cite-bib",
    ),
]
