"""SQLite: the kind of each search document becomes an indexed token, so that the documents of
one kind are counted and picked from the index alone (a word common among providers no longer
reads every provider's stored row). The table is built again from the old one; PostgreSQL keeps
its generated column."""

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


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("core", "0006_public_changes")]

    operations = [migrations.RunPython(run(rebuilt("kind")), run(rebuilt("kind UNINDEXED")))]
