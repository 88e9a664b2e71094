from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from bpo_portal.core.journal import JournalledQuerySet


class TimeStampedModel(models.Model):
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    # Bulk writes (update, bulk_create, bulk_update) are journalled like saves.
    objects = JournalledQuerySet.as_manager()

    class Meta:
        abstract = True


class LoadedRecord(models.Model):
    """A ledger of what `load_knowledge` has created, by natural key.

    A key present here whose row is gone was deleted by a curator, so it is not loaded again.
    """

    key = models.CharField(max_length=400, unique=True)
    loaded = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key"]

    def __str__(self):
        return self.key


class DataVersion(models.Model):
    """One row whose number goes up whenever curated data changes, with the number at which
    each table last changed.

    Cached aggregates are keyed by the number, so every worker stops using them after any save;
    a cached page is kept while none of the tables it read has changed since it was computed.
    """

    number = models.PositiveBigIntegerField(default=0)
    # {table: number of the last change to it}; "*" for a change that may touch any table.
    changed = models.JSONField(default=dict)
    # The first journal entry of the transaction that made this number: a transaction moves
    # the number once, however many entries it writes.
    first_entry = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "data version"

    def __str__(self):
        return f"Data version {self.number}"


class JournalEntry(models.Model):
    """One write to knowledge: a row of a table (or, with no id, any row of it; the table "*":
    any row of any table), written in the same transaction as the change (core/journal.py).
    The stores derived from the knowledge read it to catch up."""

    table = models.CharField(max_length=100)
    object_id = models.BigIntegerField(null=True, blank=True)  # the row may be gone
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "journal entries"

    def __str__(self):
        return f"{self.table} {self.object_id or 'every row'}"


class SearchDocument(models.Model):
    """One record of any kind as site search sees it: its name, its other names, its text.

    Kept in step with the records by core/search.py; on SQLite an FTS5 table indexes the same
    rows, on PostgreSQL a generated tsvector column with a GIN index.
    """

    kind = models.CharField(max_length=40)  # the kind's prefix, e.g. "provider"
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300)
    names = models.TextField(blank=True, help_text="Other names, one per line.")
    name_labels = models.JSONField(default=list, help_text="What each other name is.")
    body = models.TextField(blank=True)
    url = models.CharField(max_length=400)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique")
        ]

    def __str__(self):
        return f"{self.kind}: {self.title}"


class SearchTerm(models.Model):
    """A word of the search index and how many documents hold it: the vocabulary that typo
    correction, spelling variants and "did you mean" choose from."""

    term = models.CharField(max_length=100, unique=True)
    documents = models.IntegerField(default=0)

    class Meta:
        ordering = ["term"]

    def __str__(self):
        return self.term


class Synonym(TimeStampedModel):
    """Words search treats as the same: an abbreviation and its expansion, or two spellings of
    one thing. Editable by curators; changes are kept in history."""

    term = models.CharField(max_length=100, unique=True, help_text="e.g. “KPO”.")
    alternatives = models.JSONField(
        default=list,
        help_text="Words or phrases meaning the same, e.g. [“knowledge process outsourcing”].",
    )
    note = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["term"]

    def __str__(self):
        return self.term

    def clean(self):
        super().clean()
        alternatives = self.alternatives
        if not isinstance(alternatives, list) or not all(
            isinstance(a, str) and a.strip() for a in alternatives
        ):
            raise ValidationError(
                {"alternatives": 'Give a list of words or phrases, e.g. ["help desk"].'}
            )


class StopWord(TimeStampedModel):
    """A question or filler word search does not match ("offers", "tell"), beside the grammar
    words it always leaves out. Editable by curators; changes are kept in history."""

    word = models.CharField(max_length=40, unique=True, help_text="One word, e.g. “offers”.")
    note = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["word"]

    def __str__(self):
        return self.word

    def clean(self):
        super().clean()
        self.word = self.word.strip().lower()
        if not self.word.isalnum():
            raise ValidationError({"word": "Give one word, letters and digits only."})


class Change(models.Model):
    """One change to the knowledge base, as the public sees it: which record, what happened,
    which of its fields, when. Written with each history record; who made it stays in the
    history, for curators only."""

    class Action(models.TextChoices):
        ADDED = "+", "Added"
        CHANGED = "~", "Changed"
        REMOVED = "-", "Removed"

    date = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=400, blank=True)
    action = models.CharField(max_length=1, choices=Action)
    fields = models.JSONField(default=list, help_text="The fields that changed, by name.")

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.get_action_display()} {self.kind} {self.title}"
