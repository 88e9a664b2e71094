"""Site search over every kind of record, as people actually type.

Index. Each record of a kind that declares `search` fields is one `SearchDocument`: its title
(the first "A" field), its other names ("A" and "B" fields, related rows such as a provider's
former names included, each labelled) and its text ("C" fields). SQLite indexes the documents
with FTS5, PostgreSQL with a tsvector column (unaccent, weights A/B/C) and a GIN index; both
keep a vocabulary (`SearchTerm`, with pg_trgm on PostgreSQL) for the corrections below.
Saves and deletes keep the index in step; bulk writers call `bulk_index()` (or insert the
documents themselves and call `index_written()`).

Understanding. Question and filler words (STOPWORDS and the curators' StopWord rows) are left
out. Every other query word becomes a group of alternatives, a group matched when a document
holds one of them: the word itself; its British or American spelling (centre/center,
-ise/-ize, -isation/-ization, programme/program, …) and its singular or plural, where the index
has them; the curators' synonyms and abbreviations, both ways (KPO and knowledge process
outsourcing); compounds written together or apart (helpdesk / help desk); for a word the index
does not know, the words one typo away (two from 9 letters), Meilisearch's rule, from 5
letters; and for the last word, what it may be the start of. Short words such as "AI" or "IT"
match whole words only. Everything is folded to lower case without accents.

Ranking, per kind: records holding every group that any document holds first (a group no
document holds is left out), then by the weight of the groups they hold (the rarer a word, the
more it weighs; GENERIC words little), then exact name, name prefix, other names, other
fields, matches only through a typo; the database's relevance within each. Providers, which
run to hundreds of thousands, are read apart (see `_candidates`).
"""

import bisect
import functools
import html
import itertools
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, transaction
from django.utils.safestring import mark_safe
from rapidfuzz.distance import DamerauLevenshtein

from bpo_portal.core.caching import per_version
from bpo_portal.core.kinds import kind_for, kind_named, kinds
from bpo_portal.core.models import SearchDocument, SearchTerm, StopWord, Synonym

MAX_WORDS = 12
# Question and filler words: never matched (curators add more in the admin, *Stop words*). A
# query of nothing else is searched as typed.
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "give",
        "has",
        "have",
        "how",
        "i",
        "in",
        "is",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "please",
        "show",
        "tell",
        "than",
        "that",
        "the",
        "their",
        "there",
        "these",
        "this",
        "those",
        "to",
        "was",
        "we",
        "were",
        "what",
        "whats",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)
# Words that say little of what is sought however few records hold them (what the records are,
# where the industry is): they weigh as if every record held them.
GENERIC = frozenset(
    [
        "company",
        "companies",
        "firm",
        "firms",
        "outsourcing",
        "pakistan",
        "pakistani",
        "provider",
        "providers",
        "service",
        "services",
        "vendor",
        "vendors",
    ]
)
CANDIDATES_PER_KIND = 30  # providers read to rank the best by name
# Records of each other kind read beyond those shown: the database orders them as they are
# ranked (every word, weight, relevance) but for how they matched (exact names first).
SPARE = 3
WORD = re.compile(r"[^\W_]+")
FTS_TABLE = "core_searchfts"
FTS_FEW_TABLE = "core_searchfts_few"  # the documents of every kind but the numerous one
PG_CONFIG = "bpo_search"

# British and American spellings, both ways: (ending, other ending).
SPELLINGS = [
    ("isation", "ization"),
    ("isations", "izations"),
    ("ise", "ize"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ising", "izing"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("ysing", "yzing"),
    ("our", "or"),
    ("ours", "ors"),
    ("tre", "ter"),
    ("tres", "ters"),
    ("ogramme", "ogram"),
    ("ogrammes", "ograms"),
    ("ence", "ense"),
    ("elled", "eled"),
    ("elling", "eling"),
    ("ller", "ler"),
]


def fold(text):
    """Lower case, accents and compatibility forms removed: what the index stores."""
    text = str(text)
    if text.isascii():  # nothing to decompose: most text, and every generated demo row
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text):
    return WORD.findall(fold(text))


def is_vocabulary_word(word):
    return word.isalpha() and 2 <= len(word) <= 40


# Documents


@dataclass
class SearchSpec:
    """What one kind puts in its documents, from its declaration's `search` mapping."""

    title: str
    names: list  # (path, label)
    body: list  # paths

    @classmethod
    def of(cls, kind):
        title, names, body = None, [], []
        for path, weight in kind.search.items():
            if weight == "A" and title is None:
                title = path
            elif weight in ("A", "B"):
                names.append(path)
            else:
                body.append(path)
        return cls(title, names, body)


def _values(obj, path):
    """The text values at `path` ("name", "aliases__name") of `obj`, as strings."""
    head, _, rest = path.partition("__")
    value = getattr(obj, head, None)
    if rest:
        related = value.all() if hasattr(value, "all") else [value] if value else []
        return [(item, text) for item in related for _, text in _values(item, rest)]
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [(obj, str(v)) for v in value if v]
    return [(obj, str(value))]


def _label(model, path, item):
    if hasattr(item, "search_label"):
        return item.search_label()
    head = path.split("__")[0]
    try:
        field = model._meta.get_field(head)
    except FieldDoesNotExist:
        return head.replace("_", " ")
    if field.is_relation:
        return str(field.related_model._meta.verbose_name)
    return str(field.verbose_name)


def document_for(kind, obj):
    spec = SearchSpec.of(kind)
    names, labels = [], []
    for path in spec.names:
        for item, text in _values(obj, path):
            names.append(text)
            labels.append([_label(kind.model, path, item), text])
    body = " ".join(text for path in spec.body for _, text in _values(obj, path))
    title = " ".join(text for _, text in _values(obj, spec.title)) or str(obj)
    return {
        "title": title[:300],
        "names": "\n".join(names),
        "name_labels": labels,
        "body": body,
        "url": obj.get_absolute_url(),
    }


def indexed_kinds():
    return [kind for kind in kinds() if kind.search]


