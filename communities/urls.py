from django.urls import path

import core.converters  # noqa: F401  (registers <year:>, <issue:>, <article:>, <id:> …)
from communities import views

app_name = "communities"

urlpatterns = [
    path("", views.community_list, name="list"),
    path("communities.csv", views.download_csv, name="csv"),
    path("communities.json", views.download_json, name="json"),
    path("<community:number>/", views.community_detail, name="detail"),
    path("organizations/<id:pk>/", views.organization_detail, name="organization"),
]
