"""Rows read with one plain statement must be the rows, and the order, the ORM would give."""

import pytest

from bpo_portal.core.prefetching import plain_rows, prefetch_reverse
from bpo_portal.directory.models import Provider, ProviderAlias, ProviderService

pytestmark = pytest.mark.django_db


def loaded(instance):
    deferred = instance.get_deferred_fields()
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname not in deferred
    }


def test_plain_rows_are_the_orms_rows_in_the_models_order(django_assert_num_queries):
    providers = list(Provider.objects.filter(aliases__isnull=False).distinct()[:5])
    pks = [p.pk for p in providers]
    expected = list(ProviderAlias.objects.filter(provider_id__in=pks))
    assert len(expected) > len(providers) // 2
    with django_assert_num_queries(1):
        rows = plain_rows(ProviderAlias, provider_id=pks)
        assert {"id", "provider_id", "name", "kind"} <= loaded(rows[0]).keys()
    assert [loaded(row) for row in rows] == [
        {name: getattr(orm_row, name) for name in loaded(row)}
        for row, orm_row in zip(rows, expected, strict=True)
    ]
    # A field left unread (a date on SQLite) is read when it is used, as with .defer().
    assert rows[0].modified == expected[0].modified


def test_every_condition_must_hold_and_no_values_reads_nothing(django_assert_num_queries):
    link = ProviderService.objects.first()
    rows = plain_rows(
        ProviderService, provider_id=[link.provider_id], service_line_id=[link.service_line_id]
    )
    assert [row.pk for row in rows] == [link.pk]
    with django_assert_num_queries(0):
        assert plain_rows(ProviderService, provider_id=[]) == []


def test_rows_meeting_any_of_several_sets_of_conditions(django_assert_num_queries):
    first = ProviderService.objects.order_by("pk").first()
    second = ProviderService.objects.exclude(provider_id=first.provider_id).exclude(
        service_line_id=first.service_line_id
    )[0]
    with django_assert_num_queries(1):
        rows = plain_rows(
            ProviderService,
            {"provider_id": [first.provider_id], "service_line_id": [first.service_line_id]},
            {"provider_id": [second.provider_id], "service_line_id": [second.service_line_id]},
            {"provider_id": []},  # matches nothing, and is left out of the statement
        )
    # Not every pairing of the two providers and two lines: only the pairs given.
    assert sorted(row.pk for row in rows) == sorted([first.pk, second.pk])
    with django_assert_num_queries(0):
        assert plain_rows(ProviderService, {"provider_id": []}) == []


def test_prefetched_rows_are_found_through_the_relation_or_in_a_list(django_assert_num_queries):
    providers = list(Provider.objects.filter(service_links__isnull=False).distinct()[:4])
    with django_assert_num_queries(1):
        prefetch_reverse(providers, "service_links")
    with django_assert_num_queries(0):
        for provider in providers:
            links = provider.service_links.all()
            assert links and all(link.provider is provider for link in links)
            assert list(provider.service_links.filter(pk=links[0].pk)) == []
    line = providers[0].service_links.all()[0].service_line_id
    prefetch_reverse(providers, "service_links", to_attr="cited", service_line_id=[line])
    assert [link.service_line_id for link in providers[0].cited] == [line]
    offering = ProviderService.objects.filter(provider__in=providers, service_line_id=line)
    assert {p.pk for p in providers if p.cited} == set(offering.values_list("provider", flat=True))