@functools.cache
def feeding_relations():
    """{model: [(indexed kind, field, many)]}: rows whose text is part of another kind's
    documents. Either a row of the kind points to them (a figure's metric: `many`, every figure
    of the metric is indexed again) or they point to the row (a provider's former names)."""
    feeds = {}
    for kind in indexed_kinds():
        for path in kind.search:
            if "__" not in path:
                continue
            relation = kind.model._meta.get_field(path.split("__")[0])
            if relation.one_to_many:
                feeds.setdefault(relation.related_model, []).append(
                    (kind, relation.field.name, False)
                )
            elif relation.many_to_one:
                feeds.setdefault(relation.related_model, []).append((kind, relation.name, True))
    return feeds


def _document_terms(values):
    text = " ".join((values["title"], values["names"], values["body"]))
    return {word for word in set(words(text)) if is_vocabulary_word(word)}


def _count_terms(changes):
    """Add the given document counts to the vocabulary, in one statement per 500 terms; whether
    any count changed."""
    changes = [(term, n) for term, n in changes.items() if n]
    table = connection.ops.quote_name(SearchTerm._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(changes), 500):
            chunk = changes[start : start + 500]
            rows = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (term, documents) VALUES {rows} "
                "ON CONFLICT (term) DO UPDATE SET documents = "
                f"{table}.documents + excluded.documents",
                [value for pair in chunk for value in pair],
            )
    return bool(changes)


def _fts_write(cursor, deletes, inserts):
    """SQLite: take the documents `deletes` (ids) out of the FTS5 tables and put `inserts`
    (id, title, names, body, kind) in, every kind but the numerous one in its own table too."""
    if connection.vendor != "sqlite":
        return  # PostgreSQL's tsvector column is generated from the row itself
    for start in range(0, len(deletes), 500):
        chunk = deletes[start : start + 500]
        marks = ", ".join(["%s"] * len(chunk))
        for table in (FTS_TABLE, FTS_FEW_TABLE):
            cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({marks})", chunk)
    few = [row for row in inserts if row[4] != NUMEROUS]
    for table, rows in ((FTS_TABLE, inserts), (FTS_FEW_TABLE, few)):
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            cursor.execute(
                f"INSERT INTO {table} (rowid, title, names, body, kind) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk)),
                [value for row in chunk for value in row],
            )


def clear_full_text(cursor):
    """Empty SQLite's FTS5 tables (PostgreSQL's index goes with the documents' rows)."""
    if connection.vendor == "sqlite":
        for table in (FTS_TABLE, FTS_FEW_TABLE):
            cursor.execute(f"DELETE FROM {table}")


def index_objects(kind, objs):
    """Write (or rewrite) the documents of the records `objs`, a few statements for them all;
    whether a word's count in the vocabulary changed."""
    values = {obj.pk: document_for(kind, obj) for obj in objs}
    if not values:
        return False
    with transaction.atomic():
        old = list(SearchDocument.objects.filter(kind=kind.prefix, object_id__in=values))
        gone = Counter()
        for document in old:
            gone.subtract(_document_terms(document.__dict__))
        # Written anew: one statement each, where rewriting rows in place takes one per row.
        SearchDocument.objects.filter(pk__in=[document.pk for document in old]).delete()
        with connection.cursor() as cursor:
            _fts_write(cursor, [document.pk for document in old], [])
        return bulk_index(kind, values.items(), counted=gone)


def remove_many(kind, pks):
    """Drop the documents of many records (bulk deletes, which send no signals)."""
    documents = SearchDocument.objects.filter(kind=kind.prefix, object_id__in=pks)
    terms = Counter()
    gone = []
    for document in documents.iterator(chunk_size=2000):
        terms.subtract(_document_terms(document.__dict__))
        gone.append(document.pk)
    with connection.cursor() as cursor:
        _fts_write(cursor, gone, [])
    for start in range(0, len(gone), 2000):  # within any database's limit of parameters
        SearchDocument.objects.filter(pk__in=gone[start : start + 2000]).delete()
    return _count_terms(terms)


def bulk_index(kind, rows, counted=None):
    """Add documents for records not indexed yet, many at a time: rows of (object id, values)
    with the values `document_for` gives (title, names, name_labels, body, url)."""
    documents = _create_documents(kind, rows)
    return index_written([(d.pk, d.title, d.names, d.body, d.kind) for d in documents], counted)


def _create_documents(kind, rows):
    documents = SearchDocument.objects.bulk_create(
        SearchDocument(kind=kind.prefix, object_id=pk, **values) for pk, values in rows
    )
    if documents and documents[0].pk is None:  # a database that returns no ids
        ids = dict(
            SearchDocument.objects.filter(
                kind=kind.prefix, object_id__in=[d.object_id for d in documents]
            ).values_list("object_id", "pk")
        )
        for document in documents:
            document.pk = ids[document.object_id]
    return documents


def index_written(rows, counted=None):
    """Index documents a bulk writer has inserted into the documents table itself: rows of
    (document id, title, names, body, kind prefix). `counted`: changes to the vocabulary's
    counts to write with theirs (the documents these replace)."""
    terms = counted or Counter()
    for _, title, names, body, _ in rows:
        terms.update(_document_terms({"title": title, "names": names, "body": body}))
    with connection.cursor() as cursor:
        _fts_write(cursor, [], rows)
    return _count_terms(terms)


