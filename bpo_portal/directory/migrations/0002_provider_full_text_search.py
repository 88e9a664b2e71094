"""Full-text search of providers with the database's own index.

SQLite: an FTS5 table kept in step with directory_provider by triggers.
PostgreSQL: a generated tsvector column with a GIN index.
The statements are written out here so that this migration never changes with later code.
"""

from django.db import migrations

SQLITE_SQL = [
    """CREATE VIRTUAL TABLE directory_provider_fts USING fts5(
        name, description, content='directory_provider', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER directory_provider_fts_insert AFTER INSERT ON directory_provider BEGIN
        INSERT INTO directory_provider_fts(rowid, name, description)
        VALUES (new.id, new.name, new.description);
    END""",
    """CREATE TRIGGER directory_provider_fts_delete AFTER DELETE ON directory_provider BEGIN
        INSERT INTO directory_provider_fts(directory_provider_fts, rowid, name, description)
        VALUES ('delete', old.id, old.name, old.description);
    END""",
    """CREATE TRIGGER directory_provider_fts_update AFTER UPDATE OF name, description
        ON directory_provider BEGIN
        INSERT INTO directory_provider_fts(directory_provider_fts, rowid, name, description)
        VALUES ('delete', old.id, old.name, old.description);
        INSERT INTO directory_provider_fts(rowid, name, description)
        VALUES (new.id, new.name, new.description);
    END""",
    "INSERT INTO directory_provider_fts(directory_provider_fts) VALUES ('rebuild')",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS directory_provider_fts_update",
    "DROP TRIGGER IF EXISTS directory_provider_fts_delete",
    "DROP TRIGGER IF EXISTS directory_provider_fts_insert",
    "DROP TABLE IF EXISTS directory_provider_fts",
]
POSTGRES_SQL = [
    """ALTER TABLE directory_provider ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(description, ''))) STORED""",
    "CREATE INDEX directory_provider_search_idx ON directory_provider USING gin (search_vector)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS directory_provider_search_idx",
    "ALTER TABLE directory_provider DROP COLUMN IF EXISTS search_vector",
]

STATEMENTS = {
    "sqlite": (SQLITE_SQL, SQLITE_REVERSE),
    "postgresql": (POSTGRES_SQL, POSTGRES_REVERSE),
}


def run(index):
    def apply(apps, schema_editor):
        for statement in STATEMENTS.get(schema_editor.connection.vendor, ((), ()))[index]:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(run(0), run(1))]
