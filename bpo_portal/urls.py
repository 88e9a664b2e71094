from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from bpo_portal.portal import sitemaps
from bpo_portal.portal import views as portal_views

admin.site.site_header = "BPO Portal curation"
admin.site.site_title = "BPO Portal curation"
admin.site.index_title = "Knowledge base"


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's): the site's own."""
    return redirect(static("favicon.svg"))


urlpatterns = [
    path("", include("bpo_portal.portal.urls")),
    path("", include("bpo_portal.directory.urls")),
    path("", include("bpo_portal.sector.urls")),
    path("", include("bpo_portal.sources.urls")),
    path("", include("bpo_portal.background.urls")),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemap-<str:section>.xml", sitemaps.sitemap_section, name="sitemap_section"),
    path("robots.txt", sitemaps.robots_txt, name="robots_txt"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/quality/", admin.site.admin_view(portal_views.quality), name="quality"),
    path("admin/", admin.site.urls),
]
