"""Search documents of the numerous kind (providers) are counted and picked apart from the rest,
so that a word common among providers no longer reads every such provider's row.

SQLite: the kind becomes an indexed token of the FTS5 table (built again from the old one).
PostgreSQL: a full-text index over the other kinds' documents alone, and a generated vector of
the names (title A, other names B) with its index over the providers' documents."""

from django.db import migrations


def rebuilt(kind_column):
    return [
        "CREATE VIRTUAL TABLE core_searchfts_new USING fts5("
        f"title, names, body, {kind_column}, tokenize='unicode61 remove_diacritics 2')",
        "INSERT INTO core_searchfts_new (rowid, title, names, body, kind) "
        "SELECT rowid, title, names, body, kind FROM core_searchfts",
        "DROP TABLE core_searchfts",
        "ALTER TABLE core_searchfts_new RENAME TO core_searchfts",
    ]


STATEMENTS = {
    "sqlite": (rebuilt("kind"), rebuilt("kind UNINDEXED")),
    "postgresql": (
        [
            "CREATE INDEX core_searchdocument_vector_few ON core_searchdocument "
            "USING gin (vector) WHERE kind <> 'provider'",
            "ALTER TABLE core_searchdocument ADD COLUMN name_vector tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('bpo_search'::regconfig, title), 'A') || "
            "setweight(to_tsvector('bpo_search'::regconfig, names), 'B')) STORED",
            "CREATE INDEX core_searchdocument_name_vector ON core_searchdocument "
            "USING gin (name_vector) WHERE kind = 'provider'",
        ],
        [
            "DROP INDEX IF EXISTS core_searchdocument_name_vector",
            "ALTER TABLE core_searchdocument DROP COLUMN IF EXISTS name_vector",
            "DROP INDEX IF EXISTS core_searchdocument_vector_few",
        ],
    ),
}


def run(index):
    def apply(apps, schema_editor):
        for statement in STATEMENTS.get(schema_editor.connection.vendor, ((), ()))[index]:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("core", "0006_public_changes")]

    operations = [migrations.RunPython(run(0), run(1))]