def rebuild(chunk=2000):
    """Index every record again, from nothing, a chunk of records at a time (the caller bumps
    the data version, so that readers see the new vocabulary)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            clear_full_text(cursor)
        SearchDocument.objects.all().delete()
        SearchTerm.objects.all().delete()
        for kind in indexed_kinds():
            _index_all(kind, chunk)


def _index_all(kind, chunk=2000):
    batch, counted = [], False
    for obj in _for_documents(kind, kind.model._base_manager.all(), chunk):
        batch.append((obj.pk, document_for(kind, obj)))
        if len(batch) == chunk:
            counted |= bulk_index(kind, batch)
            batch = []
    return bulk_index(kind, batch) | counted


SEARCH_TABLES = (
    SearchDocument._meta.db_table,
    SearchTerm._meta.db_table,
    FTS_TABLE,
    FTS_FEW_TABLE,
)


def on_recorded(model, pks):
    """Journal reader (core/journal.py), in the writing transaction: index again the records
    named (pks None: every one of the kind) and those whose documents they feed, and drop the
    documents of those that are gone. A row that another's document takes text from is
    `part_of` it, so the journal names that one too."""
    touched = []
    if (kind := kind_for(model)) is not None and kind.search:
        touched.append((kind, None if pks is None else {"pk__in": pks}))
    for fed, field_name, many in feeding_relations().get(model, []):
        if many:
            touched.append((fed, None if pks is None else {f"{field_name}__in": pks}))
    counted = [reindex(fed, rows) for fed, rows in touched]
    if not touched:
        return ()
    # The vocabulary (kept per version) is read again only when a word's count changed.
    return SEARCH_TABLES if any(counted) else set(SEARCH_TABLES) - {SearchTerm._meta.db_table}


def reindex(kind, lookup=None):
    """Index again the records of `kind` matching `lookup` (None: all of them); whether a
    word's count in the vocabulary changed."""
    if lookup is None:
        removed = remove_many(
            kind, SearchDocument.objects.filter(kind=kind.prefix).values("object_id")
        )
        return _index_all(kind) | removed
    objs = list(_for_documents(kind, kind.model._base_manager.filter(**lookup)))
    gone = set(lookup.get("pk__in", ())) - {obj.pk for obj in objs}
    return index_objects(kind, objs) | (remove_many(kind, gone) if gone else False)


def _for_documents(kind, queryset, chunk=2000):
    related = {path.split("__")[0] for path in kind.search if "__" in path}
    queryset = queryset.prefetch_related(*related).order_by("pk")
    if kind.describe_with:
        queryset = queryset.select_related(*kind.describe_with)
    return queryset.iterator(chunk_size=chunk)


# Understanding a query


@dataclass(frozen=True)
class Alternative:
    words: tuple  # one word, or the words of a phrase
    prefix: bool = False
    typo: bool = False

    def fts5(self):
        quoted = '"' + " ".join(self.words) + '"'
        return quoted + "*" if self.prefix else quoted

    def tsquery(self):
        parts = [
            w + (":*" if self.prefix and i == len(self.words) - 1 else "")
            for i, w in enumerate(self.words)
        ]
        return "(" + " <-> ".join(parts) + ")"

    def matches(self, tokens):
        """Does a text's Tokens (or list of words) hold this alternative?"""
        if not isinstance(tokens, Tokens):
            tokens = Tokens(tokens)
        n = len(self.words)
        if n == 1:  # most alternatives: a membership test, or a scan for the unfinished word
            word, held = self.words[0], tokens.held
            return word in held or (self.prefix and any(t.startswith(word) for t in held))
        if self.words[0] not in tokens.held:
            return False
        sequence, last = tokens.words, self.words[-1]
        for i in tokens.where().get(self.words[0], ()):
            window = sequence[i : i + n]
            if (
                len(window) == n
                and tuple(window[:-1]) == self.words[:-1]
                and (window[-1] == last or (self.prefix and window[-1].startswith(last)))
            ):
                return True
        return False


class Tokens:
    """The words of a text in order, as a set, and where each stands (worked out when a phrase
    asks): what matching needs, from one reading of the text."""

    __slots__ = ("_where", "held", "words")

    def __init__(self, words):
        self.words = words
        self.held = set(words)
        self._where = None

    def where(self):
        if self._where is None:
            self._where = {}
            for i, word in enumerate(self.words):
                self._where.setdefault(word, []).append(i)
        return self._where


@dataclass
class Plan:
    groups: list = field(default_factory=list)  # [[Alternative]]
    words: list = field(default_factory=list)
    corrected: dict = field(default_factory=dict)  # typed word -> words it was read as
    typed: list = field(default_factory=list)  # [typed words] of each group
    held: list = field(default_factory=list)  # about how many documents hold each group
    weights: list = field(default_factory=list)  # how much matching each group counts
    most: int = 1  # about how many documents there are
    stopped: list = field(default_factory=list)  # question and filler words, not matched
    unmatched: list = field(default_factory=list)  # groups no result matched (set by run)
    all_typed: list = field(default_factory=list)
    marks: object = field(default=None, repr=False)  # what highlight() marks, once worked out

    @property
    def live(self):
        """The numbers of the groups some document holds: a word none holds is left out."""
        return [n for n, held in enumerate(self.held) if held]

    def rare(self):
        """The numbers of the live groups few documents hold, or else of the rarest one."""
        live = self.live
        rare = [n for n in live if self.held[n] <= max(COMMON_SHARE * self.most, FEW)]
        return rare or [min(live, key=lambda n: self.held[n])]

    def fts5(self, only=None, every=False):
        """Every live group (AND), or any of the groups numbered `only` (OR; AND if `every`)."""
        if only is None:
            return " AND ".join(_fts5_group(self.groups[n]) for n in self.live)
        return (" AND " if every else " OR ").join(_fts5_group(self.groups[n]) for n in only)

    def tsquery(self, only=None, every=False):
        if only is None:
            return " & ".join(_tsquery_group(self.groups[n]) for n in self.live)
        return (" & " if every else " | ").join(_tsquery_group(self.groups[n]) for n in only)

    def matched_in(self, tokens):
        """The numbers of the live groups a text's Tokens (or list of words) hold."""
        if not isinstance(tokens, Tokens):
            tokens = Tokens(tokens)
        return tuple(n for n in self.live if any(a.matches(tokens) for a in self.groups[n]))

    def weigh(self, held):
        """Weigh the groups by how many documents {group number: documents} hold them (the
        rarer, the more: inverse document frequency), and by how many typed words each stands
        for (a phrase matched is each of its words matched)."""
        self.weights = [
            len(self.typed[n]) * math.log(1 + self.most / count)
            if (count := held.get(n) or self.held[n])
            else 0.0
            for n in range(len(self.groups))
        ]
        for n, typed in enumerate(self.typed):
            if self.weights[n] and GENERIC.issuperset(typed):
                self.weights[n] = len(typed) * math.log(2)

    def standing(self, matched):
        """(holds not every live group, minus the weight of those it holds): lower first."""
        return (len(matched) < len(self.live), -sum(self.weights[n] for n in matched))

    @property
    def matched_words(self):
        return [w for i, typed in enumerate(self.typed) if i not in self.unmatched for w in typed]

    @property
    def unheld(self):
        """The words typed, question words aside, that no result is shown for."""
        unmatched = {w for i in self.unmatched for w in self.typed[i]}
        return [w for w in self.all_typed if w in unmatched and w not in self.stopped]

    @property
    def left_out(self):
        """The words typed that no result is shown for, in the order typed."""
        unmatched = {w for i in self.unmatched for w in self.typed[i]}
        stopped = set(self.stopped)
        return [w for w in self.all_typed if w in stopped or w in unmatched]


