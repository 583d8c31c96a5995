from django.urls import path

from communities import views

app_name = "communities"

urlpatterns = [
    path("", views.community_list, name="list"),
    path("<int:number>/", views.community_detail, name="detail"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization"),
]
