from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "bpo_portal.directory"
    verbose_name = "Directory"

    def ready(self):
        from bpo_portal.directory import kinds  # noqa: F401  (declares the kinds)
