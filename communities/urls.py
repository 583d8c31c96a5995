from django.urls import path

from communities import views

app_name = "communities"

urlpatterns = [
    path("", views.community_list, name="list"),
    path("communities.csv", views.download_csv, name="csv"),
    path("communities.json", views.download_json, name="json"),
    path("<int:number>/", views.community_detail, name="detail"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization"),
]
