"""Found by search engines and shared well: canonical addresses, sharing tags, schema.org data,
the sitemap and robots.txt."""

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from bpo_portal.directory import demo
from bpo_portal.directory.models import City, Industry, Organisation, Provider, ServiceLine
from bpo_portal.sector.models import Incentive, Metric
from bpo_portal.sources.models import Source
from tests.pages import PUBLIC

pytestmark = pytest.mark.django_db

HOST = "http://testserver"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SUFFIX = " · BPO Portal"


class Head(HTMLParser):
    """What a page says about itself: its title, canonical links, meta tags, JSON-LD blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.canonical = []
        self.meta = {}
        self.json_ld = []
        self.script_types = []
        self._in = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self._in_body = True
        if tag == "title" and not self._in_body:
            self._in = "title"
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical.append(attrs["href"])
        elif tag == "meta" and ("property" in attrs or "name" in attrs):
            key = attrs.get("property") or attrs.get("name")
            assert key not in self.meta, f"{key} given twice"
            self.meta[key] = attrs.get("content")
        elif tag == "script":
            self.script_types.append(attrs.get("type"))
            if attrs.get("type") == "application/ld+json":
                self._in = "json"
                self.json_ld.append("")

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "json":
            self.json_ld[-1] += data


def head_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    head = Head()
    head.feed(response.content.decode())
    return head


def blocks(client, url):
    """Every JSON-LD block of the page, parsed, each checked for what every block must have."""
    things = [json.loads(text) for text in head_of(client, url).json_ld]
    assert things, f"{url} has no structured data"
    for thing in things:
        assert thing["@context"] == "https://schema.org"
        assert thing["@type"]
        assert thing["name"]
        assert thing["url"].startswith(f"{HOST}/")
    return things


def assert_citations(thing):
    assert thing["citation"], f"{thing['name']} cites nothing"
    urls = [work["url"] for work in thing["citation"]]
    assert len(urls) == len(set(urls)), "a source is cited twice"
    for work in thing["citation"]:
        assert work["@type"] == "CreativeWork"
        assert work["name"]
        assert urlsplit(work["url"]).path.startswith("/sources/")
        assert work["url"].startswith(HOST)


# Canonical addresses and sharing tags


@pytest.mark.parametrize("url", [url for url in PUBLIC if url != "/no-such-page/"])
def test_every_page_has_an_absolute_canonical_address_and_sharing_tags(client, url):
    head = head_of(client, url)
    assert len(head.canonical) == 1
    canonical = head.canonical[0]
    assert canonical.startswith(f"{HOST}/")
    assert urlsplit(canonical).path == urlsplit(url).path
    assert head.meta["og:url"] == canonical
    assert head.title.endswith(SUFFIX)
    assert head.meta["og:title"] == head.title.removesuffix(SUFFIX)
    assert head.meta["og:description"] == head.meta["description"]
    assert head.meta["og:description"]
    assert head.meta["og:type"] == "website"
    assert head.meta["og:site_name"] == "BPO Portal"
    assert head.meta["twitter:card"] == "summary"


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("/", "/"),
        ("/providers/ibex/", "/providers/ibex/"),
        ("/providers/ibex/?utm_source=newsletter", "/providers/ibex/"),
        ("/providers/?service=call-centres&city=karachi", "/providers/"),
        ("/providers/?q=ibex", "/providers/"),
        ("/statistics/?metric=it-exports", "/statistics/"),
        ("/incentives/?kind=tax", "/incentives/"),
        ("/services/call-centres/karachi/", "/services/call-centres/karachi/"),
        ("/search/?q=call+center", "/search/"),
        # Pages of an unfiltered list are pages of their own; of a filtered one, the list's.
        ("/providers/?page=1", "/providers/"),
        ("/providers/?page=2", "/providers/?page=2"),
        ("/providers/?page=abc", "/providers/"),
        ("/providers/?service=call-centres&page=2", "/providers/"),
        ("/cities/karachi/?page=2", "/cities/karachi/?page=2"),
    ],
)
def test_canonical_address_drops_filters_and_keeps_own_addresses(
    client, many_providers, url, canonical
):
    assert head_of(client, url).canonical == [HOST + canonical]


def test_canonical_address_follows_the_scheme_the_site_is_served_on(client):
    response = client.get("/providers/ibex/", secure=True)
    head = Head()
    head.feed(response.content.decode())
    assert head.canonical == ["https://testserver/providers/ibex/"]


@pytest.mark.parametrize("url", ["/no-such-page/", "/providers/no-such-provider/"])
def test_error_pages_have_no_canonical_address(client, url):
    head = head_of(client, url, status=404)
    assert head.canonical == []
    assert "og:url" not in head.meta
    assert head.meta["og:title"] == "Page not found"


def test_what_a_reader_types_is_never_in_the_addresses_and_only_escaped_in_the_titles(client):
    typed = '"><script>alert(1)</script>'
    response = client.get("/search/", {"q": typed, "page": "2"})
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    head = Head()
    head.feed(html)
    assert head.canonical == [f"{HOST}/search/"]
    assert head.meta["og:url"] == f"{HOST}/search/"
    assert head.meta["og:title"] == f"Search: {typed}"  # read back from escaped markup


# Structured data


def test_home_page_describes_the_site(client):
    (site,) = blocks(client, "/")
    assert site["@type"] == "WebSite"
    assert site["url"] == f"{HOST}/"


def test_provider_is_an_organization_with_its_names_and_sources(client):
    (ibex,) = blocks(client, "/providers/ibex/")
    assert ibex["@type"] == "Organization"
    assert ibex["name"] == "Ibex"
    assert ibex["url"] == f"{HOST}/providers/ibex/"
    assert "TRG Customer Solutions" in ibex["alternateName"]
    assert ibex["description"]
    assert_citations(ibex)


def test_provider_states_founding_and_parent_only_where_the_sources_do(client):
    (trg,) = blocks(client, "/providers/trg-pakistan/")
    assert "foundingDate" not in trg  # the year may be the parent group's
    parent = trg["parentOrganization"]
    assert parent["@type"] == "Organization"
    assert parent["url"].startswith(f"{HOST}/organisations/")
    dated = Provider.objects.real().filter(
        founded_year__isnull=False, founded_year_ambiguous=False
    )[0]
    (thing,) = blocks(client, dated.get_absolute_url())
    assert thing["foundingDate"] == str(dated.founded_year)
    (plain,) = blocks(client, "/providers/sp-global/")
    assert "parentOrganization" not in plain


def test_organisation_is_an_organization_with_its_abbreviation(client):
    (pseb,) = blocks(client, "/organisations/pseb/")
    assert pseb["@type"] == "Organization"
    assert pseb["name"] == "Pakistan Software Export Board"
    assert pseb["alternateName"] == "PSEB"
    assert pseb["url"] == f"{HOST}/organisations/pseb/"
    assert pseb["description"]
    assert_citations(pseb)


def test_every_metric_is_a_dataset(client):
    datasets = blocks(client, "/statistics/")
    assert {d["name"] for d in datasets} == set(
        Metric.objects.filter(statistics__isnull=False).values_list("name", flat=True)
    )
    for dataset in datasets:
        assert dataset["@type"] == "Dataset"
        assert dataset["description"]
        assert urlsplit(dataset["url"]).path == "/statistics/"
        assert dataset["variableMeasured"]["name"] == dataset["name"]
        assert_citations(dataset)
        for download in dataset["distribution"]:
            assert download["contentUrl"].startswith(f"{HOST}/statistics/?metric=")
    exports = next(d for d in datasets if d["url"].endswith("?metric=it-exports"))
    assert exports["temporalCoverage"]
    assert all(c["url"].startswith(f"{HOST}/organisations/") for c in exports.get("creator", []))
    (only,) = blocks(client, "/statistics/?metric=it-exports")
    assert only == exports


def test_glossary_is_a_set_of_defined_terms(client):
    (glossary,) = blocks(client, "/glossary/")
    assert glossary["@type"] == "DefinedTermSet"
    assert glossary["url"] == f"{HOST}/glossary/"
    terms = glossary["hasDefinedTerm"]
    assert terms
    for term in terms:
        assert term["@type"] == "DefinedTerm"
        assert term["name"]
        assert term["description"]
        assert term["inDefinedTermSet"] == glossary["url"]
        assert term["url"].startswith(f"{HOST}/glossary/#")
        assert_citations(term)


def test_city_is_a_place_in_pakistan_with_coordinates(client):
    (karachi,) = blocks(client, "/cities/karachi/")
    city = City.objects.get(slug="karachi")
    assert karachi["@type"] == "Place"
    assert karachi["name"] == "Karachi"
    assert karachi["geo"] == {
        "@type": "GeoCoordinates",
        "latitude": float(city.latitude),
        "longitude": float(city.longitude),
    }
    assert karachi["containedInPlace"]["name"] == "Pakistan"
    assert_citations(karachi)


def test_structured_data_cannot_end_its_script_element(client):
    text = "Tricky </script><script>alert(1)</script> & <!-- co."
    Provider.objects.filter(slug="ibex").update(description=text)
    html = client.get("/providers/ibex/").content.decode()
    head = Head()
    head.feed(html)
    (thing,) = [json.loads(block) for block in head.json_ld]
    assert thing["description"] == text
    block = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in block and ">" not in block and "&" not in block
    # Data blocks, not scripts: the Content-Security-Policy has nothing to allow.
    assert set(head.script_types) <= {None, "application/ld+json"}


# Sitemap and robots.txt


def sitemap_addresses(client):
    """{section: [(address, lastmod)]} from the sitemap index and every sitemap it names."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert "noindex" in response["X-Robots-Tag"]
    index = ET.fromstring(response.content)
    found = {}
    for sitemap in index.iter(f"{SITEMAP}sitemap"):
        location = sitemap.find(f"{SITEMAP}loc").text
        assert location.startswith(f"{HOST}/sitemap-")
        parts = urlsplit(location)
        section = parts.path.removeprefix("/sitemap-").removesuffix(".xml")
        page = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        assert page.status_code == 200
        for url in ET.fromstring(page.content).iter(f"{SITEMAP}url"):
            lastmod = url.find(f"{SITEMAP}lastmod")
            found.setdefault(section, []).append(
                (url.find(f"{SITEMAP}loc").text, None if lastmod is None else lastmod.text)
            )
    return found


