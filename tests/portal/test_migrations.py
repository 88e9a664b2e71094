from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from bpo_portal.directory.models import Provider
from bpo_portal.portal.knowledge import read_knowledge
from tests.conftest import load_knowledge

APPS = ["core", "sector", "directory", "sources"]  # portal has no tables


def test_every_migration_reverses_and_reapplies(transactional_db):
    for app in APPS:
        call_command("migrate", app, "zero", verbosity=0)
    applied = {app for app, _ in MigrationRecorder(connection).applied_migrations()}
    assert not applied & set(APPS)
    assert "directory_provider" not in connection.introspection.table_names()

    call_command("migrate", verbosity=0)
    load_knowledge()
    assert Provider.objects.real().count() == len(
        read_knowledge(settings.KNOWLEDGE_FILE)["providers"]
    )
    assert Provider.objects.search("ibex").count() == 1  # full-text index rebuilt
