from django.urls import path

import core.converters  # noqa: F401  (registers <year:>, <issue:>, <article:>, <id:> …)
from printing import views

app_name = "pdf"

urlpatterns = [
    path("issues/<year:year>/<issue:number>/pdf/", views.issue_pdf, name="issue"),
    path("issues/<year:year>/<issue:number>/print/", views.issue_print, name="print"),
    path(
        "articles/<year:year>/<issue:number>/<article:article>/pdf/",
        views.article_pdf,
        name="article",
    ),
]
