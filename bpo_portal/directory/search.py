"""Full-text search of providers with the database's own index.

SQLite: an FTS5 table kept in step with directory_provider by triggers.
PostgreSQL: a generated tsvector column with a GIN index.
Both match every word of the query, the last one as a prefix ("indus da" finds "Indus Data").
"""

import re

from django.db import connection
from django.db.models.expressions import RawSQL

WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 12

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
    "DROP TRIGGER directory_provider_fts_update",
    "DROP TRIGGER directory_provider_fts_delete",
    "DROP TRIGGER directory_provider_fts_insert",
    "DROP TABLE directory_provider_fts",
]
POSTGRES_SQL = [
    """ALTER TABLE directory_provider ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(description, ''))) STORED""",
    "CREATE INDEX directory_provider_search_idx ON directory_provider USING gin (search_vector)",
]
POSTGRES_REVERSE = [
    "DROP INDEX directory_provider_search_idx",
    "ALTER TABLE directory_provider DROP COLUMN search_vector",
]


def words(text):
    return WORD.findall(text.lower())[:MAX_WORDS]


def matching_ids(text):
    """A subquery of the ids of providers whose name or description matches every word."""
    terms = words(text)
    if not terms:
        return None
    if connection.vendor == "postgresql":
        query = " & ".join(terms[:-1] + [terms[-1] + ":*"])
        return RawSQL(
            "SELECT id FROM directory_provider WHERE search_vector @@ to_tsquery('simple', %s)",
            [query],
        )
    query = " ".join(f'"{term}"' for term in terms) + "*"
    return RawSQL(
        "SELECT rowid FROM directory_provider_fts WHERE directory_provider_fts MATCH %s", [query]
    )
