from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "bpo_portal.sources"
    verbose_name = "Sources"

    def ready(self):
        from bpo_portal.sources import kinds  # noqa: F401  (declares the kinds)