def _fts5_group(group):
    return "(" + " OR ".join(a.fts5() for a in group) + ")"


def _tsquery_group(group):
    return "(" + " | ".join(a.tsquery() for a in group) + ")"


class Vocabulary:
    """The index's words with their document counts, and the synonyms, for one data version."""

    def __init__(self):
        self.documents = dict(
            SearchTerm.objects.filter(documents__gt=0)
            .order_by()  # sorted below; the database need not
            .values_list("term", "documents")
        )
        self.synonyms = {}  # folded phrase -> set of folded phrases meaning the same
        for term, alternatives in Synonym.objects.values_list("term", "alternatives"):
            group = {" ".join(words(term)), *(" ".join(words(a)) for a in alternatives)}
            group.discard("")
            for phrase in group:
                self.synonyms.setdefault(phrase, set()).update(group - {phrase})
        self.stopwords = STOPWORDS | {
            " ".join(words(word)) for word in StopWord.objects.values_list("word", flat=True)
        }
        self.most = max(self.documents.values(), default=1)  # about every document
        self.by_length = {}
        for term in self.documents:
            self.by_length.setdefault(len(term), []).append(term)
        self.sorted = sorted(self.documents)

    def starts(self, prefix):
        """Does any word of the index start with `prefix`?"""
        at = bisect.bisect_left(self.sorted, prefix)
        return at < len(self.sorted) and self.sorted[at].startswith(prefix)

    def synonyms_of(self, typed):
        """Synonyms of a phrase, also when it is typed in the other spelling or number."""
        options = [[w, *sorted(self.spellings(w) | self.forms(w) - {w})] for w in typed]
        for combination in itertools.islice(itertools.product(*options), 16):
            phrase = " ".join(combination)
            if phrase in self.synonyms:
                return phrase, self.synonyms[phrase]
        return None, ()

    def knows(self, word):
        return word in self.documents

    def held_by(self, alternative):
        """About how many documents hold an alternative (at least; a phrase at most its rarest
        word's)."""
        if alternative.prefix:
            at = bisect.bisect_left(self.sorted, alternative.words[-1])
            found = itertools.takewhile(
                lambda t: t.startswith(alternative.words[-1]), self.sorted[at : at + 50]
            )
            last = max((self.documents[t] for t in found), default=0)
            return min([last, *(self.documents.get(w, 0) for w in alternative.words[:-1])])
        # A word the vocabulary does not keep (one with digits, "007") may still be indexed.
        return min(
            self.documents.get(w, 0) if is_vocabulary_word(w) else 1 for w in alternative.words
        )

    def phrases(self, phrase):
        """A phrase in every spelling the index holds, its last word in either number too (call
        centre, call centers, ...), at most 16."""
        *head, last = phrase.split()
        options = [sorted({w} | self.spellings(w)) for w in head]
        options.append(sorted(self.forms(last) | self.spellings(last)) or [last])
        return [tuple(c) for c in itertools.islice(itertools.product(*options), 16)]

    def spellings(self, word):
        found = set()
        for a, b in SPELLINGS:
            for ending, other in ((a, b), (b, a)):
                if word.endswith(ending) and len(word) > len(ending) + 2:
                    candidate = word[: -len(ending)] + other
                    if self.knows(candidate):
                        found.add(candidate)
        return found

    def forms(self, word):
        """Singular and plural forms of `word` (and of its other spellings) the index holds;
        a short word ("IT") stands for itself only."""
        if len(word) < 4:
            return {word} if self.knows(word) else set()
        found = set()
        for base in {word, *self.spellings(word)}:
            candidates = {base + "s", base + "es"}
            if base.endswith("ies"):
                candidates.add(base[:-3] + "y")
            if base.endswith("es"):
                candidates.add(base[:-2])
            if base.endswith("s") and not base.endswith("ss"):
                candidates.add(base[:-1])
            if base.endswith("y"):
                candidates.add(base[:-1] + "ies")
            found |= {c for c in candidates if self.knows(c)} | {base}
        return {f for f in found if self.knows(f)}

    def near(self, allowances):
        """{word: words of the index within its allowed number of typos}, for
        {word: allowed}. On PostgreSQL the trigram index narrows the candidates first, in one
        query for all the words; the edit distance decides either way."""
        if not allowances:
            return {}
        if connection.vendor == "postgresql":
            candidates = {word: [] for word in allowances}
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_limit(0.2); SELECT w, t.term FROM unnest(%s::text[]) AS w, "
                    "core_searchterm t WHERE t.documents > 0 AND t.term %% w",
                    [list(allowances)],
                )
                for word, term in cursor.fetchall():
                    candidates[word].append(term)
        else:
            candidates = {
                word: [
                    term
                    for length in range(len(word) - allowed, len(word) + allowed + 1)
                    for term in self.by_length.get(length, [])
                ]
                for word, allowed in allowances.items()
            }
        return {
            word: [
                term
                for term in candidates[word]
                if term in self.documents
                and DamerauLevenshtein.distance(word, term, score_cutoff=allowed) <= allowed
            ]
            for word, allowed in allowances.items()
        }

    def typos(self, typed):
        """{word: up to three words one typo away (two from 9 letters), most used first}, for
        the words of `typed` the index does not know, from 5 letters."""
        unknown = {
            w: 2 if len(w) >= 9 else 1
            for w in typed
            if len(w) >= 5 and w.isalpha() and not self.knows(w)
        }
        return {
            word: sorted(found, key=lambda t: (-self.documents[t], t))[:3]
            for word, found in self.near(unknown).items()
        }

    def split(self, word):
        """A compound written together that the index holds apart ("helpdesk")."""
        for i in range(3, len(word) - 2):
            left, right = word[:i], word[i:]
            if self.knows(left) and self.knows(right):
                return (left, right)
        return None


