from django.db import models


class TimeStampedModel(models.Model):
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

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
    """One row whose number goes up whenever curated data changes.

    Cached aggregates are keyed by it, so every worker stops using them after any save.
    """

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "data version"

    def __str__(self):
        return f"Data version {self.number}"
