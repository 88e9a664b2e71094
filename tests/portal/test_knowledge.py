"""The loaded knowledge base matches the articles: every fact cited, counts as named."""

import re

import pytest
from django.apps import apps
from django.conf import settings

from bpo_portal.core.kinds import kinds
from bpo_portal.directory.models import Provider, ServiceLine
from bpo_portal.portal.knowledge import read_knowledge
from bpo_portal.sector.models import Incentive, Statistic
from bpo_portal.sources.models import Citation, Cited, Source

pytestmark = pytest.mark.django_db

CITED_MODELS = [m for m in apps.get_models() if issubclass(m, Cited)]


def article_text(source):
    path = settings.ARTICLES_DIR / source.file_name
    if not path.exists():
        pytest.skip(f"articles folder not found at {settings.ARTICLES_DIR}")
    return path.read_text(encoding="utf-8").replace("\u00a0", " ")


def test_every_kind_of_fact_is_a_cited_model():
    names = {m.__name__ for m in CITED_MODELS}
    assert {
        "Provider",
        "ProviderService",
        "ProviderAlias",
        "Statistic",
        "Incentive",
        "Challenge",
        "Advantage",
        "Solution",
        "City",
        "ServiceLine",
        "Disagreement",
    } <= names


@pytest.mark.parametrize("model", CITED_MODELS, ids=lambda m: m.__name__)
def test_every_fact_has_a_citation(model):
    uncited = model.objects.filter(citations__isnull=True)
    assert not uncited.exists(), f"{model.__name__} without a citation: {list(uncited)}"


def test_every_citation_names_a_heading_of_its_source():
    for citation in Citation.objects.select_related("source"):
        assert citation.section in citation.source.headings, citation


def test_source_headings_appear_in_the_articles():
    for source in Source.objects.all():
        # A heading is a line of its own, or the label before a colon that opens a paragraph.
        lines = {line.strip().split(":")[0] for line in article_text(source).splitlines()}
        lines |= {line.strip() for line in article_text(source).splitlines()}
        for heading in source.headings:
            if heading.startswith("["):
                continue  # a label of ours: an untitled part, or a heading too long to quote
            assert heading in lines, f"{heading!r} is not a heading of {source.file_name}"


def test_statistic_values_appear_in_their_cited_article():
    for statistic in Statistic.objects.prefetch_related("citations__source"):
        for citation in statistic.citations.all():
            text = article_text(citation.source).replace(",", "")
            number = format(statistic.value.normalize(), "f")
            assert re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", text), (
                f"{statistic.slug}: {number} not in {citation.source.file_name}"
            )


def test_the_providers_the_articles_name():
    assert set(Provider.objects.real().values_list("name", flat=True)) == {
        "TRG Pakistan",
        "Ibex",
        "Systems Limited",
        "S&P Global",
        "Telenor",
        "PTCL",
        "Ufone",
    }


def test_counts_of_what_was_loaded():
    """Every row of every kind in the knowledge file is in the database, and nothing else."""
    data = read_knowledge(settings.KNOWLEDGE_FILE)
    for kind in kinds():
        if kind.section:
            expected = len(data.get(kind.section) or [])
            assert kind.model.objects.exclude(**demo_rows(kind.model)).count() == expected, kind


def demo_rows(model):
    return {"is_demo": True} if model is Provider else {"pk__in": []}


def test_the_articles_new_kinds_of_knowledge_are_all_there():
    """Counts of what the five articles say about markets, industries, history, terms,
    technologies, effects and disagreements, as re-read for the knowledge base."""
    from bpo_portal.background.models import Event, Statement, Technology, Term
    from bpo_portal.directory.models import Industry, Market
    from bpo_portal.sector.models import Disagreement

    assert Market.objects.count() == 10 and Industry.objects.count() == 5
    assert Event.objects.count() == 14 and Term.objects.count() == 39
    assert Technology.objects.count() == 21 and Statement.objects.count() == 138
    assert Disagreement.objects.count() == 24
    assert set(Disagreement.objects.values_list("kind", flat=True)) == {
        "derivation",
        "period",
        "not_contradiction",
        "classification",
        "qualitative",
    }


