from django.apps import AppConfig


class SectorConfig(AppConfig):
    name = "bpo_portal.sector"
    verbose_name = "Sector facts"
