from django.apps import AppConfig


class SectorConfig(AppConfig):
    name = "bpo_portal.sector"
    verbose_name = "Sector facts"

    def ready(self):
        from bpo_portal.sector import kinds  # noqa: F401  (declares the kinds)
