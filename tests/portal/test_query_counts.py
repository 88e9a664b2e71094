"""Every page kind, asked twice: computed in a bounded number of queries, then served from the
cache with one query (the data version), before any other."""

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/providers/",
    "/providers/?service=call-centres&city=karachi&founded_min=1990",
    "/providers/ibex/",
    "/compare/ibex-vs-ptcl-vs-telenor/",
    "/services/",
    "/services/call-centres/",
    "/services/call-centres/karachi/",
    "/cities/",
    "/cities/karachi/",
    "/incentives/",
    "/incentives/?kind=tax",
    "/incentives/subsidies/",
    "/statistics/",
    "/statistics/?metric=it-exports",
    "/challenges/",
    "/advantages/",
    "/sources/",
    "/sources/bpo-overview/",
    "/search/?q=support",
    "/markets/",
    "/industries/",
    "/industries/healthcare/",
    "/timeline/",
    "/glossary/",
    "/technologies/",
    "/effects/",
    "/outlook/",
    "/disagreements/",
    "/organisations/",
    "/organisations/sbp/",
    "/changes/",
]


@pytest.mark.parametrize("url", PAGES)
def test_a_page_asked_again_costs_one_query(url, client, many_providers, django_assert_num_queries):
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(1):
        again = client.get(url)
    assert again.content == first.content


def test_a_save_makes_the_next_request_compute_afresh(client, django_capture_on_commit_callbacks):
    from bpo_portal.directory.models import Provider

    client.get("/providers/ibex/")
    with django_capture_on_commit_callbacks(execute=True):
        Provider.objects.filter(slug="ibex").first().save()
    response = client.get("/providers/ibex/")
    assert response.context is not None  # rendered, not served from the cache
