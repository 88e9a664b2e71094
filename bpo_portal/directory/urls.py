from django.urls import path

from bpo_portal.directory import views

app_name = "directory"

urlpatterns = [
    path("providers/", views.provider_list, name="provider_list"),
    path("providers/<slug:slug>/", views.provider_detail, name="provider_detail"),
    path("compare/", views.compare_start, name="compare_start"),
    path("compare/<str:slugs>/", views.compare, name="compare"),
    path("services/", views.service_list, name="service_list"),
    path("services/<slug:slug>/", views.service_detail, name="service_detail"),
    path("services/<slug:slug>/<slug:city_slug>/", views.service_detail, name="service_city"),
    path("cities/", views.city_list, name="city_list"),
    path("cities/<slug:slug>/", views.city_detail, name="city_detail"),
]
