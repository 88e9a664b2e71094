from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save


class CoreConfig(AppConfig):
    """The base layer: shared models, the kind registry, caching, exports and filter helpers.

    It imports no other app of the project."""

    name = "bpo_portal.core"
    verbose_name = "Site"

    def ready(self):
        from simple_history.signals import post_create_historical_record

        from bpo_portal.core import changes, checks, search  # noqa: F401  (deploy checks)
        from bpo_portal.core.caching import on_links_changed, on_save_or_delete, watch
        from bpo_portal.core.kinds import Kind, register
        from bpo_portal.core.models import Synonym

        register(Kind(model=Synonym, prefix="synonym", section="synonyms", natural_key=("term",)))
        connection_created.connect(watch, dispatch_uid="bpo-watch-statements")
        post_save.connect(on_save_or_delete, dispatch_uid="bpo-data-version-save")
        post_delete.connect(on_save_or_delete, dispatch_uid="bpo-data-version-delete")
        m2m_changed.connect(on_links_changed, dispatch_uid="bpo-data-version-m2m")
        post_save.connect(search.on_saved, dispatch_uid="bpo-search-save")
        pre_save.connect(changes.on_restore, dispatch_uid="bpo-restore-without-history")
        post_create_historical_record.connect(
            changes.on_history_record, dispatch_uid="bpo-public-changes"
        )
        post_delete.connect(search.on_deleted, dispatch_uid="bpo-search-delete")
