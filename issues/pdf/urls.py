from django.urls import path

from issues.pdf import views

app_name = "pdf"

urlpatterns = [
    path("issues/<int:year>/<int:number>/pdf/", views.issue_pdf, name="issue"),
    path("issues/<int:year>/<int:number>/print/", views.issue_print, name="print"),
    path("articles/<int:year>/<int:number>/<str:article>/pdf/", views.article_pdf, name="article"),
]
