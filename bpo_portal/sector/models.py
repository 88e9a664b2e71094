from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from bpo_portal.core.journal import JournalledQuerySet
from bpo_portal.core.kinds import kind_named
from bpo_portal.core.links import url_for
from bpo_portal.core.models import TimeStampedModel
from bpo_portal.directory.models import MAX_YEAR, MIN_YEAR, Organisation
from bpo_portal.sources.models import Cited


def year_between(field):
    return Q(**{f"{field}__isnull": True}) | Q(
        **{f"{field}__gte": MIN_YEAR, f"{field}__lte": MAX_YEAR}
    )


class IncentiveQuerySet(JournalledQuerySet):
    def enacted(self):
        return self.filter(status=Incentive.Status.ENACTED)


class Incentive(Cited, TimeStampedModel):
    class Kind(models.TextChoices):
        TAX = "tax", "Tax measure"
        SUBSIDY = "subsidy", "Subsidy"
        ECONOMIC_ZONE = "economic_zone", "Economic zone"
        TECHNOLOGY_PARK = "technology_park", "Technology park"
        CONNECTIVITY = "connectivity", "Connectivity"
        TRAINING = "training", "Training and education"
        REGULATION = "regulation", "Regulation"
        PARTNERSHIP = "partnership", "Public–private partnership"
        LIBERALISATION = "liberalisation", "Liberalisation"
        INVESTMENT = "investment", "Investment promotion"

    class Status(models.TextChoices):
        ENACTED = "enacted", "Enacted measure"
        RECOMMENDED = "recommended", "Recommendation only"

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    kind = models.CharField(
        max_length=20,
        choices=Kind,
        help_text="Our grouping: the sources name each measure without sorting them into kinds.",
    )
    status = models.CharField(max_length=12, choices=Status, default=Status.ENACTED)
    body = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incentives",
        help_text="The body responsible, where the sources name one.",
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.TextField(help_text="In our words.")

    objects = IncentiveQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=year_between("year"),
                name="incentive_year_range",
                violation_error_message=f"Year must be between {MIN_YEAR} and {MAX_YEAR}.",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return url_for("sector:incentive_detail", self.slug)


class Unit(models.TextChoices):
    USD_BILLION = "usd_bn", "US$ billion"
    # The source writes "$" without naming the currency: shown as it writes it.
    DOLLAR_BILLION = "dollar_bn", "$ billion (currency not named)"
    PERCENT = "percent", "% (share)"
    PERCENT_GROWTH = "percent_growth", "% growth"
    YEARS = "years", "years"
    PEOPLE = "people", "people"


# Units that measure the same thing: US$ billion and $ billion (currency not named) are both
# money, so figures in either may share a metric.
UNIT_KINDS = {"usd_bn": "money", "dollar_bn": "money"}


def unit_kind(unit):
    return UNIT_KINDS.get(unit, unit)


def unit_label(unit):
    return str(dict(Unit.choices).get(unit, unit))