@per_version
def vocabulary():
    """The Vocabulary, kept while the index's words and the synonyms are unchanged: a save that
    adds or drops no word keeps it."""
    return Vocabulary()


def understand(text, vocab):
    """A plan of alternatives for every word of `text` but the question and filler words, with
    how much each counts; the last word may be unfinished."""
    everything = words(text)[:MAX_WORDS]
    typed = [word for word in everything if word not in vocab.stopwords] or everything
    plan = Plan(words=typed, all_typed=everything)
    plan.stopped = [word for word in everything if word not in typed]
    typos = vocab.typos(typed)
    i = 0
    while i < len(typed):
        last = i == len(typed) - 1
        # A synonym or a compound over several words, longest first.
        for n in range(min(4, len(typed) - i), 1, -1):
            joined = "".join(typed[i : i + n])
            known, synonyms = vocab.synonyms_of(typed[i : i + n])
            group = []
            if known:
                group = same_meaning({known, *synonyms}, vocab)
            elif vocab.knows(joined):  # a compound: help desk, helpdesk
                phrase = " ".join(typed[i : i + n])
                group = [Alternative(v) for v in vocab.phrases(phrase)]
                group += [Alternative((form,)) for form in sorted(vocab.forms(joined))]
            if group:
                plan.groups.append(group)
                plan.typed.append(typed[i : i + n])
                i += n
                break
        else:
            plan.groups.append(alternatives(typed[i], vocab, last, plan, typos))
            plan.typed.append([typed[i]])
            i += 1
    kept = [n for n, group in enumerate(plan.groups) if group]
    plan.groups = [plan.groups[n] for n in kept]
    plan.typed = [plan.typed[n] for n in kept]
    plan.held = [max(map(vocab.held_by, group), default=0) for group in plan.groups]
    plan.most = vocab.most
    plan.weigh({})
    return plan


def same_meaning(phrases, vocab):
    """The alternatives of words that mean the same (a synonym and what it stands for), in
    every spelling and number: the same whichever of them was typed."""
    found = set()
    for phrase in phrases:
        found.update(Alternative(variant) for variant in vocab.phrases(phrase))
    return sorted(found, key=lambda a: a.words)


def alternatives(word, vocab, may_be_unfinished, plan, typos):
    found = [Alternative((form,)) for form in sorted(vocab.forms(word))]
    if not vocab.knows(word):
        found.insert(0, Alternative((word,)))
    if word in vocab.synonyms:
        found += same_meaning({word, *vocab.synonyms[word]}, vocab)
    if parts := vocab.split(word):  # a compound written together: helpdesk, help desks
        known, synonyms = vocab.synonyms_of(list(parts))
        if known:  # and what it means written apart: callcenter as call center
            found += same_meaning({known, *synonyms}, vocab)
        else:
            found += [Alternative(v) for v in vocab.phrases(" ".join(parts))]
    # The last word may be the start of others, unless it is a word of its own: "centre" is
    # finished (else it would find "centred" and "centres" would not).
    unfinished = may_be_unfinished and len(word) >= 3 and word.isalpha()
    if unfinished and not vocab.knows(word) and vocab.starts(word):
        found.append(Alternative((word,), prefix=True))
    if not any(vocab.knows(a.words[0]) for a in found if len(a.words) == 1 and not a.prefix):
        known = [a for a in found if len(a.words) > 1 or a.prefix]
        if not known:
            corrections = typos.get(word, [])
            if corrections:
                plan.corrected[word] = corrections
            found += [Alternative((c,), typo=True) for c in corrections]
    return list(dict.fromkeys(found))


# Running a query


# The kind whose documents run to hundreds of thousands. Counting and ranking every match the
# way the other kinds are would read the stored row of every provider holding a common word, so
# providers are counted and picked apart: best by name first (an index of names alone), then by
# the rest of the text in index order, reading no more rows than a page shows. The other kinds
# have an index of their own (a partial GIN index on PostgreSQL, a second FTS5 table on SQLite),
# and are ranked in full.
NUMEROUS = "provider"
# Its matches are counted up to this many; past it a page says "more than". An exact count of a
# word most providers hold would read all their rows, and a reader learns nothing from it
# that a narrower search or the directory's filters do not tell better.
COUNTED_UP_TO = 1000


# A word more than this share of the documents hold is left out when providers fall back to
# matching some of the words: the rarer words find what the reader means, and the common ones
# would read most providers' rows.
COMMON_SHARE = 0.05
# However small the index, a word this few documents hold is never common: its list is short.
FEW = 1000


class _FTS5:
    """The queries on SQLite's FTS5 tables (rowid = document id): every document in one, the
    kinds other than the numerous one again in another, so that their matches are found
    without walking the numerous kind's (a common word's list runs to every provider)."""

    def __init__(self, plan, only=None, every=False):
        expression = plan.fts5(only, every)
        self.expression = expression
        self.cheap = all(plan.held[n] <= FEW for n in (plan.live if only is None else only))
        self.plan = plan
        self.text = f"{{title names body}} : ({expression})"
        self.names = f"{{title names}} : ({expression})"

    def match(self, select, expression, rest="", table=FTS_TABLE):
        return f"SELECT {select} FROM {table} WHERE {table} MATCH %s{rest}", [expression]

    @staticmethod
    def rank(table=FTS_TABLE):
        return f"bm25({table}, 10.0, 4.0, 1.0, 0.0)"

    def few_by_group(self, only):
        """(group number, kind, document id, rank, lower better) of every match of each word
        of the query among the kinds but the numerous one: one statement."""
        kinds_wanted = ""
        if only:
            kinds_wanted = " AND (" + " OR ".join(f'kind : "{k}"' for k in only) + ")"
        parts, params = [], []
        for n in self.plan.live:
            sql, found = self.match(
                f"{n}, kind, rowid, {self.rank(FTS_FEW_TABLE)}",
                f"{{title names body}} : ({_fts5_group(self.plan.groups[n])}){kinds_wanted}",
                table=FTS_FEW_TABLE,
            )
            parts.append(sql)
            params += found
        return " UNION ALL ".join(parts), params

    def numerous_matches(self):
        return self.match("1", f'{self.text} AND kind : "{NUMEROUS}"', " LIMIT %s")

    def numerous_by_name(self, limit):
        """Words few documents hold: the best names by relevance (the exact name first). Others:
        those whose title holds the words, then those whose other names do, in the index's
        order, read as they are found, up to `limit` of each: relevance (bm25) would first count
        the documents holding each word and phrase, every one of them; the ranking of the
        results puts the exact name first among these."""
        if self.cheap:
            return (
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
                f"AND kind = '{NUMEROUS}' ORDER BY {self.rank()}, rowid LIMIT %s",
                [self.names],
            )
        limit = int(limit)
        title = f'title : ({self.expression}) AND kind : "{NUMEROUS}"'
        names = f'{self.names} AND kind : "{NUMEROUS}"'
        sql = (
            f"SELECT rowid FROM (SELECT rowid, 0 AS o FROM (SELECT rowid FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s LIMIT {limit}) UNION ALL SELECT rowid, 1 FROM "
            f"(SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT {limit})) "
            "ORDER BY o, rowid LIMIT %s"
        )
        return sql, [title, names]

    def numerous_in_order(self):
        return self.match("rowid", f'{self.text} AND kind : "{NUMEROUS}"', " LIMIT %s")


