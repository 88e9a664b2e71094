from django.urls import path

from bpo_portal.background import views

app_name = "background"

urlpatterns = [
    path("timeline/", views.timeline, name="timeline"),
    path("glossary/", views.glossary, name="glossary"),
    path("technologies/", views.technology_list, name="technology_list"),
    path("effects/", views.effects, name="effects"),
    path("outlook/", views.outlook, name="outlook"),
]
