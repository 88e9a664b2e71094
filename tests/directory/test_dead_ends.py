"""No filter leads to an empty page: a value that could only give one is shown with its 0 and
no link, and an empty page says what the sources do say and where to go next."""

import re

import pytest
from django.urls import reverse

from bpo_portal.directory.models import City, Provider
from tests.factories import ProviderCityFactory

pytestmark = pytest.mark.django_db


def html(client, url, data=None):
    response = client.get(url, data)
    assert response.status_code == 200
    return response.content.decode()


def section(page, heading_id):
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


def links(fragment):
    return re.findall(r'href="([^"]+)"', fragment)


def test_a_line_nobody_offers_offers_no_city_filter(client):
    page = section(html(client, "/services/payroll-processing/"), "providers-heading")
    assert "Filter by city" not in page
    assert not any("/services/payroll-processing/" in href for href in links(page))
    assert "The sources name no provider of payroll processing." in page
    # Where to go next: the related line that has a provider, the directory, the category.
    assert '<a href="/services/business-process-outsourcing/">' in page
    assert '<a href="/providers/">' in page and '<a href="/services/#back-office">' in page
    assert "/services/help-desks/" not in page  # related, but with no provider either


def test_when_the_sources_tie_no_provider_of_a_line_to_a_city_no_city_is_offered(client):
    page = section(html(client, "/services/call-centres/"), "providers-heading")
    assert "Filter by city" not in page
    assert "The sources do not say in which cities these providers work." in page


def test_only_cities_with_a_provider_of_the_line_are_links(client):
    telenor = Provider.objects.get(slug="telenor")
    ProviderCityFactory(provider=telenor, city=City.objects.get(slug="karachi"))
    page = section(html(client, "/services/call-centres/"), "providers-heading")
    assert "Filter by city" in page
    assert links(page.split("</nav>")[0]) == ["/services/call-centres/karachi/"]
    assert '<span class="muted">Lahore</span> <span class="count">0</span>' in page
    assert "The sources do not say in which cities" not in page
    karachi = section(html(client, "/services/call-centres/karachi/"), "providers-heading")
    assert '<a href="/services/call-centres/">all</a> <span class="count">4</span>' in karachi
    assert '<strong aria-current="page">Karachi</strong> <span class="count">1</span>' in karachi


def test_an_empty_city_page_points_to_the_lines_providers_elsewhere(client):
    page = section(html(client, "/services/call-centres/lahore/"), "providers-heading")
    assert "The sources name no provider of call and contact centres in Lahore." in page
    assert "They name 4 providers of it without tying them to Lahore" in page
    assert '<a href="/services/call-centres/">see them</a>' in page
    assert '<a href="/cities/lahore/">' in page


def test_the_directory_says_why_a_line_is_not_a_choice(client):
    page = html(client, reverse("directory:provider_list"))
    facet = section(page, "facet-service")
    assert "with no provider in this result" in facet
    empty = facet[facet.index("<details") :]
    assert 'Payroll processing</span> <span class="count">0</span>' in empty
    assert "href" not in empty  # no link to an empty page
    assert "payroll-processing" not in facet


def test_no_facet_link_of_the_directory_leads_to_an_empty_page(client):
    for query in ({}, {"service": "call-centres"}, {"category": "customer-support"}):
        page = html(client, reverse("directory:provider_list"), query)
        for href in links(
            page[page.index('class="facets"') : page.index("</nav>", page.index('class="facets"'))]
        ):
            response = client.get(reverse("directory:provider_list") + href.replace("&amp;", "&"))
            assert "No provider matches" not in response.content.decode(), href


def test_an_empty_directory_result_offers_a_way_out(client):
    page = html(
        client,
        reverse("directory:provider_list"),
        {"service": "payroll-processing", "city": "karachi"},
    )
    assert "No provider matches these filters. The knowledge base names 7 providers in all." in page
    assert '<a href="?city=karachi">Service line: Payroll processing</a>' in page
    assert '<a href="?service=payroll-processing">City: Karachi</a>' in page
    assert "format=csv" not in page  # no download of nothing


def test_a_city_without_named_providers_points_to_the_directory(client):
    page = section(html(client, "/cities/karachi/"), "providers-heading")
    assert "none of the articles says which providers operate in Karachi" in page
    assert links(page) == ["/providers/", "/services/"]
