from django.contrib import admin
from django.urls import include, path

from bpo_portal.core import views

admin.site.site_header = "BPO Portal curation"
admin.site.site_title = "BPO Portal curation"
admin.site.index_title = "Knowledge base"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("", include("bpo_portal.directory.urls")),
    path("", include("bpo_portal.sector.urls")),
    path("", include("bpo_portal.sources.urls")),
    path("admin/", admin.site.urls),
]