class _TSVector:
    """The queries on PostgreSQL's generated tsvector columns of core_searchdocument."""

    def __init__(self, plan, only=None, every=False):
        self.plan = plan
        self.query = plan.tsquery(only, every)
        self.tsquery = f"to_tsquery('{PG_CONFIG}', %s)"

    def match(self, select, column, condition, rest=""):
        sql = f"SELECT {select} FROM core_searchdocument WHERE {column} @@ {self.tsquery} AND "
        return sql + condition + rest, [self.query]

    def few_by_group(self, only):
        kinds_wanted = f"kind <> '{NUMEROUS}'"
        if only:
            kinds_wanted += " AND kind IN (" + ", ".join(["%s"] * len(only)) + ")"
        parts, params = [], []
        for n in self.plan.live:
            query = _tsquery_group(self.plan.groups[n])
            parts.append(
                f"SELECT {n}, kind, id, -ts_rank_cd(vector, {self.tsquery}) FROM "
                f"core_searchdocument WHERE vector @@ {self.tsquery} AND {kinds_wanted}"
            )
            params += [query, query, *only]
        return " UNION ALL ".join(parts), params

    def numerous_matches(self):
        return self.match("1", "vector", f"kind = '{NUMEROUS}'", " LIMIT %s")

    def numerous_by_name(self, limit):
        # ts_rank (weight and frequency) divided by the name's length (normalization 2), so that
        # of thousands of names holding the words the shortest, the exact name, comes first; not
        # ts_rank_cd: cover density adds little on names a few words long, and costs several
        # times as much on each match.
        sql, params = self.match(
            "id",
            "name_vector",
            f"kind = '{NUMEROUS}'",
            f" ORDER BY ts_rank(name_vector, {self.tsquery}, 2) DESC, id LIMIT %s",
        )
        return sql, [*params, self.query]

    def numerous_in_order(self):
        return self.match("id", "vector", f"kind = '{NUMEROUS}'", " ORDER BY id LIMIT %s")


def _candidates(plan, kinds_wanted, per_kind, counted=True, few_per_kind=None):
    """({kind: count}, [(kind, document id)] best first within each kind, {numbers of the
    groups some candidate matched}).

    The kinds but the numerous one: every record matching any of the words, those matching
    every word first, then by how much the words they match weigh, then by relevance; counted
    in full. The numerous kind: those matching every word; if fewer than a page (`few_per_kind`
    less the SPARE) do, after them those matching any of the rarer words, or if none of those,
    of the others (`_some_words`), and the count is of these. Its count stops at
    COUNTED_UP_TO + 1; without `counted`, its matches are not counted (its count is then
    missing)."""
    if not plan.live:
        return {}, [], set()
    engine = _TSVector if connection.vendor == "postgresql" else _FTS5
    only = [k for k in kinds_wanted if k != NUMEROUS]
    counts, ranked, found = {}, [], set()
    with connection.cursor() as cursor:
        if only or not kinds_wanted:
            sql, params = engine(plan).few_by_group(only)
            cursor.execute(sql, params)
            matches = {}
            for n, kind, pk, rank in cursor.fetchall():
                groups, total = matches.get((kind, pk), ((), 0.0))
                matches[(kind, pk)] = ((*groups, n), total + rank)
            # How many of these documents hold each word is known exactly now: it weighs the
            # words better than the vocabulary's estimate (a phrase, a word of many forms).
            held = Counter(n for groups, _ in matches.values() for n in groups)
            found.update(held)
            plan.weigh(held)
            best = sorted(
                matches.items(),
                key=lambda item: (*plan.standing(item[1][0]), item[1][1], item[0][1]),
            )
            shown = Counter()
            for (kind, pk), _ in best:
                counts[kind] = counts.get(kind, 0) + 1
                shown[kind] += 1
                if shown[kind] <= (few_per_kind or per_kind):
                    ranked.append((kind, pk))
        if not kinds_wanted or NUMEROUS in kinds_wanted:
            ids = _numerous(cursor, engine(plan), per_kind, counted, counts)
            if ids:
                found.update(plan.live)
            page = few_per_kind - SPARE if few_per_kind else per_kind
            if len(ids) < page and len(plan.live) > 1:
                ids = _some_words(cursor, engine, plan, ids, page, per_kind, counted, counts)
            ranked += [(NUMEROUS, pk) for pk in ids]
    return counts, ranked, found


