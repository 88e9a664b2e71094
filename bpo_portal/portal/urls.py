from django.urls import path

from bpo_portal.portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("search/suggest/", views.suggest, name="search_suggest"),
    path("changes/", views.changes, name="changes"),
    path("changes/feed/", views.ChangesFeed(), name="changes_feed"),
    path("suggest/", views.suggest_correction, name="suggest"),
]
