from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class CoreConfig(AppConfig):
    name = "bpo_portal.core"
    verbose_name = "Site"

    def ready(self):
        from bpo_portal.core import checks  # noqa: F401  (registers the deploy checks)
        from bpo_portal.core.caching import on_change

        for signal in (post_save, post_delete):
            signal.connect(on_change, dispatch_uid=f"bpo-data-version-{signal}")
        m2m_changed.connect(on_change, dispatch_uid="bpo-data-version-m2m")
