import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bpo_portal.directory.models import City, Provider, ProviderService
from tests.factories import (
    CityFactory,
    ProviderCityFactory,
    ProviderFactory,
    ProviderServiceFactory,
    ServiceLineFactory,
)

pytestmark = pytest.mark.django_db


def assert_rejected(save):
    with pytest.raises(IntegrityError), transaction.atomic():
        save()


@pytest.mark.parametrize("year", [3000, 1799])
def test_founded_year_out_of_range_is_rejected_by_the_database(year):
    provider = ProviderFactory()
    provider.founded_year = year
    assert_rejected(provider.save)


def test_founded_year_out_of_range_has_a_readable_message():
    provider = ProviderFactory.build(founded_year=3000)
    with pytest.raises(ValidationError) as error:
        provider.full_clean()
    assert "Founded year must be between 1800 and 2100" in str(error.value)


def test_founded_year_in_the_future_is_refused_by_clean():
    provider = ProviderFactory.build(founded_year=2099)
    with pytest.raises(ValidationError, match="cannot be after"):
        provider.full_clean()


def test_ambiguous_year_needs_a_year():
    provider = ProviderFactory()
    provider.founded_year = None
    provider.founded_year_ambiguous = True
    assert_rejected(provider.save)


def test_duplicate_slug_is_rejected():
    ProviderFactory(slug="same")
    assert_rejected(lambda: Provider.objects.create(name="Other", slug="same", description="x"))


def test_one_link_per_provider_and_service_line():
    link = ProviderServiceFactory()
    assert_rejected(
        lambda: ProviderService.objects.create(
            provider=link.provider, service_line=link.service_line
        )
    )


def test_one_link_per_provider_and_city():
    link = ProviderCityFactory()
    assert_rejected(lambda: type(link).objects.create(provider=link.provider, city=link.city))


@pytest.mark.parametrize("latitude, longitude", [(91, 70), (-91, 70), (30, 181), (30, -181)])
def test_city_coordinates_must_be_on_earth(latitude, longitude):
    assert_rejected(
        lambda: City.objects.create(
            name="Nowhere",
            slug="nowhere",
            province="-",
            latitude=latitude,
            longitude=longitude,
            description="x",
        )
    )


def test_service_line_in_use_cannot_be_deleted():
    line = ServiceLineFactory()
    ProviderServiceFactory(service_line=line)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        line.delete()


def test_city_str_and_url():
    city = CityFactory(name="Multan", slug="multan")
    assert str(city) == "Multan"
    assert city.get_absolute_url() == "/cities/multan/"


def test_unique_task_alias_grouping_and_citation():
    from bpo_portal.directory.models import AlternativeGrouping, ProviderAlias, ServiceTask
    from bpo_portal.sources.models import Citation

    task = ServiceTask.objects.first()
    assert_rejected(
        lambda: ServiceTask.objects.create(service_line=task.service_line, name=task.name)
    )
    alias = ProviderAlias.objects.first()
    assert_rejected(lambda: ProviderAlias.objects.create(provider=alias.provider, name=alias.name))
    grouping = AlternativeGrouping.objects.first()
    assert_rejected(
        lambda: AlternativeGrouping.objects.create(
            service_line=grouping.service_line, category=grouping.category, note="again"
        )
    )
    citation = Citation.objects.first()
    assert_rejected(
        lambda: Citation.objects.create(
            content_type=citation.content_type,
            object_id=citation.object_id,
            source=citation.source,
            section=citation.section,
            field=citation.field,
            note="again",
        )
    )


def test_a_cited_source_or_organisation_cannot_be_deleted():
    from django.db.models import ProtectedError

    from bpo_portal.directory.models import Organisation
    from bpo_portal.sources.models import Source

    with pytest.raises(ProtectedError):
        Source.objects.get(slug="bpo-overview").delete()
    with pytest.raises(ProtectedError):
        Organisation.objects.get(slug="pta").delete()
