from django.urls import path

from bpo_portal.background import views

app_name = "background"

urlpatterns = [
    path("markets/", views.market_list, name="market_list"),
    path("industries/", views.industry_list, name="industry_list"),
    path("industries/<slug:slug>/", views.industry_detail, name="industry_detail"),
    path("timeline/", views.timeline, name="timeline"),
    path("glossary/", views.glossary, name="glossary"),
    path("technologies/", views.technology_list, name="technology_list"),
    path("effects/", views.effects, name="effects"),
    path("outlook/", views.outlook, name="outlook"),
]
