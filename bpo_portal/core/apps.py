from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_save


class CoreConfig(AppConfig):
    """The base layer: shared models, the kind registry, the change journal, caching, exports
    and filter helpers. It imports no other app of the project."""

    name = "bpo_portal.core"
    verbose_name = "Site"

    def ready(self):
        from simple_history.signals import post_create_historical_record

        from bpo_portal.core import changes, checks, journal  # noqa: F401 (checks)
        from bpo_portal.core.kinds import Declaration, register
        from bpo_portal.core.models import StopWord, Synonym

        register(Declaration(Synonym, "synonym", "synonyms", natural_key=("term",)))
        register(Declaration(StopWord, "stop-word", "stop_words", natural_key=("word",)))
        # The change journal hears every save, delete and relink of a journalled model.
        pre_save.connect(journal.before_save, dispatch_uid="bpo-journal-before-save")
        post_save.connect(journal.on_save_or_delete, dispatch_uid="bpo-journal-save")
        post_delete.connect(journal.on_save_or_delete, dispatch_uid="bpo-journal-delete")
        m2m_changed.connect(journal.on_links_changed, dispatch_uid="bpo-journal-m2m")
        post_migrate.connect(journal.after_migrate, sender=self, dispatch_uid="bpo-journal-mig")
        pre_save.connect(changes.on_restore, dispatch_uid="bpo-restore-without-history")
        post_create_historical_record.connect(
            changes.on_history_record, dispatch_uid="bpo-public-changes"
        )
