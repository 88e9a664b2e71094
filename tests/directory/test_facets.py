"""The in-memory facet index agrees with the database, and follows every kind of change."""

from collections import Counter
from dataclasses import replace

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpo_portal.core import kinds
from bpo_portal.core.caching import current_version
from bpo_portal.core.models import JournalEntry
from bpo_portal.directory import facets
from bpo_portal.directory.facets import DIMENSIONS, Dimension, ProviderIndex, provider_index
from bpo_portal.directory.filters import SORT_FIELDS, ProviderFilter, provider_filter
from bpo_portal.directory.models import (
    City,
    Market,
    Provider,
    ProviderCity,
    ProviderMarket,
    ProviderService,
    ServiceCategory,
    ServiceLine,
)
from tests.factories import ProviderFactory, ServiceLineFactory, bulk_providers

pytestmark = pytest.mark.django_db


def counted(client, **params):
    """(result count, facet counts, providers listed) as the directory page shows them."""
    context = client.get("/providers/", params).context
    facets = {f.name: {v.value: v.count for v in f.values} for f in context["facets"]}
    return context["page"].paginator.count, facets, [p.slug for p in context["page"]]


def sql_count(**lookups):
    return Provider.objects.filter(**lookups).distinct().count()


LINES = ["call-centres", "data-entry", "technical-support", "payroll-processing"]
CITIES = ["karachi", "lahore", "islamabad"]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lines=st.lists(st.sampled_from(LINES), max_size=2, unique=True),
    cities=st.lists(st.sampled_from(CITIES), max_size=2, unique=True),
    kind=st.sampled_from(["", *Provider.Kind.values]),
    founded_min=st.one_of(st.none(), st.integers(1960, 2020)),
)
def test_counts_agree_with_the_database(client, many_providers, lines, cities, kind, founded_min):
    data = {"service": lines, "city": cities, "kind": kind, "founded_min": founded_min}
    filterset = ProviderFilter({k: v for k, v in data.items() if v}, Provider.objects.all())
    assert filterset.is_valid()
    index = provider_index(current_version())
    matching = filterset.matching(index)
    expected = set(filterset.qs.values_list("pk", flat=True))
    assert set(matching) == expected
    by_line = {
        line.slug: sql_count(pk__in=expected, service_links__service_line=line)
        for line in ServiceLine.objects.all()
    }
    counts = index.counts_of("service", matching)
    assert {k: v for k, v in counts.items() if v} == {k: v for k, v in by_line.items() if v}
    by_category = {
        category.slug: sql_count(pk__in=expected, services__category=category)
        for category in ServiceCategory.objects.all()
    }
    counts = index.counts_of("category", matching)
    assert {k: v for k, v in counts.items() if v} == {k: v for k, v in by_category.items() if v}


def save(capture, action):
    """Run a curator's change as one committed transaction (the data version goes up)."""
    with capture(execute=True):
        action()


def test_a_changed_kind_moves_a_provider(client, django_capture_on_commit_callbacks):
    before = counted(client, kind="local")[0]
    ibex = Provider.objects.get(slug="ibex")
    ibex.kind = Provider.Kind.LOCAL
    save(django_capture_on_commit_callbacks, ibex.save)
    after, _, listed = counted(client, kind="local")
    assert after == before + 1 and "ibex" in listed


def test_a_link_added_moved_and_removed(client, django_capture_on_commit_callbacks):
    ibex, telenor = Provider.objects.get(slug="ibex"), Provider.objects.get(slug="telenor")
    karachi = City.objects.get(slug="karachi")
    assert counted(client, city="karachi")[0] == 0
    link = ProviderCity(provider=ibex, city=karachi)
    save(django_capture_on_commit_callbacks, link.save)
    count, facets, listed = counted(client, city="karachi")
    assert (count, facets["service"]["technical-support"], listed) == (1, 1, ["ibex"])
    link.provider = telenor
    save(django_capture_on_commit_callbacks, link.save)
    count, facets, listed = counted(client, city="karachi")
    assert count == 1 and "technical-support" not in facets["service"]
    assert listed == ["telenor"]
    save(django_capture_on_commit_callbacks, link.delete)
    assert counted(client, city="karachi")[0] == 0


def test_a_deleted_provider_leaves_every_facet(client, django_capture_on_commit_callbacks):
    total, facets, _ = counted(client)
    calls = facets["service"]["call-centres"]
    save(django_capture_on_commit_callbacks, Provider.objects.get(slug="ufone").delete)
    after, facets, _ = counted(client)
    assert (after, facets["service"]["call-centres"]) == (total - 1, calls - 1)


def test_a_service_line_moved_to_another_category(client, django_capture_on_commit_callbacks):
    line = ServiceLine.objects.get(slug="technical-support")
    other = ServiceCategory.objects.exclude(pk=line.category_id).first()
    before = counted(client)[1]["category"].get(other.slug, 0)
    line.category = other
    save(django_capture_on_commit_callbacks, line.save)
    assert counted(client)[1]["category"][other.slug] == before + 1
    assert JournalEntry.objects.filter(table=ServiceLine._meta.db_table).exists()


def test_a_new_service_line_appears_as_a_facet_value(client, django_capture_on_commit_callbacks):
    counted(client)  # the index is built
    line = ServiceLineFactory.build(name="Voice biometrics", slug="voice-biometrics")
    line.category = ServiceCategory.objects.first()

    def add():
        line.save()
        ProviderService.objects.create(
            provider=Provider.objects.get(slug="ibex"), service_line=line
        )

    save(django_capture_on_commit_callbacks, add)
    assert counted(client, service="voice-biometrics")[0] == 1


