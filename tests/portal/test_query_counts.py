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
    "/search/?q=call+center+companies+in+karachi",
    "/search/?q=who+offers+call+centre+services%3F",
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


# The most queries any page takes when computed (with many providers); each page's own count is
# pinned more closely in its app's tests. A source's page loads its cited facts with one query
# per kind of knowledge, so its bound grows with the kinds the code declares, never with the data.
MOST_QUERIES = 20


def most_queries(url):
    from bpo_portal.sources.selectors import fact_querysets

    if url.startswith("/sources/") and url != "/sources/":
        return 5 + len(fact_querysets())
    return MOST_QUERIES


@pytest.mark.parametrize("url", PAGES)
def test_a_page_asked_again_costs_one_query(
    url,
    client,
    many_providers,
    worker_ready,
    django_assert_max_num_queries,
    django_assert_num_queries,
):
    with django_assert_max_num_queries(most_queries(url)):
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


def test_a_page_that_shows_a_message_is_never_shared(client):
    first = client.get("/providers/?kind=alien")
    assert "Ignored kind=" in first.content.decode()
    again = client.get("/providers/?kind=alien")
    assert again.context is not None  # computed for this reader, not served from the cache


def test_a_message_carried_over_is_shown_to_its_reader_only(client, rf):
    from django.contrib import messages
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpResponse

    storage, carrier = CookieStorage(rf.get("/")), HttpResponse()
    storage.add(messages.WARNING, "Only for this reader")
    storage.update(carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value
    assert "Only for this reader" in client.get("/providers/").content.decode()
    client.cookies.pop("messages", None)
    assert "Only for this reader" not in client.get("/providers/").content.decode()
