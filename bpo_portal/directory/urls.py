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
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("markets/", views.market_list, name="market_list"),
    path("industries/", views.industry_list, name="industry_list"),
    path("industries/<slug:slug>/", views.industry_detail, name="industry_detail"),
]
