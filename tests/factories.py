import factory
from django.contrib.contenttypes.models import ContentType

from bpo_portal.directory.models import (
    City,
    Organisation,
    Provider,
    ProviderCity,
    ProviderService,
    ServiceCategory,
    ServiceLine,
)
from bpo_portal.portal.models import Suggestion
from bpo_portal.sector.models import Incentive, Metric, Statistic
from bpo_portal.sources.models import Citation, Source


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    slug = factory.Sequence(lambda n: f"test-source-{n}")
    title = factory.Sequence(lambda n: f"Test source {n}")
    summary = "A source made for a test."
    file_name = factory.Sequence(lambda n: f"test-{n}.txt")
    headings = ["Opening", "Findings"]


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    source = factory.SubFactory(SourceFactory)
    section = "Findings"
    note = "Supports the fact in a test."
    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.fact))
    object_id = factory.LazyAttribute(lambda o: o.fact.pk)

    class Params:
        fact = None


class CitedFactory(factory.django.DjangoModelFactory):
    """Gives every fact one citation, as the knowledge base requires."""

    @factory.post_generation
    def cite(obj, create, extracted, **kwargs):
        if create:
            CitationFactory(fact=obj, source=extracted or SourceFactory())

    class Meta:
        abstract = True
        skip_postgeneration_save = True


class OrganisationFactory(CitedFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.GOVERNMENT


class ServiceCategoryFactory(CitedFactory):
    class Meta:
        model = ServiceCategory

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    description = "A category made for a test."


class ServiceLineFactory(CitedFactory):
    class Meta:
        model = ServiceLine

    category = factory.SubFactory(ServiceCategoryFactory)
    name = factory.Sequence(lambda n: f"Service line {n}")
    slug = factory.Sequence(lambda n: f"service-line-{n}")
    description = "A service line made for a test."


class CityFactory(CitedFactory):
    class Meta:
        model = City

    name = factory.Sequence(lambda n: f"City {n}")
    slug = factory.Sequence(lambda n: f"city-{n}")
    province = "Punjab"
    latitude = 30
    longitude = 70
    description = "A city made for a test."


class ProviderFactory(CitedFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Provider {n:04d}")
    slug = factory.Sequence(lambda n: f"provider-{n:04d}")
    kind = Provider.Kind.LOCAL
    founded_year = factory.Sequence(lambda n: 1950 + n % 70)
    description = "A provider made for a test."


class ProviderServiceFactory(CitedFactory):
    class Meta:
        model = ProviderService

    provider = factory.SubFactory(ProviderFactory)
    service_line = factory.SubFactory(ServiceLineFactory)


class ProviderCityFactory(CitedFactory):
    class Meta:
        model = ProviderCity

    provider = factory.SubFactory(ProviderFactory)
    city = factory.SubFactory(CityFactory)


class IncentiveFactory(CitedFactory):
    class Meta:
        model = Incentive

    name = factory.Sequence(lambda n: f"Incentive {n}")
    slug = factory.Sequence(lambda n: f"incentive-{n}")
    kind = Incentive.Kind.TAX
    description = "An incentive made for a test."


class MetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Metric

    name = factory.Sequence(lambda n: f"Metric {n}")
    slug = factory.Sequence(lambda n: f"metric-{n}")
    description = "A metric made for a test."
    unit = Statistic.Unit.PERCENT


class StatisticFactory(CitedFactory):
    class Meta:
        model = Statistic

    slug = factory.Sequence(lambda n: f"statistic-{n}")
    metric = factory.SubFactory(MetricFactory, unit=factory.SelfAttribute("..unit"))
    value = 10
    unit = Statistic.Unit.PERCENT
    scope = "A test scope"


def correction_of(provider, wrong):
    """A reader's correction of `provider`'s profile, waiting for a curator."""
    return Suggestion.objects.create(
        page=provider.get_absolute_url(),
        record_kind="provider",
        record_id=provider.pk,
        record_title=provider.name,
        wrong=wrong,
        address_hash="0" * 64,
    )


def bulk_providers(count, *, source=None):
    """`count` demo providers, each with three service lines, a city and a citation on every
    row, written with one INSERT per table."""
    lines = list(ServiceLine.objects.order_by("pk"))
    cities = list(City.objects.order_by("pk"))
    source = source or SourceFactory()
    providers = Provider.objects.bulk_create(
        ProviderFactory.build(
            name=f"Bulk provider {n:03d}",
            slug=f"bulk-provider-{n:03d}",
            founded_year=1980 + n % 40,
            is_demo=True,
        )
        for n in range(count)
    )
    service_links = ProviderService.objects.bulk_create(
        ProviderServiceFactory.build(provider=p, service_line=lines[(n + k) % len(lines)])
        for n, p in enumerate(providers)
        for k in range(3)
    )
    city_links = ProviderCity.objects.bulk_create(
        ProviderCityFactory.build(provider=p, city=cities[n % len(cities)])
        for n, p in enumerate(providers)
    )
    Citation.objects.bulk_create(
        CitationFactory.build(fact=row, source=source)
        for row in (*providers, *service_links, *city_links)
    )
    return providers
