from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from simple_history.models import HistoricalRecords

from bpo_portal.core.links import url_for
from bpo_portal.core.models import TimeStampedModel
from bpo_portal.core.prefetching import plain_rows

web_address = URLValidator(
    schemes=["http", "https"], message="Give a web address starting with http:// or https://."
)


class Source(TimeStampedModel):
    """Where facts come from: an article, a report, a dataset, a press release, a web page or an
    interview. The knowledge base started from five articles kept as files beside it; a source
    found later is recorded with its address, publisher and date."""

    class Kind(models.TextChoices):
        ARTICLE = "article", "Article"
        REPORT = "report", "Report"
        DATASET = "dataset", "Dataset"
        PRESS_RELEASE = "press_release", "Press release"
        WEB_PAGE = "web_page", "Web page"
        INTERVIEW = "interview", "Interview"

    class Precision(models.TextChoices):
        YEAR = "year", "Year"
        MONTH = "month", "Month"
        DAY = "day", "Day"

    slug = models.SlugField(unique=True)
    kind = models.CharField(max_length=15, choices=Kind, default=Kind.ARTICLE)
    title = models.CharField(max_length=200)
    title_is_ours = models.BooleanField(
        default=False,
        help_text="Ticked when the source has no title of its own and this one is ours.",
    )
    publisher = models.CharField(max_length=200, blank=True)
    authors = models.CharField(max_length=300, blank=True)
    published = models.DateField(
        null=True, blank=True, help_text="Give the first day of the month or year if less is known."
    )
    published_precision = models.CharField(
        max_length=5,
        choices=Precision,
        default=Precision.DAY,
        help_text="How much of the date is known.",
    )
    url = models.URLField(
        max_length=500, blank=True, validators=[web_address], verbose_name="address (URL)"
    )
    accessed = models.DateField(null=True, blank=True, help_text="When we read it at that address.")
    archive_url = models.URLField(
        max_length=500, blank=True, validators=[web_address], verbose_name="archived copy (URL)"
    )
    language = models.CharField(max_length=35, default="English")
    summary = models.TextField(help_text="One line, in our words.")
    what_is_known = models.TextField(
        blank=True,
        verbose_name="what is known of it",
        help_text="Where details are missing: what is known of the source (where its title "
        "comes from, who wrote it) and why the rest is not, in our words. Shown on its page in "
        "place of the bare “not recorded” lines.",
    )
    file_name = models.CharField(
        max_length=100,
        blank=True,
        help_text="For the articles kept beside the knowledge base; for curators only, never "
        "shown to readers.",
    )
    headings = models.JSONField(
        default=list,
        blank=True,
        help_text="Section headings in the order they appear, where the source has them; a "
        "citation of a section must then name one of them.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["created", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~models.Q(url=""),
                name="source_url_unique",
                violation_error_message="Another source has this address.",
            ),
            models.UniqueConstraint(
                fields=["file_name"],
                condition=~models.Q(file_name=""),
                name="source_file_name_unique",
                violation_error_message="Another source has this file.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return url_for("sources:detail", self.slug)

    @property
    def display_date(self):
        """The publication date as precisely as it is known, e.g. “March 2024”."""
        if self.published is None:
            return ""
        if self.published_precision == self.Precision.YEAR:
            return str(self.published.year)
        if self.published_precision == self.Precision.MONTH:
            return self.published.strftime("%B %Y")
        return f"{self.published.day} {self.published.strftime('%B %Y')}"

    def clean(self):
        super().clean()
        if not isinstance(self.headings, list) or not all(
            isinstance(h, str) for h in self.headings
        ):
            raise ValidationError({"headings": 'Give a list of headings, e.g. ["Findings"].'})
        if self.url:
            duplicate = Source.objects.filter(url=self.url).exclude(pk=self.pk).first()
            if duplicate is not None:
                raise ValidationError(
                    {
                        "url": format_html(
                            'This address is already recorded as <a href="{}">{}</a>.',
                            reverse("admin:sources_source_change", args=[duplicate.pk]),
                            duplicate,
                        )
                    }
                )


class Citation(TimeStampedModel):
    """Ties one fact (any cited row) to where in a source it comes from: a section heading, a
    page, a table, or a short locator in our words."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    section = models.CharField(
        max_length=200, blank=True, help_text="A section heading of the source, if it has them."
    )
    page = models.CharField(max_length=20, blank=True, help_text="e.g. 14, or 14–15.")
    table = models.CharField(max_length=100, blank=True, help_text="e.g. Table 3.")
    locator = models.CharField(
        max_length=200, blank=True, help_text="Where else to look, in our words."
    )
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
                fields=["content_type", "object_id", "source", "section", "page", "table", "field"],
                name="citation_unique_per_fact_place_field",
                violation_error_message="This fact already cites that place for that field.",
            ),
            models.CheckConstraint(
                condition=~models.Q(section="", page="", table="", locator=""),
                name="citation_names_a_place",
                violation_error_message="Say where in the source: a section, a page, a table "
                "or a short locator.",
            ),
        ]

    def __str__(self):
        return f"{self.place} ({self.field or 'whole fact'})"

    @property
    def place(self):
        """Where in the source, in words: “section “Findings”, page 14”."""
        parts = []
        if self.section:
            parts.append(f"section “{self.section}”")
        if self.page:
            parts.append(f"page {self.page}")
        if self.table:
            parts.append(self.table)
        if self.locator:
            parts.append(self.locator)
        return ", ".join(parts)

    def clean(self):
        super().clean()
        headings = self.source.headings if self.source_id else []
        if self.section and headings and self.section not in headings:
            # A heading typed in other letter case (or spacing) is the source's own: stored as
            # the source spells it.
            typed = " ".join(self.section.split()).casefold()
            same = [h for h in headings if " ".join(h.split()).casefold() == typed]
            if len(same) == 1:
                self.section = same[0]
            else:
                listed = "; ".join(f"“{heading}”" for heading in headings)
                raise ValidationError(
                    {
                        "section": f"“{self.section}” is not a section heading of this source. "
                        f"Its headings: {listed}."
                    }
                )
        if self.section and self.source_id and not headings:
            raise ValidationError(
                {"section": "This source has no section headings: give a page, table or locator."}
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

    def cited(self):
        """This fact's citations: those read by prefetch_citations() or attach_citations(), else
        through the manager (prefetched by name, or one query)."""
        loaded = self.__dict__.get(LOADED)
        return self.citations.all() if loaded is None else loaded

    def citations_for(self, field=""):
        """Citations supporting one field, from prefetched data when available."""
        return [c for c in self.cited() if c.field == field]


# The attribute holding a fact's loaded citations as a plain list: prefetching into the
# manager's cache instead builds a filtered queryset per fact (the largest cost of a page that
# shows many cited facts).
LOADED = "loaded_citations"


def shown_citations():
    """Citations with their sources, without the timestamps no page shows."""
    return Citation.objects.select_related("source").defer(
        "created", "modified", "source__created", "source__modified"
    )


def prefetch_citations(path=""):
    """Prefetch the citations of `path` (e.g. "service_links__") with their sources: one query."""
    return models.Prefetch(f"{path}citations", queryset=shown_citations(), to_attr=LOADED)


def attach_citations(facts, sources=None):
    """Load the citations (with their sources) of `facts`, of any kinds, in one query, as
    prefetch_citations() would: a page showing a record and its links reads them all
    at once instead of one query per kind of link. `sources` ({pk: Source}, read beforehand)
    gives the citations their sources without joining each one to its source; a source missing
    from it (added since it was read) is read with the others missing, in one more query."""
    facts = list(facts)
    if not facts:
        return
    types = ContentType.objects.get_for_models(*{type(fact) for fact in facts})
    wanted = {(types[type(fact)].pk, fact.pk) for fact in facts}
    if sources is None:
        condition = models.Q()
        for type_pk, pks in _pks_of_type(wanted).items():
            condition |= models.Q(content_type_id=type_pk, object_id__in=pks)
        citations = list(shown_citations().filter(condition))
    else:
        # Each kind's own ids: one index lookup per fact, whatever the database's statistics.
        citations = plain_rows(
            Citation,
            *(
                {"content_type_id": [type_pk], "object_id": pks}
                for type_pk, pks in _pks_of_type(wanted).items()
            ),
        )
        if missing := {c.source_id for c in citations} - sources.keys():
            sources = sources | Source.objects.in_bulk(missing)
        for citation in citations:
            citation.source = sources[citation.source_id]
    found = {}
    for citation in citations:
        found.setdefault((citation.content_type_id, citation.object_id), []).append(citation)
    for fact in facts:
        setattr(fact, LOADED, found.get((types[type(fact)].pk, fact.pk), []))


def _pks_of_type(pairs):
    """{content type pk: [object pks]} of (content type pk, object pk) pairs."""
    pks_of_type = {}
    for type_pk, pk in sorted(pairs):
        pks_of_type.setdefault(type_pk, []).append(pk)
    return pks_of_type


def cited_sources(fact):
    """The sources of a fact in one line, for exports (citations prefetched with their sources)."""
    return "; ".join(f"{c.source.title} — {c.place}" for c in fact.cited())
