from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "bpo_portal.directory"
    verbose_name = "Directory"
