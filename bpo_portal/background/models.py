from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from bpo_portal.core.links import url_for
from bpo_portal.core.models import TimeStampedModel
from bpo_portal.core.text import shorten
from bpo_portal.directory.models import MAX_YEAR, MIN_YEAR, ServiceLine
from bpo_portal.sector.models import Incentive, Statistic
from bpo_portal.sources.models import Cited


class Event(Cited, TimeStampedModel):
    """A moment in the industry's history, dated only as precisely as the sources date it."""

    class Precision(models.TextChoices):
        YEAR = "year", "A stated year"
        EARLY_DECADE = "early_decade", "Early in a decade"
        MID_DECADE = "mid_decade", "Middle of a decade"
        LATE_DECADE = "late_decade", "Late in a decade"
        DECADE = "decade", "Some time in a decade"
        SPAN_TO_NOW = "span_to_now", "A span up to the time of writing (no end year stated)"
        RELATIVE = "relative", "Not dated (before or after other events)"

    class Scope(models.TextChoices):
        PAKISTAN = "pakistan", "Pakistan's industry"
        GLOBAL = "global", "Outsourcing worldwide"

    title = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    scope = models.CharField(max_length=10, choices=Scope, default=Scope.PAKISTAN)
    description = models.TextField(help_text="In our words.")
    date_text = models.CharField(
        max_length=100, help_text="The date as imprecisely as the source gives it."
    )
    precision = models.CharField(max_length=15, choices=Precision)
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The year, or the first year of the decade named."
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order among events the sources do not date."
    )
    incentive = models.ForeignKey(
        Incentive, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    statistics = models.ManyToManyField(Statistic, blank=True, related_name="events")

    history = HistoricalRecords(m2m_fields=[statistics])

    class Meta:
        ordering = [models.F("year").asc(nulls_last=True), "position", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="event_year_range",
                violation_error_message=f"Year must be between {MIN_YEAR} and {MAX_YEAR}.",
            ),
            models.CheckConstraint(
                condition=Q(precision__in=["span_to_now", "relative"]) | Q(year__isnull=False),
                name="event_dated_needs_year",
                violation_error_message="A dated event needs its year (or its decade's first year).",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return url_for("background:timeline") + f"#{self.slug}"


class Term(Cited, TimeStampedModel):
    """A term the sources define or use as a term of art, defined in our words."""

    term = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    abbreviation = models.CharField(max_length=20, blank=True)
    also = models.JSONField(
        default=list, blank=True, help_text="Other spellings and forms the sources use."
    )
    definition = models.TextField(help_text="In our words.")
    definition_is_ours = models.BooleanField(
        default=False,
        help_text="Ticked when the sources use the term without defining it: the definition is "
        "ours, from how they use it.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["term"]

    def __str__(self):
        return f"{self.term} ({self.abbreviation})" if self.abbreviation else self.term

    def get_absolute_url(self):
        return url_for("background:glossary") + f"#{self.slug}"

    def clean(self):
        super().clean()
        if not isinstance(self.also, list) or not all(isinstance(v, str) for v in self.also):
            raise ValidationError({"also": 'Give a list of other forms, e.g. ["call center"].'})


class Technology(Cited, TimeStampedModel):
    """A technology or trend the sources discuss, and what they say it changes."""

    class Kind(models.TextChoices):
        TECHNOLOGY = "technology", "Technology"
        INFRASTRUCTURE = "infrastructure", "Infrastructure"
        TREND = "trend", "Trend"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    abbreviation = models.CharField(max_length=20, blank=True)
    expansion_is_ours = models.BooleanField(
        default=False, help_text="Ticked when the sources give only the abbreviation."
    )
    kind = models.CharField(max_length=15, choices=Kind, default=Kind.TECHNOLOGY)
    description = models.TextField(help_text="What it is, as the sources describe it.")
    effect = models.TextField(
        blank=True, help_text="What the sources say it changes; empty when they do not say."
    )
    service_lines = models.ManyToManyField(
        ServiceLine, through="TechnologyServiceLine", related_name="technologies"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name_plural = "technologies"

    def __str__(self):
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name

    def get_absolute_url(self):
        return url_for("background:technology_list") + f"#{self.slug}"


class TechnologyServiceLine(Cited, TimeStampedModel):
    """A source ties a technology to a service line it changes."""

    technology = models.ForeignKey(Technology, on_delete=models.CASCADE, related_name="line_links")
    service_line = models.ForeignKey(
        ServiceLine, on_delete=models.PROTECT, related_name="technology_links"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["technology_id", "service_line_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["technology", "service_line"],
                name="technology_service_line_unique",
                violation_error_message="That service line is already tied to this technology.",
            )
        ]

    def __str__(self):
        return f"Technology link #{self.pk}"

    def describe(self):
        return f"{self.technology.name} in {self.service_line.name}"

    def get_absolute_url(self):
        return self.technology.get_absolute_url()


class Statement(Cited, TimeStampedModel):
    """A cited statement about the industry's effects, its markets or its outlook."""

    class Topic(models.TextChoices):
        EMPLOYMENT = "employment", "Jobs"
        PAY = "pay", "Pay and income"
        SKILLS = "skills", "Skills and training"
        FOREIGN_EXCHANGE = "foreign_exchange", "Exports and foreign exchange"
        ECONOMY = "economy", "Growth and the economy"
        SOCIETY = "society", "Society"
        MARKETS = "markets", "Markets served"
        OUTLOOK = "outlook", "Outlook"

    slug = models.SlugField(unique=True, max_length=120)
    topic = models.CharField(max_length=20, choices=Topic)
    text = models.TextField(help_text="One sentence, in our words, saying who says it.")
    statistic = models.ForeignKey(
        Statistic,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        help_text="A figure the statement is about, if any.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["topic", "id"]

    def __str__(self):
        return shorten(self.text, 80)

    def get_absolute_url(self):
        page = "background:outlook" if self.topic == self.Topic.OUTLOOK else "background:effects"
        if self.topic == self.Topic.MARKETS:
            page = "directory:market_list"
        return url_for(page) + f"#{self.slug}"