def _some_words(cursor, engine, plan, ids, page, per_kind, counted, counts):
    """`ids` (those matching every word) followed by the numerous kind's records matching some
    of the words, from these in turn until a page is filled: every word but the GENERIC ones;
    any of the rarer words (GENERIC ones last); any of the others; each in the index's order
    (no name holds words that no record holds all of). The ranking puts those
    holding more of the words, and words that weigh more, first; the count is exact when every
    match was read, else the largest of these counts."""
    live = plan.live
    specific = [n for n in live if not GENERIC.issuperset(plan.typed[n])]
    rare = [n for n in plan.rare() if n in specific] or plan.rare()
    steps = [(specific, True)] if 0 < len(specific) < len(live) else []
    steps += [(rare, False), ([n for n in live if n not in rare], False)]
    found, every_one_read = list(ids), True
    for only, every in steps:
        if not only or len(found) >= page:
            continue
        before = counts.get(NUMEROUS, 0)
        queries = engine(plan, only, every)
        more = _numerous(cursor, queries, per_kind, counted, counts, by_name=False)
        every_one_read &= counts.get(NUMEROUS, 0) <= per_kind
        counts[NUMEROUS] = max(before, counts.get(NUMEROUS, 0))
        found = list(dict.fromkeys([*found, *more]))
    if counted and found and every_one_read and len(found) <= per_kind:
        counts[NUMEROUS] = len(found)  # all of them read: counted exactly
    return found[:per_kind]


def _numerous(cursor, queries, per_kind, counted, counts, by_name=True):
    """The best ids of the numerous kind for one query, best by name first (unless not
    `by_name`: in the index's order), counting its matches into `counts` if `counted`."""
    if counted:
        sql, params = queries.numerous_matches()
        cursor.execute(f"SELECT count(*) FROM ({sql}) AS matches", [*params, COUNTED_UP_TO + 1])
        if not (count := cursor.fetchone()[0]):
            return []
        counts[NUMEROUS] = count
        if count <= per_kind:  # every match is read: the ranking orders them by name
            return _fetch_ids(cursor, queries.numerous_in_order(), per_kind)
    if not by_name:
        return _fetch_ids(cursor, queries.numerous_in_order(), per_kind)
    ids = _fetch_ids(cursor, queries.numerous_by_name(per_kind), per_kind)
    if len(ids) < per_kind:
        ids += _fetch_ids(cursor, queries.numerous_in_order(), 2 * per_kind)
    return list(dict.fromkeys(ids))[:per_kind]


def _fetch_ids(cursor, query, limit):
    sql, params = query
    cursor.execute(sql, [*params, limit])
    return [pk for (pk,) in cursor.fetchall()]


@dataclass
class Result:
    kind: object
    title: str
    url: str
    title_html: str
    snippet_html: str
    why: str
    tier: int
    name: str = ""  # the name it matched by (its title or another), if any
    object_id: int = 0
    matched: tuple = ()  # the numbers of the query's groups it holds
    complete: bool = True  # it holds every word that matched anything
    weight: float = 0.0  # how much the words it holds weigh together
    figure: object = None  # for a figure: its value, period and scope (set by the view)

    @property
    def standing(self):
        """Its place among results: every word first, then the weight of its words, then how
        it matched (exact name first)."""
        return (not self.complete, -self.weight, self.tier)


@dataclass
class Group:
    kind: object
    count: int
    results: list
    more: bool = False  # more matches than `count` (COUNTED_UP_TO): they were not all counted

    @property
    def partial(self):
        """Some of its results hold only some of the words."""
        return not all(result.complete for result in self.results)

    @property
    def label(self):
        return self.kind.label if self.count == 1 else self.kind.label_plural


@dataclass
class Outcome:
    query: str
    plan: Plan
    groups: list
    total: int
    suggestion: str = ""

    @property
    def more(self):
        return any(g.more for g in self.groups)

    def summary(self):
        parts = [f"{g.count:,}{'+' if g.more else ''} {g.label}" for g in self.groups]
        return ", ".join(parts)

    def result_of(self, kind_prefix):
        """The best result of a kind, or None."""
        group = next((g for g in self.groups if g.kind.prefix == kind_prefix), None)
        return group.results[0] if group else None