class Metric(TimeStampedModel):
    """What a statistic measures; figures of one metric are compared and charted together."""

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(unique=True)
    description = models.TextField()
    unit = models.CharField(
        max_length=20,
        choices=Unit,
        help_text="What its figures are given in; every figure of the metric must fit it "
        "(US$ billion and $ billion are both money).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.pk is None or not self.unit:
            return
        figures = Statistic.objects.filter(metric_id=self.pk)
        units = set(figures.values_list("unit", flat=True))
        misfits = sorted(unit_label(u) for u in units if unit_kind(u) != unit_kind(self.unit))
        if misfits:
            named = " and ".join(misfits)
            raise ValidationError(
                {
                    "unit": f"Figures of “{self.name}” are in {named}, which does not fit "
                    f"{unit_label(self.unit)}: give those figures in {unit_label(self.unit)} "
                    "(or move them to a metric they fit) before changing its unit."
                }
            )

    def get_absolute_url(self):
        return url_for("sector:statistic_list") + f"?metric={self.slug}"


class StatisticQuerySet(JournalledQuerySet):
    def current(self):
        """Figures no newer figure has replaced."""
        return self.filter(superseded_by__isnull=True)

    def stale(self, *, years=5):
        """Current figures for periods that ended more than `years` years ago."""
        limit = timezone.now().year - years
        return (
            self.current()
            .filter(year__lt=limit)
            .exclude(period_kind__in=[Statistic.PeriodKind.SPAN, Statistic.PeriodKind.NOT_STATED])
        )


class Statistic(Cited, TimeStampedModel):
    Unit = Unit

    class Qualifier(models.TextChoices):
        EXACT = "", "as stated"
        AROUND = "around", "around"
        OVER = "over", "over"
        UP_TO = "up_to", "up to"

    class PeriodKind(models.TextChoices):
        NOT_STATED = "not_stated", "Not stated"
        CALENDAR_YEAR = "calendar_year", "Calendar year"
        YEAR = "year", "A year (calendar or fiscal not stated)"
        FISCAL_YEAR = "fiscal_year", "Fiscal year (July–June)"
        PARTIAL_FISCAL = "partial_fiscal", "Part of a fiscal year"
        BY_YEAR = "by_year", "By a year"
        SPAN = "span", "Span of years"

    slug = models.SlugField(unique=True, max_length=120)
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="statistics")
    value = models.DecimalField(max_digits=14, decimal_places=3)
    value_upper = models.DecimalField(
        max_digits=14, decimal_places=3, null=True, blank=True, help_text="Upper end of a range."
    )
    unit = models.CharField(max_length=20, choices=Unit)
    qualifier = models.CharField(max_length=10, choices=Qualifier, blank=True)
    period_kind = models.CharField(max_length=20, choices=PeriodKind, default=PeriodKind.NOT_STATED)
    year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Calendar year, or the year a fiscal year ends (FY2022 = July 2021–June 2022).",
    )
    span_years = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Length of a span such as “the last decade” (10)."
    )
    months = models.CharField(
        max_length=50, blank=True, help_text="Months of a partial period, e.g. July–March."
    )
    period_is_inferred = models.BooleanField(
        default=False,
        help_text="Ticked when the period is our reading (e.g. a fiscal year worked out from "
        "“the same period last year”), not stated by the source.",
    )
    scope = models.CharField(max_length=200, help_text="What the figure covers.")
    origin = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statistics",
        help_text="Who the source attributes the figure to.",
    )
    is_forecast = models.BooleanField(default=False)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        help_text="The older figure of the same metric and scope this one replaces: a later "
        "period, or a revised value for the same period from a newer source. Both stay shown.",
    )

    objects = StatisticQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["metric_id", "year", "id"]
        indexes = [models.Index(fields=["year"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(value_upper__isnull=True) | Q(value_upper__gte=F("value")),
                name="statistic_range_ordered",
                violation_error_message="The upper value of a range cannot be below its value.",
            ),
            models.CheckConstraint(
                condition=~Q(unit="percent")
                | (
                    Q(value__gte=0, value__lte=100)
                    & (Q(value_upper__isnull=True) | Q(value_upper__lte=100))
                ),
                name="statistic_percent_share_range",
                violation_error_message="A percentage share must be between 0 and 100.",
            ),
            models.CheckConstraint(
                condition=~Q(unit="percent_growth") | Q(value__gt=-100),
                name="statistic_growth_above_minus_100",
                violation_error_message="A growth rate cannot fall below -100%.",
            ),
            models.CheckConstraint(
                condition=year_between("year"),
                name="statistic_year_range",
                violation_error_message=f"Year must be between {MIN_YEAR} and {MAX_YEAR}.",
            ),
            models.CheckConstraint(
                condition=Q(span_years__isnull=True) | Q(span_years__gte=1, span_years__lte=100),
                name="statistic_span_range",
                violation_error_message="A span must be between 1 and 100 years.",
            ),
        ]

    def __str__(self):
        return f"{self.scope}: {self.display_value}, {self.period_after_value}"

    def clean(self):
        super().clean()
        self.clean_unit()
        older = self.supersedes
        if older is None:
            return
        if older.pk == self.pk:
            raise ValidationError({"supersedes": "A figure cannot replace itself."})
        if older.metric_id != self.metric_id:
            raise ValidationError({"supersedes": "A newer figure replaces one of the same metric."})
        seen = {self.pk}
        while older is not None:  # no circles: A replaces B replaces A
            if older.pk in seen:
                raise ValidationError({"supersedes": "That would make a circle of replacements."})
            seen.add(older.pk)
            older = older.supersedes

    def clean_unit(self):
        """A metric's figures are compared and charted together: each must be in a unit that
        fits what the metric measures."""
        if not self.metric_id or not self.unit:
            return
        metric = self.metric
        if not metric.unit:
            raise ValidationError(
                {"metric": f"“{metric}” does not say what it measures yet: give it its unit first."}
            )
        if unit_kind(metric.unit) == unit_kind(self.unit):
            return
        measures, given = unit_label(metric.unit), unit_label(self.unit)
        raise ValidationError(
            {
                "unit": f"“{metric}” is measured in {measures}, so a figure in {given} does "
                f"not fit it: give the value in {measures}, or choose a metric measured in {given}."
            }
        )

    def get_absolute_url(self):
        return url_for("sector:statistic_list") + f"#{self.slug}"

    @property
    def display_value(self):
        def fmt(number):
            normalised = Decimal(number).normalize()
            return f"{normalised:,f}" if normalised == normalised.to_integral() else str(normalised)

        value = fmt(self.value)
        if self.value_upper is not None:
            value = f"{value}–{fmt(self.value_upper)}"
        if self.unit == self.Unit.USD_BILLION:
            text = f"US${value} billion"
        elif self.unit == self.Unit.DOLLAR_BILLION:
            text = f"${value} billion"
        elif self.unit in (self.Unit.PERCENT, self.Unit.PERCENT_GROWTH):
            text = f"{value}%"
        else:
            text = f"{value} {self.get_unit_display()}"
        if self.qualifier:
            text = f"{self.get_qualifier_display()} {text}"
        return text

    @property
    def display_period(self):
        kind = self.PeriodKind
        if self.period_kind in (kind.CALENDAR_YEAR, kind.YEAR):
            return str(self.year)
        if self.period_kind == kind.FISCAL_YEAR:
            return f"FY{self.year} (July {self.year - 1}–June {self.year})"
        if self.period_kind == kind.PARTIAL_FISCAL:
            return f"{self.months} of FY{self.year}"
        if self.period_kind == kind.BY_YEAR:
            return f"by {self.year}"
        if self.period_kind == kind.SPAN:
            return f"over {self.span_years} years, end year not stated"
        return "not stated in the sources"

    @property
    def period_after_value(self):
        """The period as it reads after the value: "about 22 years, period not stated in the
        sources", not "…, not stated in the sources", which reads as if the figure were."""
        if self.period_kind == self.PeriodKind.NOT_STATED:
            return "period not stated in the sources"
        return self.display_period


class Disagreement(Cited, TimeStampedModel):
    """Where sources differ, or a stated figure does not follow from the figures behind it."""

    class Kind(models.TextChoices):
        FIGURES = "figures", "Sources give different figures"
        DERIVATION = "derivation", "Stated figure does not follow from its inputs"
        PERIOD = "period", "Sources give different periods"
        CLASSIFICATION = "classification", "Sources group or frame it differently"
        QUALITATIVE = "qualitative", "Sources contradict each other"
        NOT_CONTRADICTION = "not_contradiction", "Not a contradiction: different period or scope"

    title = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    kind = models.CharField(max_length=20, choices=Kind)
    summary = models.TextField(help_text="In our words.")
    statistics = models.ManyToManyField(Statistic, blank=True, related_name="disagreements")
    implied_value = models.DecimalField(
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="The value the other figures imply, for a derivation mismatch.",
    )
    implied_unit = models.CharField(max_length=20, choices=Statistic.Unit, blank=True)
    implied_working = models.CharField(
        max_length=200, blank=True, help_text="How the implied value is worked out."
    )
    history = HistoricalRecords(m2m_fields=[statistics])

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return url_for("sector:disagreement_list") + f"#{self.slug}"


class DisagreementSubject(TimeStampedModel):
    """A record a disagreement concerns, named by its kind and slug; its page links here."""

    disagreement = models.ForeignKey(
        Disagreement, on_delete=models.CASCADE, related_name="subjects"
    )
    subject_kind = models.CharField(
        max_length=30, help_text="The kind of record, e.g. provider, challenge, service-line."
    )
    subject_slug = models.SlugField(max_length=220)

    history = HistoricalRecords()

    class Meta:
        ordering = ["disagreement_id", "subject_kind", "subject_slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["disagreement", "subject_kind", "subject_slug"],
                name="disagreement_subject_unique",
                violation_error_message="This disagreement already names that record.",
            )
        ]

    def __str__(self):
        return f"{self.subject_kind} {self.subject_slug}"

    def clean(self):
        super().clean()
        kind = kind_named(self.subject_kind)
        if kind is None or "slug" not in kind.natural_key:
            raise ValidationError({"subject_kind": "Name a kind of record that has a slug."})
        if not kind.model.objects.filter(slug=self.subject_slug).exists():
            raise ValidationError(
                {"subject_slug": f"No {kind.label} has the slug “{self.subject_slug}”."}
            )


