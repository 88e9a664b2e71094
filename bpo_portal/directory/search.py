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