def highlight(text, plan, limit=None):
    """`text` escaped, with the words the query matched marked."""
    if plan.marks is None:  # worked out once for all the results of a query
        wanted = [a for group in plan.groups for a in group]
        singles = {a.words[0] for a in wanted if len(a.words) == 1 and not a.prefix}
        singles |= {w for a in wanted if len(a.words) > 1 for w in a.words}
        prefixes = [a.words[0] for a in wanted if a.prefix]
        plan.marks = (singles, prefixes, _pattern(singles, prefixes))
    singles, prefixes, pattern = plan.marks
    before = after = ""
    if limit and len(text) > limit:
        first = next(_hits(text, singles, prefixes, pattern), (0, 0))[0]
        start = max(0, first - limit // 3)
        before, after, text = ("…" if start else ""), "…", text[start : start + limit]
    out, last = [before], 0
    for start, end in _hits(text, singles, prefixes, pattern):
        out.append(html.escape(text[last:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        last = end
    out.append(html.escape(text[last:]) + after)
    return mark_safe("".join(out))


def _hits(text, singles, prefixes, pattern=None):
    """(start, end) of each word of `text` that is one of `singles` or starts with one of
    `prefixes`, once folded. Text in ASCII folds to its lower case, letter for letter, so one
    pattern (`_pattern`) finds them all; other text is folded word by word (_hits_by_word)."""
    if not text.isascii():
        return _hits_by_word(text, singles, prefixes)
    pattern = pattern or _pattern(singles, prefixes)
    if pattern is None:
        return iter(())
    return (m.span() for m in pattern.finditer(text.lower()))


def _pattern(singles, prefixes):
    choices = [re.escape(w) for w in sorted(singles)]
    choices += [re.escape(p) + r"[^\W_]*" for p in prefixes]
    if not choices:
        return None
    return re.compile(r"(?<![^\W_])(?:" + "|".join(choices) + r")(?![^\W_])")


def _hits_by_word(text, singles, prefixes):
    return (
        m.span()
        for m in WORD.finditer(text)
        if (word := fold(m.group())) in singles or any(word.startswith(p) for p in prefixes)
    )


def _rank(document, plan, matched, query_folded, title_tokens, everything):
    """(tier, why, name) by the groups `matched`: 0 exact name, 1 name starts with or holds
    the words, 2 another name, 3 other text, 4 only through a typo; why it matched when it was
    not by name; the name (title or other) that holds the most of the words, if one holds
    any."""
    groups = [plan.groups[n] for n in matched]
    title = Tokens(title_tokens)

    def holds(tokens, typo_ok=False):
        return all(
            any(a.matches(tokens) for a in group if typo_ok or not a.typo) for group in groups
        )

    names = [(document.title, title)]
    names += [(value, Tokens(words(value))) for _, value in document.name_labels]
    weight, name = max(((_weight_held(t, plan, matched), n) for n, t in names), key=_first)
    name = name if weight else ""
    if not groups or not holds(everything):
        return 4, "", name
    if holds(title):
        if fold(document.title) == query_folded or _covered(title_tokens, plan):
            return 0, "", document.title
        return 1, "", document.title
    for label, value in document.name_labels:
        if holds(Tokens(title_tokens + words(value))):
            return 2, f"matched {label} {value}", value
    return 3, "matched in its text", name


def _first(item):
    return item[0]


def _weight_held(tokens, plan, matched):
    """The weight of the groups of `matched` that `tokens` hold."""
    return sum(plan.weights[n] for n in matched if any(a.matches(tokens) for a in plan.groups[n]))


def _covered(tokens, plan):
    """Is every word of the title one the query asked for (an exact name)?"""
    asked = [a for group in plan.groups for a in group if not a.typo]
    return all(
        any(t in a.words or (a.prefix and t.startswith(a.words[-1])) for a in asked) for t in tokens
    )


def run(query, *, kinds_wanted=(), per_kind=10, version=0):
    vocab = vocabulary(version)
    plan = understand(query, vocab)
    counts, candidates, found = _candidates(
        plan,
        list(kinds_wanted),
        max(per_kind, CANDIDATES_PER_KIND),
        few_per_kind=per_kind + SPARE,
    )
    groups = []
    for kind, ranked in _ranked(plan, candidates):
        results = ranked[:per_kind]
        for result in results:
            result.title_html = highlight(result.title, plan)
            result.snippet_html = highlight(result.snippet_html, plan, limit=180)
            found.update(result.matched)
        count = counts.get(kind.prefix, 0)
        groups.append(Group(kind, min(count, COUNTED_UP_TO), results, count > COUNTED_UP_TO))
    groups.sort(key=lambda g: (*g.results[0].standing, g.kind.search_order))
    plan.unmatched = [n for n in range(len(plan.groups)) if n not in found]
    outcome = Outcome(query, plan, groups, sum(g.count for g in groups))
    if not outcome.total:
        outcome.suggestion = did_you_mean(plan, vocab)
    return outcome


def _ranked(plan, candidates):
    """[(kind, [Result] best first)], in the kinds' order; the results' highlights are left
    to the caller (their body text stands in the snippet until then)."""
    documents = SearchDocument.objects.in_bulk([doc_id for _, doc_id in candidates])
    query_folded = " ".join(plan.words)
    by_kind = {}
    for position, (kind_prefix, doc_id) in enumerate(candidates):
        document = documents.get(doc_id)
        kind = kind_named(kind_prefix)
        if document is None or kind is None:
            continue
        title = words(document.title)
        everything = Tokens(title + words(document.names) + words(document.body))
        matched = plan.matched_in(everything)
        tier, why, name = _rank(document, plan, matched, query_folded, title, everything)
        result = Result(
            kind=kind,
            title=document.title,
            url=document.url,
            title_html="",
            snippet_html=document.body,
            why=why,
            tier=tier,
            name=name,
            object_id=document.object_id,
            matched=matched,
            complete=len(matched) == len(plan.live),
            weight=-plan.standing(matched)[1],
        )
        by_kind.setdefault(kind_prefix, []).append((result.standing, position, result))
    return [
        (kind, [item[2] for item in sorted(by_kind[kind.prefix], key=lambda item: item[:2])])
        for kind in kinds()
        if kind.prefix in by_kind
    ]


def did_you_mean(plan, vocab):
    """The query with each unknown word replaced by the nearest known one, its question words
    kept (so that the question is answered), if that finds anything."""
    unknown = [w for w in plan.words if w.isalpha() and not vocab.knows(w)]
    if any(len(w) < 3 for w in unknown):
        return ""
    near = vocab.near({w: 2 if len(w) >= 5 else 1 for w in unknown})
    replaced = []
    changed = False
    for word in plan.all_typed:
        if word not in near:
            replaced.append(word)
            continue
        nearest = [term for term in near[word] if term not in vocab.stopwords]
        if not nearest:
            return ""
        replaced.append(max(nearest, key=lambda t: (vocab.documents[t], t)))
        changed = True
    if not changed:
        return ""
    suggestion = " ".join(replaced)
    counts, _, _ = _candidates(understand(suggestion, vocab), [], 1)
    return suggestion if counts else ""


def matching_ids(query, *, kind, version=0):
    """Ids of the records of `kind` that match `query` (the directory's text filter): every
    word that any document holds."""
    plan = understand(query, vocabulary(version))
    if not plan.live:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT object_id FROM core_searchdocument "
                f"WHERE kind = %s AND vector @@ to_tsquery('{PG_CONFIG}', %s)",
                [kind.prefix, plan.tsquery()],
            )
        else:
            cursor.execute(
                f"SELECT d.object_id FROM {FTS_TABLE} f JOIN core_searchdocument d "
                f"ON d.id = f.rowid WHERE {FTS_TABLE} MATCH %s",
                [f'{_FTS5(plan).text} AND kind : "{kind.prefix}"'],
            )
        return [row[0] for row in cursor.fetchall()]


def suggestions(query, *, version=0, limit=8):
    """What the box may be looking for, as the reader types: the search's best results, by the
    same matching. Nothing is counted or highlighted, which a results page needs and a list of
    names does not."""
    plan = understand(query, vocabulary(version))
    _, candidates, _ = _candidates(
        plan, [], CANDIDATES_PER_KIND, counted=False, few_per_kind=limit + SPARE
    )
    best = sorted(
        (
            (*result.standing, kind.search_order, result.title, result)
            for kind, ranked in _ranked(plan, candidates)
            for result in ranked[:limit]
        ),
        key=lambda item: item[:-1],
    )[:limit]
    return [
        {"title": r.title, "kind": str(r.kind.label).capitalize(), "url": r.url} for *_, r in best
    ]
