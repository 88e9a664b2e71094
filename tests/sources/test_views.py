import json

import pytest
from django.urls import reverse

from bpo_portal.core.kinds import kinds
from bpo_portal.directory.models import Provider
from bpo_portal.sources.models import Citation, Cited, Source

pytestmark = pytest.mark.django_db


def test_source_list(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # the data version, the citation counts, the sources
        response = client.get(reverse("sources:list"))
    html = response.content.decode()
    assert "Contact-centre outsourcing in Pakistan" in html
    assert "Article · title ours ·" in html  # the title of an untitled article is ours
    for source in response.context["sources"]:
        assert source.citation_count == source.citations.count()
        assert f"{source.citation_count} citation" in html


def test_source_list_counts_citations_again_only_when_they_change(
    client, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counted(response, slug):
        return {s.slug: s.citation_count for s in response.context["sources"]}[slug]

    url = reverse("sources:list")
    before = counted(client.get(url), "contact-centres")
    source = Source.objects.get(slug="contact-centres")
    source.publisher = "A corrected publisher"
    with django_capture_on_commit_callbacks(execute=True):  # the data version moves on
        source.save()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert "A corrected publisher" in response.content.decode()  # the page was made again
    assert not [q for q in captured if "sources_citation" in q["sql"]]  # the counts were not
    citation = Citation.objects.filter(source=source).first()
    citation.pk, citation.section = None, "A second place"
    with django_capture_on_commit_callbacks(execute=True):
        citation.save()
    assert counted(client.get(url), "contact-centres") == before + 1


def test_source_page_lists_everything_taken_from_it(
    client, many_providers, django_assert_max_num_queries
):
    # One query per kind of fact the source supports, whatever the number of facts.
    cited_kinds = sum(issubclass(kind.model, Cited) for kind in kinds())
    with django_assert_max_num_queries(cited_kinds + 6):
        response = client.get(reverse("sources:detail", args=["contact-centres"]))
    html = response.content.decode()
    shown = sum(len(citations) for _, citations in response.context["sections"])
    assert shown == Citation.objects.filter(source__slug="contact-centres").count()
    assert 'id="section-technical-support"' in html
    assert "Telenor offers Call and contact centres" in html
    assert 'href="/providers/telenor/"' in html


def test_unknown_source_is_404(client):
    assert client.get("/sources/nothing/").status_code == 404


def test_export(client):
    rows = json.loads(b"".join(client.get("/sources/?format=json").streaming_content))
    assert (
        len(rows) == Source.objects.count()
        and sum(r["citations"] for r in rows) == Citation.objects.count()
    )


def test_a_cited_field_is_named_in_words(client):
    citation = Citation.objects.filter(field="founded_year").select_related("source").first()
    html = client.get(reverse("sources:detail", args=[citation.source.slug])).content.decode()
    assert "(founded year)" in html
    assert "(foundedyear)" not in html and "(founded_year)" not in html


def test_the_note_on_our_headings_shows_only_beside_one(client):
    from tests.factories import CitationFactory, SourceFactory

    plain = SourceFactory(headings=["Opening", "Findings"])
    CitationFactory(source=plain, fact=Provider.objects.get(slug="ibex"))
    ours = SourceFactory(headings=["[Opening, untitled]", "Findings"])
    CitationFactory(source=ours, fact=Provider.objects.get(slug="ibex"))
    note = "Headings in square brackets are ours"
    assert note not in client.get(reverse("sources:detail", args=[plain.slug])).text
    assert note in client.get(reverse("sources:detail", args=[ours.slug])).text
