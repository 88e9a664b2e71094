"""SQLite: the documents of every kind but providers in an FTS5 table of their own as well, so
that searching those kinds does not walk the providers' matches. PostgreSQL has had a partial
index for the same since 0007."""

from django.db import migrations

SQLITE = (
    [
        "CREATE VIRTUAL TABLE core_searchfts_few USING fts5("
        "title, names, body, kind, tokenize='unicode61 remove_diacritics 2')",
        "INSERT INTO core_searchfts_few (rowid, title, names, body, kind) "
        "SELECT rowid, title, names, body, kind FROM core_searchfts WHERE kind <> 'provider'",
    ],
    ["DROP TABLE IF EXISTS core_searchfts_few"],
)


def run(index):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in SQLITE[index]:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("core", "0007_search_kind_indexed")]

    operations = [migrations.RunPython(run(0), run(1))]
