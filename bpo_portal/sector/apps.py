from django.apps import AppConfig


class SectorConfig(AppConfig):
    name = "bpo_portal.sector"
    verbose_name = "Sector facts"

    def ready(self):
        from bpo_portal.sector import kinds, selectors  # noqa: F401  (kinds; adds to directory pages)
