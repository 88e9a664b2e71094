from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    """The top layer: what spans every kind of knowledge (home page, site-wide search, the
    knowledge loader, curators' accounts). Nothing below imports it."""

    name = "bpo_portal.portal"
    verbose_name = "Portal"

    def ready(self):
        from bpo_portal.portal.curators import ensure_search_index, sync_curators_group

        # Sent once per app; by the last one every permission exists.
        post_migrate.connect(sync_curators_group, dispatch_uid="bpo-curators-group")
        post_migrate.connect(ensure_search_index, dispatch_uid="bpo-search-index")
