import csv
import io
import json
from collections import Counter

import pytest
from django.db.models import Count
from django.urls import reverse

from bpo_portal.core import exports
from bpo_portal.core.caching import current_version
from bpo_portal.directory.models import City, Provider, ProviderCity, ProviderService, ServiceLine
from tests.factories import bulk_providers

pytestmark = pytest.mark.django_db

# Bounds of a page computed afresh (the first query reads the data version), with the real
# knowledge base plus 120 bulk providers: no query per row. The facet index and the reference
# rows are read first, as each worker holds them for a data version (their own queries:
# tests/directory/test_facets.py and test_reference_rows_are_read_once_per_version below).
# A page served from the cache takes one query (tests/portal/test_query_counts.py).
MAX_QUERIES = {
    "list": 6,
    "detail": 11,
    "compare": 7,
    "services": 3,
    "service": 17,
    "cities": 3,
    "city": 7,
}


def text(response):
    return response.content.decode()


def streamed(response):
    return b"".join(response.streaming_content).decode()


def get(client, url, data=None, max_queries=None, assert_max=None):
    if assert_max is None:
        return client.get(url, data)
    with assert_max(max_queries):
        return client.get(url, data)


class TestDirectory:
    url = reverse("directory:provider_list")

    def test_lists_every_real_provider(self, client):
        response = client.get(self.url)
        assert response.status_code == 200
        assert f"{Provider.objects.real().count()} providers" in text(response)
        for name in ["Ibex", "TRG Pakistan", "Systems Limited", "Telenor", "PTCL", "Ufone"]:
            assert name in text(response)

    def test_who_offers_technical_support(self, client):
        response = client.get(self.url, {"service": "technical-support"})
        assert "1 provider offering technical support" in text(response)
        assert [p.name for p in response.context["page"].object_list] == ["Ibex"]

    def test_repeated_service_means_any_of_them(self, client):
        response = client.get(
            self.url, {"service": ["technical-support", "telemarketing-and-sales"]}
        )
        names = [p.name for p in response.context["page"].object_list]
        assert names == ["Ibex", "TRG Pakistan"]
        assert "2 providers offering technical support or telemarketing and sales" in text(response)

    def test_combined_filters(self, client):
        response = client.get(
            self.url, {"category": "customer-support", "kind": "multinational", "sort": "-name"}
        )
        names = [p.name for p in response.context["page"].object_list]
        assert names == ["Ufone", "Telenor", "PTCL"]

    def test_founded_range_and_sort(self, client):
        response = client.get(
            self.url, {"founded_min": 1970, "founded_max": 2005, "sort": "founded"}
        )
        names = [p.name for p in response.context["page"].object_list]
        assert names == ["Systems Limited", "TRG Pakistan"]
        assert "founded 1970–2005" in text(response)

    def test_text_search_covers_former_names(self, client):
        response = client.get(self.url, {"q": "TRG Customer"})
        assert [p.name for p in response.context["page"].object_list] == ["Ibex"]

    def test_city_filter_says_nothing_is_stated(self, client):
        response = client.get(self.url, {"city": "karachi"})
        assert "0 providers in Karachi" in text(response)
        assert "No provider matches" in text(response)

    def test_facet_counts_are_within_the_current_result(self, client):
        response = client.get(self.url, {"category": "customer-support"})
        facets = {f.name: {v.value: v for v in f.values} for f in response.context["facets"]}
        assert facets["service"]["call-centres"].count == 4
        assert facets["service"]["technical-support"].count == 1
        assert facets["kind"]["multinational"].count == 3
        assert facets["category"]["customer-support"].selected
        assert facets["service"]["call-centres"].toggled == ["call-centres"]

    def test_facet_links_add_and_remove_values_and_keep_other_filters(self, client):
        response = client.get(self.url, {"service": "call-centres", "sort": "-name", "page": "1"})
        html = text(response)
        assert 'href="?service=call-centres&amp;sort=-name&amp;kind=multinational"' in html
        assert 'href="?sort=-name"' in html  # removing the selected service
        assert "page=1" not in html.split('class="facets"')[1].split("</div>")[0]

    def test_pagination_keeps_every_filter(self, client, many_providers):
        response = client.get(self.url, {"kind": "local", "sort": "-founded", "page": "2"})
        html = text(response)
        assert response.context["page"].number == 2
        assert 'href="?kind=local&amp;sort=-founded&amp;page=3"' in html
        assert 'href="?kind=local&amp;sort=-founded&amp;page=1"' in html

    @pytest.mark.parametrize(
        "params, message",
        [
            ({"service": "no-such-line"}, "Ignored service=“no-such-line”"),
            ({"founded_min": "nineteen"}, "Ignored founded_min=“nineteen”"),
            ({"kind": "alien"}, "Ignored kind=“alien”"),
            ({"sort": "salary"}, "Ignored sort=“salary”"),
            ({"page": "999"}, "There is no page “999”"),
            ({"page": "x"}, "There is no page “x”"),
        ],
    )
    def test_bad_values_get_a_message_not_an_error(self, client, params, message):
        response = client.get(self.url, params)
        assert response.status_code == 200
        assert message in text(response)

    def test_query_count_does_not_grow_with_rows(
        self, client, many_providers, worker_ready, django_assert_max_num_queries
    ):
        get(
            client,
            self.url,
            {"service": ["call-centres", "data-entry"], "city": "karachi", "sort": "founded"},
            MAX_QUERIES["list"],
            django_assert_max_num_queries,
        )
        get(client, self.url, {"page": "3"}, MAX_QUERIES["list"], django_assert_max_num_queries)

    def test_a_filtered_page_reads_only_its_providers(
        self, client, many_providers, worker_ready, django_assert_num_queries
    ):
        """The data version and the page's providers: the chosen service lines and cities are
        checked against the reference rows, and each row's lines and cities come from the
        facet index, not from queries."""
        with django_assert_num_queries(2):
            response = client.get(
                self.url,
                {"service": ["call-centres", "data-entry"], "city": ["karachi", "lahore"]},
            )
        assert response.context["page"].object_list

    def test_rows_list_the_lines_and_cities_the_link_tables_hold(
        self, client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            providers = bulk_providers(30)

        def shown(page):
            return {
                p.slug: ([line.slug for line in p.listed_lines], [c.slug for c in p.listed_cities])
                for p in page.object_list
            }

        def stored(slugs):
            links = {slug: ([], []) for slug in slugs}
            for slug, line in (
                ProviderService.objects.filter(provider__slug__in=slugs)
                .order_by("service_line__name")
                .values_list("provider__slug", "service_line__slug")
            ):
                links[slug][0].append(line)
            for slug, city in (
                ProviderCity.objects.filter(provider__slug__in=slugs)
                .order_by("city_id")
                .values_list("provider__slug", "city__slug")
            ):
                links[slug][1].append(city)
            return links

        for params in ({}, {"page": "2"}, {"service": "call-centres"}, {"sort": "-founded"}):
            page = client.get(self.url, params).context["page"]
            assert shown(page) == stored(list(shown(page)))
        provider = providers[0]
        with django_capture_on_commit_callbacks(execute=True):
            provider.service_links.all().delete()
            other_city = City.objects.exclude(providers=provider).order_by("-pk").first()
            ProviderCity.objects.create(provider=provider, city=other_city)
        params = {"city": other_city.slug, "founded_max": provider.founded_year}
        response = client.get(self.url, params)
        page = response.context["page"]
        assert shown(page) == stored(list(shown(page)))
        assert shown(page)[provider.slug] == ([], stored([provider.slug])[provider.slug][1])
        assert "Services not stated in the sources." in text(response)

    def test_csv_export_has_every_matching_row(self, client, many_providers):
        response = client.get(self.url, {"kind": "local", "format": "csv"})
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(streamed(response).removeprefix("\ufeff"))))
        assert len(rows) == Provider.objects.filter(kind="local").count()
        assert len(rows) > len(many_providers)
        systems = next(r for r in rows if r["slug"] == "systems-limited")
        assert systems["founded_year"] == "1977"
        address = reverse("directory:provider_detail", args=["systems-limited"])
        assert systems["url"] == "http://testserver" + address
        assert all(r["url"] == f"http://testserver/providers/{r['slug']}/" for r in rows)
        assert systems["service_lines"].split("; ") == [
            "business-process-outsourcing",
            "call-centres",
            "data-management",
            "software-development",
        ]

    def test_json_export_uses_the_same_filters(self, client):
        response = client.get(self.url, {"service": "call-centres", "format": "json"})
        rows = json.loads(streamed(response))
        assert sorted(r["name"] for r in rows) == ["PTCL", "Systems Limited", "Telenor", "Ufone"]

    def test_export_in_chunks_has_the_same_rows(self, client, many_providers, monkeypatch):
        whole = streamed(client.get(self.url, {"format": "csv"}))
        monkeypatch.setattr(exports, "CHUNK", 7)  # each chunk's links looked up on their own
        assert streamed(client.get(self.url, {"format": "csv"})) == whole
        assert whole.count("\n") == Provider.objects.count() + 1

    def test_export_query_count_is_bounded(
        self, client, many_providers, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(5):  # per chunk: providers and three link tables
            streamed(client.get(self.url, {"format": "csv"}))


class TestProfile:
    def test_every_fact_has_a_numbered_citation(self, client):
        response = client.get(reverse("directory:provider_detail", args=["trg-pakistan"]))
        html = text(response)
        assert "2002" in html and "Ambiguous" in html
        assert "The Resource Group International" in html
        assert html.count('<sup class="cite">') >= 7
        assert 'id="cite-1"' in html
        assert "Key Players in the Pakistani BPO Industry" in html
        assert reverse("sources:detail", args=["bpo-overview"]) + "#section-key-players" in html

    def test_silence_is_stated(self, client):
        html = text(client.get(reverse("directory:provider_detail", args=["sp-global"])))
        assert "The sources do not say which services S&amp;P Global offers." in html
        # founded, parent, headcount, markets, industries, cities
        assert html.count("Not stated in the sources") == 6
        assert "None stated in the sources" in html  # other names

    def test_services_grouped_by_category_and_former_names(self, client):
        response = client.get(reverse("directory:provider_detail", args=["ibex"]))
        groups = {
            c.name: [link.service_line.name for link in links]
            for c, links in response.context["profile"].service_groups
        }
        assert groups == {
            "Customer support services": ["Customer care", "Technical support"],
            "Digital marketing": ["Digital marketing (general)"],
        }
        assert "TRG Customer Solutions" in text(response)

    def test_similar_providers_and_compare_links(self, client):
        response = client.get(reverse("directory:provider_detail", args=["telenor"]))
        similar = [p.name for p, shared in response.context["profile"].similar]
        assert similar == ["PTCL", "Systems Limited", "Ufone"]
        assert "/compare/?p=telenor&amp;p=ptcl" in text(response)

    def test_similar_providers_rank_by_lines_in_common_then_name(self, client, many_providers):
        provider = many_providers[7]
        lines = set(provider.service_links.values_list("service_line", flat=True))
        in_common = Counter(
            ProviderService.objects.filter(service_line__in=lines)
            .exclude(provider=provider)
            .values_list("provider__name", flat=True)
        )
        expected = sorted(in_common.items(), key=lambda item: (-item[1], item[0]))[:6]
        response = client.get(reverse("directory:provider_detail", args=[provider.slug]))
        similar = [(other.name, shared) for other, shared in response.context["profile"].similar]
        assert similar == expected and expected[0][1] > 1

    def test_cached_page_changes_after_a_curators_save(
        self, client, django_capture_on_commit_callbacks
    ):
        url = reverse("directory:provider_detail", args=["ibex"])
        old = "A major provider centred on managing customer experience"
        assert old in text(client.get(url))
        ibex = Provider.objects.get(slug="ibex")
        ibex.description = "Corrected by a curator."
        with django_capture_on_commit_callbacks(execute=True):
            ibex.save()
        html = text(client.get(url))
        assert "Corrected by a curator." in html and old not in html

    def test_unknown_provider_is_a_helpful_404(self, client):
        response = client.get(reverse("directory:provider_detail", args=["nobody"]))
        assert response.status_code == 404
        assert "We could not find that page" in text(response)

    def test_query_count(self, client, many_providers, worker_ready, django_assert_max_num_queries):
        url = reverse("directory:provider_detail", args=["bulk-provider-007"])
        with django_assert_max_num_queries(MAX_QUERIES["detail"]):
            assert "Bulk provider 007" in text(client.get(url))


def test_reference_rows_are_read_once_per_version(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """Service lines (with categories), cities, markets, industries and sources: five queries
    once per data version, kept while a save leaves them as they were (a provider's); a rename
    shows on the next page."""
    from bpo_portal.core.caching import current_stamp
    from bpo_portal.directory.selectors import reference_rows

    version = current_version()
    with django_assert_num_queries(5):
        reference_rows(version)
    with django_assert_num_queries(0):
        reference_rows(version)
    with django_capture_on_commit_callbacks(execute=True):
        Provider.objects.get(slug="ibex").save()
    version = current_stamp()[0]  # as a request reads it
    with django_assert_num_queries(0):
        reference_rows(version)
    url = reverse("directory:provider_detail", args=["ibex"])
    assert ">Technical support</a>" in text(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        line = ServiceLine.objects.get(name="Technical support")
        line.name = "Technical help desks"
        line.save()
    html = text(client.get(url))
    assert ">Technical help desks</a>" in html and ">Technical support</a>" not in html


class TestCompare:
    def test_query_form_redirects_to_the_canonical_url(self, client):
        response = client.get(reverse("directory:compare_start"), {"p": ["trg-pakistan", "ibex"]})
        assert response.status_code == 302
        assert response.url == "/compare/ibex-vs-trg-pakistan/"

    def test_unsorted_url_redirects_permanently(self, client):
        response = client.get("/compare/trg-pakistan-vs-ibex/")
        assert (response.status_code, response.url) == (301, "/compare/ibex-vs-trg-pakistan/")

    def test_adding_a_provider_by_name(self, client):
        response = client.get(
            reverse("directory:compare_start"), {"p": ["ibex", "trg-pakistan"], "add": "telenor"}
        )
        assert response.url == "/compare/ibex-vs-telenor-vs-trg-pakistan/"

    def test_grid_rows(self, client):
        response = client.get("/compare/ibex-vs-systems-limited/")
        html = text(response)
        assert [p.slug for p in response.context["providers"]] == ["ibex", "systems-limited"]
        rows = {
            row.label: [bool(cell) for cell in row.cells]
            for row in response.context["service_rows"]
        }
        assert rows["Technical support"] == [True, False]
        assert rows["Software development"] == [False, True]
        assert "Not stated" in html and ">No<" not in html
        assert "1977" in html
        assert 'href="/compare/?p=' not in html  # two providers: nothing to remove

    def test_remove_links_for_three_or_more(self, client):
        html = text(client.get("/compare/ibex-vs-ptcl-vs-telenor/"))
        assert 'href="/compare/ptcl-vs-telenor/"' in html

    @pytest.mark.parametrize("params", [{"p": "ibex"}, {}, {"p": ["ibex", "ibex"]}])
    def test_fewer_than_two_gets_a_message(self, client, params):
        response = client.get(reverse("directory:compare_start"), params)
        assert response.status_code == 200
        if params:
            assert "Choose at least two providers" in text(response)

    def test_more_than_eight_gets_a_message(self, client, many_providers):
        slugs = [p.slug for p in many_providers[:9]]
        response = client.get(reverse("directory:compare_start"), {"p": slugs})
        assert "Compare at most 8 providers" in text(response)

    def test_unknown_slug_is_dropped_with_a_message(self, client):
        response = client.get("/compare/ibex-vs-nobody-vs-ptcl/", follow=True)
        assert response.redirect_chain[-1][0] == "/compare/ibex-vs-ptcl/"
        assert "Not found, so left out: nobody." in text(response)

    def test_query_count_with_eight(
        self, client, many_providers, worker_ready, django_assert_max_num_queries
    ):
        slugs = sorted(p.slug for p in many_providers[:8])
        with django_assert_max_num_queries(MAX_QUERIES["compare"]):
            response = client.get(f"/compare/{'-vs-'.join(slugs)}/")
        assert response.status_code == 200


class TestServices:
    def test_categories_with_lines_and_counts(
        self, client, worker_ready, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(MAX_QUERIES["services"]):
            response = client.get(reverse("directory:service_list"))
        html = text(response)
        assert "Back-office services" in html and "Payroll processing" in html
        counts = {
            line.slug: line.provider_count
            for category in response.context["categories"]
            for line in category.service_lines.all()
        }
        assert counts["call-centres"] == 4 and counts["technical-support"] == 1

    def test_the_counts_from_the_facet_index_are_the_databases(
        self, client, many_providers, worker_ready, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(MAX_QUERIES["services"]):
            response = client.get(reverse("directory:service_list"))
        counts = {
            line.slug: line.provider_count
            for category in response.context["categories"]
            for line in category.service_lines.all()
        }
        in_sql = ServiceLine.objects.with_provider_counts()
        assert counts == {line.slug: line.provider_count for line in in_sql}

    def test_service_line_page(self, client):
        response = client.get(reverse("directory:service_detail", args=["technical-support"]))
        html = text(response)
        assert "Software troubleshooting" in html  # an example task
        assert "Grouped differently by another source" in html and "IT services" in html
        assert [p.name for p in response.context["page"].object_list] == ["Ibex"]
        assert "Help desks" in html  # related line in the same category

    @pytest.mark.parametrize("city", [None, "karachi"])
    def test_providers_of_a_line_by_name_page_by_page(self, client, city):
        bulk_providers(400)
        offering = Provider.objects.filter(service_links__service_line__slug="call-centres")
        if city:
            offering = offering.filter(city_links__city__slug=city)
        expected = list(offering.distinct().order_by("name", "id").values_list("name", flat=True))
        args = ["call-centres", city] if city else ["call-centres"]
        url = reverse("directory:service_city" if city else "directory:service_detail", args=args)
        shown, number = [], 1
        while True:
            response = client.get(url, {"page": number})
            page = response.context["page"]
            assert page.paginator.count == len(expected)
            for provider in page.object_list:  # each with the cited link that puts it here
                assert [link.service_line.slug for link in provider.cited_links] == ["call-centres"]
                assert provider.cited_links[0].cited()
            shown += [provider.name for provider in page.object_list]
            if not page.has_next():
                break
            number += 1
        assert shown == expected and len(expected) > (0 if city else 20)
        related = {line.slug: line.provider_count for line in response.context["related"]}
        in_sql = ServiceLine.objects.filter(slug__in=related).with_provider_counts()
        assert related == {line.slug: line.provider_count for line in in_sql}

    def test_service_by_city_landing_page(self, client):
        response = client.get(
            reverse("directory:service_city", args=["technical-support", "karachi"])
        )
        assert response.status_code == 200
        assert "The sources name no provider of technical support in Karachi" in text(response)

    def test_city_filter_redirects_and_bad_city_gets_a_message(self, client):
        response = client.get(
            reverse("directory:service_detail", args=["data-entry"]), {"city": "lahore"}
        )
        assert response.url == "/services/data-entry/lahore/"
        response = client.get(
            reverse("directory:service_detail", args=["data-entry"]), {"city": "atlantis"}
        )
        assert "Ignored city=“atlantis”" in text(response)

    def test_unknown_service_or_city_is_404(self, client):
        assert client.get("/services/nothing/").status_code == 404
        assert client.get("/services/data-entry/atlantis/").status_code == 404

    def test_query_counts(
        self, client, many_providers, worker_ready, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(MAX_QUERIES["service"]):
            client.get(reverse("directory:service_detail", args=["call-centres"]))
        with django_assert_max_num_queries(MAX_QUERIES["service"]):
            client.get(reverse("directory:service_city", args=["call-centres", "lahore"]))

    def test_export(self, client):
        rows = list(csv.DictReader(io.StringIO(streamed(client.get("/services/?format=csv")))))
        assert len(rows) == ServiceLine.objects.count()


class TestCities:
    def test_city_list_with_map(
        self, client, many_providers, worker_ready, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(MAX_QUERIES["cities"]):
            response = client.get(reverse("directory:city_list"))
        html = text(response)
        assert html.count('class="map-point"') == 3
        assert "Sindh" in html and "international standards" in html
        in_sql = City.objects.annotate(provider_count=Count("provider_links"))
        assert {c.slug: c.provider_count for c in response.context["cities"]} == {
            c.slug: c.provider_count for c in in_sql
        }

    def test_city_page_says_when_providers_are_not_stated(self, client):
        html = text(client.get(reverse("directory:city_detail", args=["lahore"])))
        assert "Not stated in the sources" in html

    def test_city_page_query_count(
        self, client, many_providers, worker_ready, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(MAX_QUERIES["city"]):
            response = client.get(reverse("directory:city_detail", args=["karachi"]))
        assert len(response.context["page"].object_list) == 20
        in_sql = ServiceLine.objects.filter(
            provider_links__provider__city_links__city__slug="karachi"
        )
        assert response.context["lines"] == list(in_sql.distinct().order_by("name"))

    def test_export(self, client):
        rows = json.loads(streamed(client.get("/cities/?format=json")))
        assert [r["name"] for r in rows] == ["Islamabad", "Karachi", "Lahore"]
