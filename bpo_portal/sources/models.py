from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from bpo_portal.core.links import url_for
from bpo_portal.core.models import TimeStampedModel


class Source(TimeStampedModel):
    """One of the articles the knowledge base is taken from."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    title_is_ours = models.BooleanField(
        default=False,
        help_text="Ticked when the article has no title of its own and this one is ours.",
    )
    summary = models.TextField(help_text="One line, in our words.")
    file_name = models.CharField(max_length=100, unique=True)
    headings = models.JSONField(
        default=list,
        help_text="Section headings in the order they appear; citations must name one of them.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["file_name"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return url_for("sources:detail", self.slug)


class Citation(TimeStampedModel):
    """Ties one fact (any cited row) to the article and section it comes from."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    section = models.CharField(max_length=200, help_text="A section heading of the source.")
    field = models.CharField(
        max_length=50,
        blank=True,
        help_text="The field of the fact this supports (e.g. founded_year); blank: the whole fact.",
    )
    note = models.TextField(help_text="What the source says, in our words.")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    fact = GenericForeignKey("content_type", "object_id")
    history = HistoricalRecords()

    class Meta:
        ordering = ["content_type_id", "object_id", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "source", "section", "field"],
                name="citation_unique_per_fact_section_field",
                violation_error_message="This fact already cites that section for that field.",
            )
        ]

    def __str__(self):
        return f"{self.section} ({self.field or 'whole fact'})"

    def clean(self):
        super().clean()
        if self.source_id and self.section and self.section not in self.source.headings:
            raise ValidationError(
                {"section": f"“{self.section}” is not a section heading of this source."}
            )


class Cited(models.Model):
    """Abstract base for every fact the site shows: each carries its citations.

    Each concrete fact model also declares `history = HistoricalRecords()`, so every change is
    kept with who made it and when, and can be reverted in the admin.
    """

    citations = GenericRelation(Citation)

    class Meta:
        abstract = True

    def describe(self):
        """A label for the fact on the sources pages; child facts name their parent too."""
        return str(self)

    def citations_for(self, field=""):
        """Citations supporting one field, from prefetched data when available."""
        return [c for c in self.citations.all() if c.field == field]


def prefetch_citations(path=""):
    """Prefetch the citations of `path` (e.g. "service_links__") with their sources: one query."""
    return models.Prefetch(f"{path}citations", queryset=Citation.objects.select_related("source"))


def cited_sources(fact):
    """The sources of a fact in one line, for exports (citations prefetched with their sources)."""
    return "; ".join(f"{c.source.title} — {c.section}" for c in fact.citations.all())
