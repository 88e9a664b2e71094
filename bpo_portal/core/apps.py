from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bpo_portal.core"
    verbose_name = "Site"
