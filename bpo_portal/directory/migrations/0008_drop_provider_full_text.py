"""Site search (core.SearchDocument) replaces the providers' own full-text index.

Written out here so that it never changes with later code. On SQLite the old triggers may
already be gone: adding a column remakes a table and drops its triggers, which is why search
no longer relies on triggers.
"""

from django.db import migrations

STATEMENTS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS directory_provider_fts_update",
        "DROP TRIGGER IF EXISTS directory_provider_fts_delete",
        "DROP TRIGGER IF EXISTS directory_provider_fts_insert",
        "DROP TABLE IF EXISTS directory_provider_fts",
    ],
    "postgresql": [
        "DROP INDEX IF EXISTS directory_provider_search_idx",
        "ALTER TABLE directory_provider DROP COLUMN IF EXISTS search_vector",
    ],
}


def drop(apps, schema_editor):
    for statement in STATEMENTS.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("directory", "0007_markets_industries_and_ours_flags")]

    operations = [migrations.RunPython(drop, migrations.RunPython.noop)]