@pytest.fixture
def call_centre_in_karachi(db):
    """A provider of the knowledge base (not demo data) offering call centres in Karachi."""
    from tests.factories import ProviderCityFactory, ProviderFactory, ProviderServiceFactory

    provider = ProviderFactory(slug="karachi-calls", name="Karachi Calls")
    ProviderServiceFactory(
        provider=provider, service_line=ServiceLine.objects.get(slug="call-centres")
    )
    ProviderCityFactory(provider=provider, city=City.objects.get(slug="karachi"))
    return provider


def test_sitemap_lists_every_public_page_kind_and_no_demo_data(client, call_centre_in_karachi):
    demo.generate(5, seed=1)  # demo providers offer services in cities too
    found = sitemap_addresses(client)
    assert set(found) == {
        "pages",
        "organisation",
        "service-line",
        "city",
        "provider",
        "industry",
        "incentive",
        "source",
        "service-city",
    }
    listed = [address for section in found.values() for address, _ in section]
    assert len(listed) == len(set(listed)), "an address is listed twice"
    addresses = set(listed)
    assert all(address.startswith(f"{HOST}/") for address in addresses)
    paths = {urlsplit(address).path for address in addresses}
    for page in [
        "/",
        "/providers/",
        "/services/",
        "/cities/",
        "/compare/",
        "/incentives/",
        "/statistics/",
        "/challenges/",
        "/advantages/",
        "/markets/",
        "/industries/",
        "/timeline/",
        "/glossary/",
        "/technologies/",
        "/effects/",
        "/outlook/",
        "/disagreements/",
        "/organisations/",
        "/sources/",
        "/changes/",
    ]:
        assert page in paths, page
    assert not any(path.startswith("/search/") for path in paths)
    assert not any("#" in address or "?" in address for address in addresses)
    for model in (Organisation, ServiceLine, City, Industry, Incentive):
        for row in model.objects.all():
            assert row.get_absolute_url() in paths
    real = set(Provider.objects.real().values_list("slug", flat=True))
    shown = {
        path.split("/")[2]
        for path in paths
        if path.startswith("/providers/") and path != "/providers/"
    }
    assert shown == real
    assert Provider.objects.filter(is_demo=True).count() == 5
    assert f"/sources/{demo.DEMO_SOURCE['slug']}/" not in paths
    assert f"/sources/{Source.objects.exclude(slug=demo.DEMO_SOURCE['slug'])[0].slug}/" in paths
    # A service in a city is listed where a provider of the knowledge base offers it there.
    assert [urlsplit(address).path for address, _ in found["service-city"]] == [
        "/services/call-centres/karachi/"
    ]
    # Every record's lastmod is when it last changed.
    ibex = Provider.objects.get(slug="ibex")
    lastmods = dict(found["provider"])
    assert lastmods[f"{HOST}/providers/ibex/"] == timezone.localdate(ibex.modified).isoformat()


def test_every_page_in_the_sitemap_sections_opens(client, call_centre_in_karachi):
    for section, entries in sitemap_addresses(client).items():
        address, _ = entries[0]
        assert client.get(urlsplit(address).path).status_code == 200, section


def test_sitemap_is_served_from_the_cache_the_second_time(client, django_assert_num_queries):
    first = client.get("/sitemap-provider.xml")
    with django_assert_num_queries(1):
        again = client.get("/sitemap-provider.xml")
    assert again.content == first.content
    assert "noindex" in again["X-Robots-Tag"]


def test_unknown_sitemap_section_is_not_found(client):
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_admin_and_search(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert f"Sitemap: {HOST}/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /search/" in lines
    assert "User-agent: *" in lines
