from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("<int:year>/<int:number>/<str:article>/", views.article_detail, name="detail"),
]
