from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "bpo_portal.sources"
    verbose_name = "Sources"
