"""The full-text side of the search index, written out here so that it never changes with
later code.

SQLite: an FTS5 table with the documents' title, other names and text (diacritics removed), the
kind beside them unindexed; rowid = core_searchdocument.id.
PostgreSQL: the unaccent and pg_trgm extensions, a text search configuration that folds accents,
a generated tsvector column (title A, other names B, text C) with a GIN index, and a trigram
index on the vocabulary for typo correction.
"""

from django.db import migrations

SQLITE = (
    [
        "CREATE VIRTUAL TABLE core_searchfts USING fts5("
        "title, names, body, kind UNINDEXED, tokenize='unicode61 remove_diacritics 2')"
    ],
    ["DROP TABLE IF EXISTS core_searchfts"],
)
POSTGRESQL = (
    [
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE TEXT SEARCH CONFIGURATION bpo_search (COPY = simple)",
        "ALTER TEXT SEARCH CONFIGURATION bpo_search "
        "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
        "ALTER TABLE core_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('bpo_search'::regconfig, title), 'A') || "
        "setweight(to_tsvector('bpo_search'::regconfig, names), 'B') || "
        "setweight(to_tsvector('bpo_search'::regconfig, body), 'C')) STORED",
        "CREATE INDEX core_searchdocument_vector ON core_searchdocument USING gin (vector)",
        "CREATE INDEX core_searchterm_trigram ON core_searchterm USING gin (term gin_trgm_ops)",
    ],
    [
        "DROP INDEX IF EXISTS core_searchterm_trigram",
        "DROP INDEX IF EXISTS core_searchdocument_vector",
        "ALTER TABLE core_searchdocument DROP COLUMN IF EXISTS vector",
        "DROP TEXT SEARCH CONFIGURATION IF EXISTS bpo_search",
    ],
)
STATEMENTS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}


def run(index):
    def apply(apps, schema_editor):
        for statement in STATEMENTS.get(schema_editor.connection.vendor, ((), ()))[index]:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("core", "0004_search_index_and_synonyms")]

    operations = [migrations.RunPython(run(0), run(1))]
