from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from bpo_portal.core import search
from bpo_portal.core.caching import current_version
from bpo_portal.core.filtering import id_subquery
from bpo_portal.core.journal import JournalledQuerySet
from bpo_portal.core.kinds import kind_for
from bpo_portal.core.links import url_for
from bpo_portal.core.models import TimeStampedModel
from bpo_portal.sources.models import Cited

MIN_YEAR = 1800
MAX_YEAR = 2100
YEAR_RANGE = Q(founded_year__gte=MIN_YEAR, founded_year__lte=MAX_YEAR)


class Organisation(Cited, TimeStampedModel):
    """A body the sources name: regulator, export board, ministry, research firm, parent group."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", "Government"
        EXPORT_BOARD = "export_board", "Export promotion board"
        CENTRAL_BANK = "central_bank", "Central bank"
        REGULATOR = "regulator", "Regulator"
        MINISTRY = "ministry", "Ministry"
        RESEARCH_FIRM = "research_firm", "Research firm"
        PARENT_GROUP = "parent_group", "Parent group"

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    abbreviation = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=20, choices=Kind)
    kind_is_ours = models.BooleanField(
        default=False, help_text="Ticked when the sources do not say what kind of body it is."
    )
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        if self.abbreviation and self.abbreviation != self.name:
            return f"{self.name} ({self.abbreviation})"
        return self.name

    def get_absolute_url(self):
        return url_for("directory:organisation_detail", self.slug)


class ServiceCategory(Cited, TimeStampedModel):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    name_is_ours = models.BooleanField(
        default=False, help_text="Ticked when no source uses this grouping: it is ours."
    )
    description = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "service categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return url_for("directory:service_list") + f"#{self.slug}"


class ServiceLineQuerySet(JournalledQuerySet):
    def with_provider_counts(self):
        return self.annotate(provider_count=models.Count("provider_links", distinct=True))


class ServiceLine(Cited, TimeStampedModel):
    category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, related_name="service_lines"
    )
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    category_is_ours = models.BooleanField(
        default=False, help_text="Ticked when no source files it under this category: we do."
    )
    description = models.TextField()
    is_emerging = models.BooleanField(
        default=False,
        help_text="Named by the sources as a growth area rather than a service offered today.",
    )

    objects = ServiceLineQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return url_for("directory:service_detail", self.slug)


class ServiceTask(Cited, TimeStampedModel):
    """An example task of a service line, as the sources name it."""

    service_line = models.ForeignKey(ServiceLine, on_delete=models.CASCADE, related_name="tasks")
    name = models.CharField(max_length=150)

    history = HistoricalRecords()

    class Meta:
        ordering = ["service_line_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_line", "name"],
                name="task_unique_per_service_line",
                violation_error_message="This service line already lists that task.",
            )
        ]

    def __str__(self):
        return self.name

    def describe(self):
        return f"{self.service_line.name}: {self.name}"

    def get_absolute_url(self):
        return self.service_line.get_absolute_url()


class AlternativeGrouping(Cited, TimeStampedModel):
    """A source that files a service line under a different category than we do."""

    service_line = models.ForeignKey(
        ServiceLine, on_delete=models.CASCADE, related_name="alternative_groupings"
    )
    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT, related_name="+")
    note = models.TextField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["service_line_id", "category_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_line", "category"],
                name="alternative_grouping_unique",
                violation_error_message="That alternative grouping is already recorded.",
            )
        ]

    def __str__(self):
        return f"Alternative grouping #{self.pk}"

    def describe(self):
        return f"{self.service_line.name} also grouped under {self.category.name}"

    def get_absolute_url(self):
        return self.service_line.get_absolute_url()


class City(Cited, TimeStampedModel):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    province = models.CharField(
        max_length=100, help_text="Reference geography, not taken from the sources."
    )
    latitude = models.DecimalField(max_digits=8, decimal_places=5)
    longitude = models.DecimalField(max_digits=8, decimal_places=5)
    description = models.TextField(help_text="What the sources say of the city, in our words.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "cities"
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="city_coordinates_valid",
                violation_error_message=(
                    "Latitude must be between -90 and 90 and longitude between -180 and 180."
                ),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return url_for("directory:city_detail", self.slug)


class ProviderQuerySet(JournalledQuerySet):
    def real(self):
        """Providers from the knowledge base, leaving out generated demo rows."""
        return self.filter(is_demo=False)

    def search(self, text):
        """Providers site search finds for `text` (names, former names, descriptions)."""
        if not text.strip():
            return self
        ids = search.matching_ids(text, kind=kind_for(Provider), version=current_version())
        return self.filter(pk__in=id_subquery(ids))


class Provider(Cited, TimeStampedModel):
    class Kind(models.TextChoices):
        LOCAL = "local", "Local firm"
        SUBSIDIARY = "subsidiary", "Subsidiary of an international group"
        MULTINATIONAL = "multinational", "International company operating in Pakistan"
        NOT_STATED = "not_stated", "Not stated in the sources"

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True, max_length=220)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.NOT_STATED)
    kind_is_ours = models.BooleanField(
        default=False, help_text="Ticked when the kind is our reading of what the sources say."
    )
    founded_year = models.PositiveSmallIntegerField(null=True, blank=True)
    founded_year_ambiguous = models.BooleanField(
        default=False,
        help_text="Ticked when the source's sentence could attach the year to another body.",
    )
    parent = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subsidiaries",
    )
    headcount = models.CharField(
        max_length=100, blank=True, help_text="As the source states it, e.g. “thousands”."
    )
    description = models.TextField(help_text="In our words.")
    services = models.ManyToManyField(
        ServiceLine, through="ProviderService", related_name="providers"
    )
    cities = models.ManyToManyField(City, through="ProviderCity", related_name="providers")
    is_demo = models.BooleanField(
        default=False, help_text="Generated demo data, not part of the knowledge base."
    )

    objects = ProviderQuerySet.as_manager()

    history = HistoricalRecords()

    # Facts the sources may leave unstated: (what, the condition of a provider lacking it).
    NOT_STATED = {
        "kind": ("kind", Q(kind=Kind.NOT_STATED)),
        "founded_year": ("founding year", Q(founded_year__isnull=True)),
        "services": ("service lines", Q(service_links__isnull=True)),
        "cities": ("cities", Q(city_links__isnull=True)),
        "markets": ("markets", Q(market_links__isnull=True)),
    }

    class Meta:
        ordering = ["name", "id"]  # a stable order for paging: names may repeat
        indexes = [
            models.Index(fields=["name", "id"]),
            models.Index(fields=["is_demo", "name"]),
            models.Index(fields=["kind", "name"]),
            models.Index(fields=["founded_year", "name"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(founded_year__isnull=True) | YEAR_RANGE,
                name="provider_founded_year_range",
                violation_error_message=(
                    f"Founded year must be between {MIN_YEAR} and {MAX_YEAR}, or left empty."
                ),
            ),
            models.CheckConstraint(
                condition=Q(founded_year_ambiguous=False) | Q(founded_year__isnull=False),
                name="provider_ambiguous_needs_year",
                violation_error_message="Only a stated founded year can be marked ambiguous.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return url_for("directory:provider_detail", self.slug)

    def clean(self):
        super().clean()
        this_year = timezone.now().year
        if self.founded_year and this_year < self.founded_year <= MAX_YEAR:
            raise ValidationError({"founded_year": f"Founded year cannot be after {this_year}."})


class ProviderAlias(Cited, TimeStampedModel):
    class Kind(models.TextChoices):
        FORMER = "former", "Former name"
        ALIAS = "alias", "Also known as"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.FORMER)

    history = HistoricalRecords()

    class Meta:
        ordering = ["provider_id", "name"]
        verbose_name_plural = "provider aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "name"],
                name="alias_unique_per_provider",
                violation_error_message="This provider already has that name recorded.",
            )
        ]

    def __str__(self):
        return self.name

    def describe(self):
        return f"{self.provider.name}: {self.get_kind_display().lower()} {self.name}"

    def search_label(self):
        return self.get_kind_display().lower()

    def get_absolute_url(self):
        return self.provider.get_absolute_url()


class ProviderService(Cited, TimeStampedModel):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="service_links")
    service_line = models.ForeignKey(
        ServiceLine, on_delete=models.PROTECT, related_name="provider_links"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["provider_id", "service_line_id"]
        indexes = [models.Index(fields=["service_line", "provider"])]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "service_line"],
                name="provider_service_unique",
                violation_error_message="This provider is already linked to that service line.",
            )
        ]

    def __str__(self):
        return f"Service link #{self.pk}"

    def describe(self):
        return f"{self.provider.name} offers {self.service_line.name}"

    def get_absolute_url(self):
        return self.provider.get_absolute_url()


class ProviderCity(Cited, TimeStampedModel):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="city_links")
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="provider_links")

    history = HistoricalRecords()

    class Meta:
        ordering = ["provider_id", "city_id"]
        verbose_name_plural = "provider cities"
        indexes = [models.Index(fields=["city", "provider"])]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "city"],
                name="provider_city_unique",
                violation_error_message="This provider is already linked to that city.",
            )
        ]

    def __str__(self):
        return f"City link #{self.pk}"

    def describe(self):
        return f"{self.provider.name} operates in {self.city.name}"

    def get_absolute_url(self):
        return self.provider.get_absolute_url()


class Market(Cited, TimeStampedModel):
    """A place the industry serves or competes with: a region, a country, or the home market."""

    class Kind(models.TextChoices):
        REGION = "region", "Region"
        COUNTRY = "country", "Country"
        DOMESTIC = "domestic", "Home market"

    class Role(models.TextChoices):
        CLIENT = "client", "Client market"
        COMPETITOR = "competitor", "Competing destination"
        BOTH = "both", "Client market and competitor"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    kind = models.CharField(
        max_length=10,
        choices=Kind,
        help_text="Our filing: the sources name the place without calling it a region, a country "
        "or the home market.",
    )
    role = models.CharField(max_length=12, choices=Role)
    region = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text="The region it belongs to, where the sources or plain geography place it.",
    )
    region_is_ours = models.BooleanField(
        default=False, help_text="Ticked when we, not the sources, put it in that region."
    )
    description = models.TextField(help_text="What the sources say of it, in our words.")
    providers = models.ManyToManyField("Provider", through="ProviderMarket", related_name="markets")

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return url_for("directory:market_list") + f"#{self.slug}"


class ProviderMarket(Cited, TimeStampedModel):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="market_links")
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="provider_links")

    history = HistoricalRecords()

    class Meta:
        ordering = ["provider_id", "market_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "market"],
                name="provider_market_unique",
                violation_error_message="This provider is already linked to that market.",
            )
        ]

    def __str__(self):
        return f"Market link #{self.pk}"

    def describe(self):
        return f"{self.provider.name} serves {self.market.name}"

    def get_absolute_url(self):
        return self.provider.get_absolute_url()


class Industry(Cited, TimeStampedModel):
    """A client industry (vertical) the sources say the sector serves."""

    name = models.CharField(
        max_length=100,
        unique=True,
        help_text="Where the sources name related industries separately, the one name that "
        "groups them is ours.",
    )
    slug = models.SlugField(unique=True)
    description = models.TextField(help_text="What the sources say of it, in our words.")
    service_lines = models.ManyToManyField(
        ServiceLine, through="IndustryServiceLine", related_name="industries"
    )
    providers = models.ManyToManyField(
        Provider, through="ProviderIndustry", related_name="industries"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "industries"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return url_for("directory:industry_detail", self.slug)


class IndustryServiceLine(Cited, TimeStampedModel):
    """A source ties a service line to the client industry it serves."""

    industry = models.ForeignKey(Industry, on_delete=models.CASCADE, related_name="line_links")
    service_line = models.ForeignKey(
        ServiceLine, on_delete=models.PROTECT, related_name="industry_links"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["industry_id", "service_line_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["industry", "service_line"],
                name="industry_service_line_unique",
                violation_error_message="That service line is already tied to this industry.",
            )
        ]

    def __str__(self):
        return f"Industry link #{self.pk}"

    def describe(self):
        return f"{self.service_line.name} serves {self.industry.name}"

    def get_absolute_url(self):
        return self.industry.get_absolute_url()


class ProviderIndustry(Cited, TimeStampedModel):
    """A source says a provider serves a client industry."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="industry_links")
    industry = models.ForeignKey(Industry, on_delete=models.PROTECT, related_name="provider_links")

    history = HistoricalRecords()

    class Meta:
        ordering = ["provider_id", "industry_id"]
        verbose_name_plural = "provider industries"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "industry"],
                name="provider_industry_unique",
                violation_error_message="This provider is already linked to that industry.",
            )
        ]

    def __str__(self):
        return f"Industry link #{self.pk}"

    def describe(self):
        return f"{self.provider.name} serves {self.industry.name}"

    def get_absolute_url(self):
        return self.provider.get_absolute_url()
