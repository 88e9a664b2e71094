from django.urls import path

from bpo_portal.portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("search/suggest/", views.suggest, name="search_suggest"),
]
