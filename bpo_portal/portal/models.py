from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from bpo_portal.core.models import TimeStampedModel
from bpo_portal.sources.models import web_address


class Suggestion(TimeStampedModel):
    """A reader's correction, waiting for a curator. Nothing a reader writes is published: a
    curator accepts it (and edits the record, with the suggestion named in the record's history)
    or rejects it with a reason; either way it is kept."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    page = models.CharField(max_length=400, help_text="The page the reader was on.")
    record_kind = models.CharField(max_length=40, blank=True)
    record_id = models.PositiveBigIntegerField(null=True, blank=True)
    record_title = models.CharField(max_length=300, blank=True)
    wrong = models.TextField(max_length=2000, verbose_name="what is wrong")
    should_be = models.TextField(max_length=2000, blank=True, verbose_name="what it should be")
    source_url = models.URLField(
        max_length=500, blank=True, validators=[web_address], verbose_name="source (URL)"
    )
    email = models.EmailField(
        blank=True, help_text="For a reply only; never shown on the site.", verbose_name="email"
    )
    address_hash = models.CharField(max_length=64, db_index=True, editable=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.WAITING, db_index=True)
    reason = models.TextField(blank=True, help_text="Why it was rejected (required to reject).")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"Correction #{self.pk} on {self.record_title or self.page}"

    def clean(self):
        super().clean()
        if self.status == self.Status.REJECTED and not self.reason.strip():
            raise ValidationError({"reason": "Say why it is rejected: the reason is kept with it."})