def test_facts_as_the_articles_state_them():
    trg = Provider.objects.get(slug="trg-pakistan")
    assert (trg.founded_year, trg.founded_year_ambiguous, trg.parent.name) == (
        2002,
        True,
        "The Resource Group International",
    )
    ibex = Provider.objects.get(slug="ibex")
    assert ibex.headcount == "thousands"
    assert ibex.founded_year is None
    assert list(ibex.aliases.values_list("name", flat=True)) == ["TRG Customer Solutions"]
    assert Provider.objects.get(slug="systems-limited").founded_year == 1977
    assert not Provider.objects.filter(cities__isnull=False).exists()  # the sources never say


def test_technical_support_is_offered_by_ibex_and_its_other_grouping_is_recorded():
    line = ServiceLine.objects.get(slug="technical-support")
    assert list(line.providers.values_list("name", flat=True)) == ["Ibex"]
    assert line.category.slug == "customer-support"
    assert [g.category.slug for g in line.alternative_groupings.all()] == ["it-services"]


def test_incentive_kinds_and_recommendations():
    tax = set(Incentive.objects.filter(kind="tax").values_list("slug", flat=True))
    assert tax == {"tax-exemptions-and-reduced-rates", "moitt-it-ites-policies"}
    liberalisation = Incentive.objects.get(slug="telecom-liberalisation-2003")
    assert (liberalisation.year, liberalisation.body.abbreviation) == (2003, "PTA")
    assert Incentive.objects.filter(status=Incentive.Status.RECOMMENDED).count() == 3


def test_every_citation_field_is_a_field_of_its_fact():
    for citation in Citation.objects.select_related("content_type"):
        model = citation.content_type.model_class()
        assert citation.field in {"", *(f.name for f in model._meta.get_fields())}, citation


def test_the_loader_refuses_a_note_split_by_an_unquoted_comma():
    from bpo_portal.portal.knowledge import KnowledgeLoader, read_knowledge

    data = read_knowledge(settings.KNOWLEDGE_FILE)
    data["metrics"].append({"slug": "m", "name": "M", "unit": "people", "description": "d"})
    data["statistics"].append(
        {
            "slug": "broken",
            "metric": "m",
            "value": "1",
            "unit": "people",
            "scope": "s",
            "cite": [["contact-centres", "Skilled Workforce", "One part", "another part."]],
        }
    )
    with pytest.raises(ValueError, match="malformed citation"):
        KnowledgeLoader(data).load()


def test_what_the_audit_found_misstated_is_stated_as_the_articles_state_it():
    from bpo_portal.background.models import Term
    from bpo_portal.directory.models import Organisation
    from bpo_portal.sector.models import Disagreement

    assert "abbreviation" in Term.objects.get(slug="cagr").definition
    assert "only the full name" not in Term.objects.get(slug="cagr").definition
    government = Organisation.objects.get(slug="government-of-pakistan")
    assert "federal" not in government.description.casefold()
    sections = {c.section for c in government.citations.all()}
    assert "The Rise of BPO in Pakistan" in sections  # where subsidies and zones are named
    for disagreement in Disagreement.objects.all():
        assert "knowledge.yaml" not in disagreement.summary
    liberalisation = Incentive.objects.get(slug="telecom-liberalisation-2003")
    assert "regulator" not in liberalisation.description
    assert "Pakistan Telecommunication Authority" in liberalisation.description


def test_figures_keep_the_articles_currency_and_period():
    revenue = Statistic.objects.get(slug="bpo-revenue-2020")
    assert (revenue.display_value, revenue.period_kind) == ("around $2 billion", "year")
    assert Statistic.objects.get(slug="it-ites-exports-2022").display_value == "$2.5 billion"
    assert Statistic.objects.get(slug="it-exports-jul-mar-fy2022").display_value == (
        "US$1.948 billion"
    )
    sbp_growth = Statistic.objects.get(slug="it-export-growth-jul-mar-fy2022")
    assert sbp_growth.metric.slug == "it-export-growth-sbp"
    assert "BPO" not in sbp_growth.metric.name


def test_one_form_of_the_savings_range():
    data = settings.KNOWLEDGE_FILE.read_text(encoding="utf-8")
    assert "50-60%" not in data and "50–60%" in data
