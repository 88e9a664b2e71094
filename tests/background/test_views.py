"""The questions the articles answer beyond the directory: markets, industries, history,
terms, technologies, effects and outlook; each answer cites its article and section."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils.html import escape

from bpo_portal.background.models import Event, Statement, Technology, Term
from bpo_portal.directory.models import Industry, Market

pytestmark = pytest.mark.django_db


def html(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def cited(page, section):
    """The page cites `section` of an article in its footnotes."""
    return f"section “{section}”" in page


def test_which_markets_and_which_competitors(client):
    page = html(client, reverse("directory:market_list"))
    for market in Market.objects.filter(role="client"):
        assert market.name in page
    assert "Competing destinations" in page and "India" in page
    assert cited(page, "Comparison with Other Countries in This Industry")
    assert "Home and abroad: what the sources say" in page


def test_which_providers_and_service_lines_concern_healthcare(client):
    page = html(client, reverse("directory:industry_detail", args=["healthcare"]))
    healthcare = Industry.objects.get(slug="healthcare")
    for link in healthcare.line_links.select_related("service_line"):
        assert link.service_line.name in page
    assert "Not stated in the sources: no article names a provider for healthcare" in page
    assert "Our inference" in page
    assert cited(page, "Healthcare Support Services")


def test_the_directory_filters_by_industry_with_counts(client):
    response = client.get(reverse("directory:provider_list"), {"industry": "finance-and-banking"})
    facets = {f.name: {v.value: v.count for v in f.values} for f in response.context["facets"]}
    count = response.context["page"].paginator.count
    assert count > 0 and facets["industry"]["finance-and-banking"] == count
    assert "serving finance" in response.content.decode()


def test_what_happened_in_2003_and_when_contact_centres_started(client):
    page = html(client, reverse("background:timeline"))
    timeline = page[page.index('<ol class="timeline">') :]
    assert "2003" in timeline and "Telecom sector opened up" in timeline
    assert "early 2000s" in timeline and "First contact centres open in Pakistan" in timeline
    assert "over the past decade" in timeline  # an imprecise date stays imprecise
    dates = [timeline.index(d) for d in ("early 1990s", ">2003<", "over the past decade")]
    assert dates == sorted(dates)
    assert cited(page, "Historical Background of Contact Centers in Pakistan")
    assert "Systems Limited founded" in page  # founding years sit on the timeline


def test_what_kpo_means(client):
    page = html(client, reverse("background:glossary"))
    kpo = Term.objects.get(abbreviation="KPO")
    assert f'id="{kpo.slug}"' in page and kpo.definition in page
    assert cited(page, "Knowledge Process Outsourcing (KPO)")


def test_the_first_use_of_a_term_on_another_page_links_to_the_glossary(client):
    page = html(client, reverse("sector:advantage_list"))
    assert page.count('class="term" href="/glossary/#') >= 1
    links = [part.split('"')[0] for part in page.split('class="term" href="')[1:]]
    assert len(links) == len(set(links))  # each term linked once per page


def test_technologies_say_what_they_change(client):
    page = html(client, reverse("background:technology_list"))
    ai = Technology.objects.get(abbreviation="AI")
    assert escape(ai.effect) in page
    assert "Emerging Technologies: AI, Automation, and Chatbots" in page


def test_effects_and_outlook_are_cited_statements(client):
    effects = html(client, reverse("background:effects"))
    outlook = html(client, reverse("background:outlook"))
    for statement in Statement.objects.exclude(topic__in=["outlook", "markets"])[:20]:
        assert statement.text.replace("'", "&#x27;") in effects
    for statement in Statement.objects.filter(topic="outlook"):
        assert f'<li id="{statement.slug}">' in outlook


@pytest.mark.parametrize(
    "url, label",
    [
        ("/providers/systems-limited/", "our reading"),
        ("/organisations/sbp/", "our classification"),
        ("/organisations/", "our classification"),
        ("/services/", "grouping is ours"),
        ("/services/technical-support/", "grouping is ours"),
        ("/statistics/?metric=it-exports", "period is our reading"),
        ("/challenges/", "pairing is ours"),
        ("/advantages/", "grouping is ours"),
        ("/glossary/", "definition is ours"),
        ("/technologies/", "name spelled out by us"),
        ("/cities/", "reference geography"),
        ("/", "province: reference geography"),
    ],
)
def test_ours_is_labelled_wherever_a_classification_of_ours_shows(client, url, label):
    assert f'<span class="ours">{label}' in html(client, url)


def test_ours_is_in_the_exports_too(client):
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get("/organisations/?format=csv").streaming_content).decode()
            )
        )
    )
    assert {r["slug"]: r["kind_is_ours"] for r in rows}["sbp"] == "True"
    rows = list(
        csv.DictReader(
            io.StringIO(b"".join(client.get("/services/?format=csv").streaming_content).decode())
        )
    )
    assert {r["slug"]: r["category_is_ours"] for r in rows}["technical-support"] == "True"


def test_every_event_keeps_its_date_as_imprecise_as_the_source():
    for event in Event.objects.all():
        if event.precision in ("span_to_now", "relative"):
            assert event.year is None, event
        else:
            assert event.year is not None and event.date_text, event


@pytest.mark.parametrize(
    "url, queries",
    [
        ("/markets/", 7),
        ("/industries/", 5),
        ("/industries/healthcare/", 10),
        ("/timeline/", 7),
        ("/glossary/", 3),
        ("/technologies/", 5),
        ("/effects/", 3),
        ("/outlook/", 3),
    ],
)
def test_query_counts(client, many_providers, django_assert_max_num_queries, url, queries):
    """Computed afresh, each page takes a fixed number of queries, whatever the rows."""
    with django_assert_max_num_queries(queries):
        assert client.get(url).status_code == 200