class DisagreementSide(Cited, TimeStampedModel):
    disagreement = models.ForeignKey(Disagreement, on_delete=models.CASCADE, related_name="sides")
    position = models.PositiveSmallIntegerField(default=0)
    claim = models.TextField(help_text="What this side says, in our words.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["disagreement_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["disagreement", "position"],
                name="disagreement_side_unique_position",
                violation_error_message="This disagreement already has a side at that position.",
            )
        ]

    def __str__(self):
        return f"Side {self.position}"

    def describe(self):
        return f"{self.disagreement.title} — side {self.position}"

    def get_absolute_url(self):
        return self.disagreement.get_absolute_url()


class Topic(Cited, TimeStampedModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    description = models.TextField(help_text="In our words.")

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class Challenge(Topic):
    history = HistoricalRecords()

    class Meta(Topic.Meta):
        pass

    def get_absolute_url(self):
        return url_for("sector:challenge_list") + f"#{self.slug}"


class Advantage(Topic):
    class Scope(models.TextChoices):
        PAKISTAN = "pakistan", "For clients outsourcing to Pakistan"
        ECONOMY = "economy", "For Pakistan's economy and society"
        GENERAL = "general", "Of outsourcing in general"

    scope = models.CharField(max_length=10, choices=Scope, default=Scope.PAKISTAN)
    history = HistoricalRecords()

    class Meta(Topic.Meta):
        pass

    def get_absolute_url(self):
        return url_for("sector:advantage_list") + f"#{self.slug}"


class Solution(Topic):
    class Actor(models.TextChoices):
        GOVERNMENT = "government", "Government"
        COMPANIES = "companies", "BPO companies"
        BOTH = "both", "Government and companies together"

    actor = models.CharField(max_length=12, choices=Actor)
    challenges = models.ManyToManyField(Challenge, blank=True, related_name="solutions")
    history = HistoricalRecords(m2m_fields=[challenges])

    class Meta(Topic.Meta):
        pass

    def get_absolute_url(self):
        return url_for("sector:challenge_list") + f"#{self.slug}"