def test_bulk_demo_data_rebuilds_the_index(client, django_capture_on_commit_callbacks):
    from bpo_portal.directory import demo

    total = counted(client)[0]
    save(django_capture_on_commit_callbacks, lambda: demo.generate(30, seed=3))
    assert counted(client)[0] == total + 30
    assert JournalEntry.objects.filter(table="*").exists()


def listed_in_order(client, sort):
    """(the directory's first page, the database's first page) of a filtered list."""
    shown = counted(client, service="call-centres", sort=sort)[2]
    filterset = ProviderFilter({"service": ["call-centres"], "sort": sort}, Provider.objects.all())
    assert filterset.is_valid()
    in_sql = filterset.qs.order_by(*SORT_FIELDS[sort]).values_list("slug", flat=True)[:20]
    return shown, list(in_sql)


@pytest.mark.parametrize("sort", list(SORT_FIELDS))
def test_the_index_sorts_as_the_database_after_renames_and_new_providers(
    client, django_capture_on_commit_callbacks, sort
):
    save(django_capture_on_commit_callbacks, lambda: bulk_providers(120))
    shown, expected = listed_in_order(client, sort)
    assert shown == expected and len(shown) > 10
    calls = ServiceLine.objects.get(slug="call-centres")
    renamed = Provider.objects.filter(service_links__service_line=calls).order_by("-name")[0]
    twin = Provider.objects.filter(service_links__service_line=calls).order_by("name")[3]

    def change():
        renamed.name = "Aardvark Contact"  # from last to first
        renamed.save()
        for name, year in (
            ("Bulk provider 004", 1979),
            ("Aardvark Contact", None),
            ("0 Calls", 2001),
        ):
            newcomer = ProviderFactory(name=name, founded_year=year)
            ProviderService.objects.create(provider=newcomer, service_line=calls)
        twin.name = "Bulk provider 0045"
        twin.save()

    save(django_capture_on_commit_callbacks, change)
    shown, expected = listed_in_order(client, sort)
    assert shown == expected


def test_building_the_index_takes_a_fixed_number_of_queries(
    many_providers, django_assert_num_queries
):
    version = current_version()
    with django_assert_num_queries(10):  # the journal, the values (five), providers, three links
        provider_index(version)


@settings(max_examples=60, deadline=None)
@given(
    offering=st.dictionaries(
        st.integers(1, 6), st.sets(st.integers(1, 60), max_size=40), max_size=6
    ),
    excluding=st.integers(1, 60),
    per_line=st.integers(1, 30),
    limit=st.integers(1, 12),
)
def test_sharing_lines_ranks_as_counting_would(offering, excluding, per_line, limit):
    """The bitmap ranking equals counting each candidate's lines: most in common first, ties
    in id order, candidates cut to the first `per_line` of each line."""
    index = ProviderIndex()
    for line, providers in offering.items():
        index.own["service"][line].update(providers)
    lines = [*offering, 99]  # a line nobody offers counts for no one
    shared = Counter()
    for line in lines:
        shared.update(sorted(offering.get(line, set()) - {excluding})[:per_line])
    expected = sorted(shared.items(), key=lambda item: (-item[1], item[0]))[:limit]
    assert index.sharing_lines(lines, excluding, per_line, limit) == expected


MARKETS = Dimension("market", "Market", "serving {}", Market, ProviderMarket)


def test_a_facet_declared_as_one_entry_is_filtered_counted_and_kept_fresh(
    django_capture_on_commit_callbacks,
):
    """One more `Dimension` (markets served, over their existing link kind) and the directory's
    filter, the index's counts and its catching up with the journal all follow."""
    dimensions = (*DIMENSIONS, MARKETS)
    filter_class, index = provider_filter(dimensions), ProviderIndex(dimensions)
    index.build(current_version())
    market = Market.objects.filter(provider_links__isnull=False).first()

    def shown():
        filterset = filter_class({"market": [market.slug]}, Provider.objects.all())
        assert filterset.is_valid(), filterset.errors
        matching = filterset.matching(index)
        facets = filterset.index_facets(index, index.providers, QueryDict())
        counts = {v.value: v.count for f in facets if f.name == "market" for v in f.values}
        expected = set(Provider.objects.filter(market_links__market=market).values_list("pk"))
        assert {(pk,) for pk in filterset.qs.values_list("pk", flat=True)} == expected
        assert {(pk,) for pk in matching} == expected
        assert counts[market.slug] == len(expected)
        return len(expected), dict(index.choices("market"))[market.slug]

    count, name = shown()
    newcomer = Provider.objects.exclude(market_links__market=market).first()
    save(
        django_capture_on_commit_callbacks,
        lambda: ProviderMarket.objects.bulk_create(
            [ProviderMarket(provider=newcomer, market=market)]
        ),
    )
    save(
        django_capture_on_commit_callbacks,
        lambda: Market.objects.filter(pk=market.pk).update(name="Renamed market"),
    )
    index.sync(current_version())
    assert shown() == (count + 1, "Renamed market")


def test_a_facet_over_a_link_not_part_of_the_provider_fails_the_checks(monkeypatch):
    monkeypatch.setattr(facets, "DIMENSIONS", (*DIMENSIONS, MARKETS))
    assert facets.check_dimensions() == []
    declared = replace(kinds.kind_for(ProviderMarket), part_of=())
    monkeypatch.setitem(kinds._REGISTRY, ProviderMarket, declared)
    assert [error.id for error in facets.check_dimensions()] == ["directory.E001"]
