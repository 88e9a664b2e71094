from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    """What the sources say around the directory and the figures: the industry's history,
    its terms, its technologies, its markets and industries served, and its effects and
    outlook."""

    name = "bpo_portal.background"
    verbose_name = "Background"

    def ready(self):
        from bpo_portal.background import kinds, selectors  # noqa: F401  (kinds; adds to directory pages)
