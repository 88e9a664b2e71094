from django.urls import path

from bpo_portal.portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("search/suggest/", views.suggest, name="search_suggest"),
    path("changes/", views.changes, name="changes"),
    path("changes/feed/", views.ChangesFeed(), name="changes_feed"),
    path("suggest/", views.suggest_correction, name="suggest"),
    path("suggest/thanks/", views.suggest_thanks, name="suggest_thanks"),
    path("data/", views.open_data, name="data"),
    path(
        "data/datapackage.json",
        views.data_download,
        {"name": "datapackage.json"},
        name="data_package",
    ),
    path("data/bpo-portal.zip", views.data_download, {"name": "bpo-portal.zip"}, name="data_zip"),
    path(
        "data/bpo-portal.sqlite3",
        views.data_download,
        {"name": "bpo-portal.sqlite3"},
        name="data_sqlite",
    ),
    path("data/README.md", views.data_download, {"name": "README.md"}, name="data_readme"),
    path("data/<slug:resource>.csv", views.data_csv, name="data_csv"),
    path("api/", views.api, name="api"),
]
