"""Sources of any kind, and citations that say where in them a fact is."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bpo_portal.directory.models import Organisation, Provider
from bpo_portal.sources.models import Citation, Source, attach_citations
from tests.factories import OrganisationFactory, ProviderFactory, SourceFactory

pytestmark = pytest.mark.django_db


def report(**fields):
    return Source(
        slug=fields.pop("slug", "pseb-annual-report"),
        kind=Source.Kind.REPORT,
        title="Annual report",
        summary="A report made for a test.",
        **fields,
    )


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/r.pdf", "example.org"])
def test_an_address_must_be_a_web_address(url):
    with pytest.raises(ValidationError) as error:
        report(url=url).full_clean()
    assert "http:// or https://" in str(error.value)


def test_a_duplicate_address_is_refused_with_a_link_to_the_existing_source():
    first = report(url="https://example.org/report.pdf")
    first.full_clean()
    first.save()
    second = report(slug="another", url="https://example.org/report.pdf")
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    message = error.value.message_dict["url"][0]
    assert f'href="/admin/sources/source/{first.pk}/change/"' in message
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(slug="third", title="x", summary="x", url=first.url)


def test_a_source_without_file_or_address_is_allowed_and_dated_as_precisely_as_known():
    from datetime import date

    source = report(published=date(2024, 3, 1), published_precision="month")
    source.full_clean()
    source.save()
    assert source.display_date == "March 2024"
    source.published_precision = "year"
    assert source.display_date == "2024"


def test_a_citation_names_a_place_in_its_source():
    ibex = Provider.objects.get(slug="ibex")
    without_headings = SourceFactory(headings=[])
    citation = Citation(fact=ibex, source=without_headings, note="A test.", page="14")
    citation.full_clean()
    citation.section = "Findings"
    with pytest.raises(ValidationError, match="has no section headings"):
        citation.full_clean()
    nowhere = Citation(fact=ibex, source=without_headings, note="A test.")
    with pytest.raises(ValidationError, match="Say where in the source"):
        nowhere.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        nowhere.save()
    assert Citation(page="14", table="Table 3").place == "page 14, Table 3"


def test_a_heading_in_other_letter_case_is_the_sources_own_and_a_wrong_one_lists_them():
    ibex = Provider.objects.get(slug="ibex")
    source = SourceFactory(headings=["Introduction", "Our people", "Findings"])
    citation = Citation(fact=ibex, source=source, note="A test.", section="Our  PEOPLE ")
    citation.full_clean()
    assert citation.section == "Our people"  # stored as the source spells it
    citation.save()
    citation.refresh_from_db()
    assert citation.section == "Our people"
    citation.section = "Our Peple"
    with pytest.raises(ValidationError) as error:
        citation.full_clean()
    message = error.value.message_dict["section"][0]
    assert message.startswith("“Our Peple” is not a section heading of this source.")
    assert "“Introduction”; “Our people”; “Findings”" in message


def test_citations_take_their_sources_from_those_given_and_read_the_missing_ones_at_once(
    django_assert_num_queries,
):
    known, added = SourceFactory(), [SourceFactory(), SourceFactory()]
    facts = [OrganisationFactory(cite=source) for source in [known, *added]]
    facts = list(Organisation.objects.filter(pk__in=[f.pk for f in facts]))
    sources = {known.pk: known}
    # The citations, then the two sources the page was not given: not one query per citation.
    with django_assert_num_queries(2):
        attach_citations(facts, sources=sources)
        shown = {fact.cited()[0].source.slug for fact in facts}
    assert shown == {s.slug for s in [known, *added]}
    assert next(f for f in facts if f.cited()[0].source_id == known.pk).cited()[0].source is known


def test_citations_go_to_their_own_fact_when_facts_of_two_kinds_share_an_id(
    django_assert_num_queries,
):
    sources = [SourceFactory(slug=slug) for slug in ["of-the-organisation", "of-the-provider"]]
    organisation = OrganisationFactory(cite=sources[0])
    provider = ProviderFactory(pk=organisation.pk + 10_000, cite=sources[1])
    twin = OrganisationFactory(pk=provider.pk, cite=SourceFactory(slug="of-the-twin"))
    # The twin's citation is not the provider's, and its source is not read.
    with django_assert_num_queries(1):
        attach_citations([organisation, provider], sources={s.pk: s for s in sources})
    assert [c.source.slug for c in organisation.cited()] == ["of-the-organisation"]
    assert [c.source.slug for c in provider.cited()] == ["of-the-provider"]
    attach_citations([twin], sources={})
    assert [c.source.slug for c in twin.cited()] == ["of-the-twin"]
