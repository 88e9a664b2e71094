"""Questions and many-word queries, as new readers type them: the page they mean among the
first results of its kind, and for the questions search recognises, a direct answer built from
cited rows, with its citations. Run on SQLite and on PostgreSQL alike."""

import pytest
from django.urls import reverse

from bpo_portal.core import search
from bpo_portal.core.caching import current_version
from bpo_portal.core.models import StopWord
from bpo_portal.portal import answers
from bpo_portal.sector.models import Disagreement
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def run(query, **kwargs):
    return search.run(query, version=current_version(), **kwargs)


# (what a reader types, the page that must be among the first ten of its kind, and the answer:
# None, or (its shape, words of one of its lines, (source, section) of one of its citations))
QUESTIONS = [
    (
        "when was TRG Pakistan founded?",
        "/providers/trg-pakistan/",
        (
            "founded",
            "TRG Pakistan was founded in 2002.",
            ("bpo-overview", "Key Players in the Pakistani BPO Industry"),
        ),
    ),
    (
        "what year was systems limited founded",
        "/providers/systems-limited/",
        (
            "founded",
            "Systems Limited was founded in 1977.",
            ("bpo-overview", "Key Players in the Pakistani BPO Industry"),
        ),
    ),
    (
        "Ibex employees",
        "/providers/ibex/",
        (
            "headcount",
            "The sources put Ibex's staff at “thousan",
            ("bpo-overview", "Key Players in the Pakistani BPO Industry"),
        ),
    ),
    (
        "how many staff does ibex have",
        "/providers/ibex/",
        (
            "headcount",
            "The sources put Ibex's staff at “thousan",
            ("bpo-overview", "Key Players in the Pakistani BPO Industry"),
        ),
    ),
    (
        "telenor headcount",
        "/providers/telenor/",
        (
            "headcount",
            "How many people Telenor employs: not sta",
            ("bpo-overview", "Key Players in the Pakistani BPO Industry"),
        ),
    ),
    (
        "who owns TRG Pakistan",
        "/providers/trg-pakistan/",
        (
            "parent",
            "TRG Pakistan is part of The Resource Gro",
            ("bpo-overview", "Key Players in the Pakistani BPO Industry"),
        ),
    ),
    (
        "parent company of trg pakistan",
        "/providers/trg-pakistan/",
        (
            "parent",
            "TRG Pakistan is part of The Resource Gro",
            ("bpo-overview", "Key Players in the Pakistani BPO Industry"),
        ),
    ),
    (
        "ibex former name",
        "/providers/ibex/",
        (
            "former",
            "Ibex was formerly called TRG Customer So",
            ("bpo-overview", "Key Players in the Pakistani BPO Industry"),
        ),
    ),
    (
        "what was ibex formerly called",
        "/providers/ibex/",
        (
            "former",
            "Ibex was formerly called TRG Customer So",
            ("bpo-overview", "Key Players in the Pakistani BPO Industry"),
        ),
    ),
    (
        "what services does ibex offer",
        "/providers/ibex/",
        (
            "services",
            "Customer care",
            ("bpo-overview", "Key Players in the Pakistani BPO Industry"),
        ),
    ),
    (
        "systems limited services",
        "/providers/systems-limited/",
        (
            "services",
            "Business process outsourcing (full scope",
            ("bpo-overview", "Key Players in the Pakistani BPO Industry"),
        ),
    ),
    (
        "ptcl founded",
        "/providers/ptcl/",
        (
            "founded",
            "When PTCL was founded: not stated in the",
            ("contact-centres", "Notable Companies with Operations in Pakistan"),
        ),
    ),
    (
        "who offers data entry?",
        "/services/data-entry/",
        (
            "providers",
            "The sources name no provider for data en",
            ("bpo-overview", "Back-Office Services"),
        ),
    ),
    (
        "who offers payroll processing",
        "/services/payroll-processing/",
        (
            "providers",
            "The sources name no provider for payroll",
            ("bpo-overview", "Back-Office Services"),
        ),
    ),
    (
        "which companies provide call centre services",
        "/services/call-centres/",
        ("providers", "PTCL", ("contact-centres", "Notable Companies with Operations in Pakistan")),
    ),
    (
        "call center companies in karachi",
        "/services/call-centres/",
        (
            "providers",
            "The sources name no provider for call an",
            ("bpo-overview", "Customer Support Services"),
        ),
    ),
    (
        "contact center providers",
        "/services/call-centres/",
        ("providers", "PTCL", ("contact-centres", "Notable Companies with Operations in Pakistan")),
    ),
    (
        "who provides customer care in pakistan",
        "/services/customer-care/",
        ("providers", "Ibex", ("bpo-overview", "Key Players in the Pakistani BPO Industry")),
    ),
    (
        "firms offering technical support",
        "/services/technical-support/",
        ("providers", "Ibex", ("bpo-overview", "Key Players in the Pakistani BPO Industry")),
    ),
    (
        "which providers do software development",
        "/services/software-development/",
        (
            "providers",
            "Systems Limited",
            ("bpo-overview", "Key Players in the Pakistani BPO Industry"),
        ),
    ),
    (
        "companies for digital marketing",
        "/services/digital-marketing/",
        ("providers", "Ibex", ("bpo-overview", "Key Players in the Pakistani BPO Industry")),
    ),
    ("helpdesk outsourcing", "/services/help-desks/", None),
    ("outsourcing payroll and accounting", "/services/accounting-and-bookkeeping/", None),
    (
        "what is KPO",
        "/glossary/#knowledge-process-outsourcing",
        (
            "definition",
            "Knowledge process outsourcing (KPO): Out",
            ("bpo-overview", "Knowledge Process Outsourcing (KPO)"),
        ),
    ),
    (
        "what does BPO stand for",
        "/glossary/#business-process-outsourcing",
        (
            "definition",
            "Business process outsourcing (BPO): Cont",
            ("bpo-overview", "[Opening, untitled]"),
        ),
    ),
    (
        "define ITeS",
        "/glossary/#it-enabled-services",
        (
            "definition",
            "IT-enabled services (ITeS): Services del",
            ("contact-centres", "Factors Impacting the Growth of Contact Center Outsourcing"),
        ),
    ),
    (
        "what is a back office",
        "/glossary/#back-office",
        (
            "definition",
            "Back office: Administrative and support ",
            ("bpo-overview", "Back-Office Services"),
        ),
    ),
    (
        "meaning of omnichannel",
        "/glossary/#omnichannel",
        (
            "definition",
            "Omnichannel: Serving customers across ma",
            ("contact-centres", "Potential for Growth and Innovation"),
        ),
    ),
    (
        "what is CAGR",
        "/glossary/#cagr",
        (
            "definition",
            "Compound annual growth rate (CAGR): The ",
            ("contact-centres", "Factors Impacting the Growth of Contact Center Outsourcing"),
        ),
    ),
    (
        "what is an SEZ",
        "/glossary/#special-economic-zone",
        (
            "definition",
            "Special Economic Zone (SEZ): An area set",
            ("bpo-overview", "The Rise of BPO in Pakistan"),
        ),
    ),
    (
        "what is customer support services category",
        "/services/#customer-support",
        (
            "definition",
            "Customer support services: Work that ans",
            ("bpo-overview", "Customer Support Services"),
        ),
    ),
    (
        "how big is the BPO industry",
        "/statistics/#bpo-revenue-2020",
        (
            "figures",
            "around $2 billion, 2020; scope: BPO sect",
            ("bpo-overview", "The Rise of BPO in Pakistan"),
        ),
    ),
    (
        "how many people work in call centres",
        "/statistics/#call-centre-employment-100k",
        (
            "figures",
            "over 100,000 people, period not stated in the s",
            ("contact-centres", "Job Creation and Opportunities for the Youth"),
        ),
    ),
    (
        "IT exports growth",
        "/statistics/#it-bpo-export-growth-five-years",
        (
            "figures",
            "20%, over 5 years, end year not stated; ",
            ("bpo-overview", "The Rise of BPO in Pakistan"),
        ),
    ),
    (
        "growth of IT exports",
        "/statistics/?metric=it-export-growth-sbp",
        (
            "figures",
            "Growth of IT exports in SBP data: 29.26%",
            ("contact-centres", "Contribution to GDP and Foreign Exchange Earnings"),
        ),
    ),
    (
        "when was TRG founded",
        "/providers/trg-pakistan/",
        (
            "founded",
            "TRG Pakistan was founded in 2002.",
            ("bpo-overview", "Key Players in the Pakistani BPO Industry"),
        ),
    ),
    (
        "when was systems founded",
        "/providers/systems-limited/",
        (
            "founded",
            "Systems Limited was founded in 1977.",
            ("bpo-overview", "Key Players in the Pakistani BPO Industry"),
        ),
    ),
    (
        "how much do companies save by outsourcing to pakistan",
        "/statistics/#cost-savings-50-60",
        (
            "figures",
            "up to 50–60%, period not stated in the sources;",
            ("rise-of-bpo", "Cost Efficiency Without Compromising Quality"),
        ),
    ),
    (
        "what is the median age in pakistan",
        "/statistics/#median-age-22",
        (
            "figures",
            "around 22 years, period not stated in the sourc",
            ("bpo-overview", "The Rise of BPO in Pakistan"),
        ),
    ),
    (
        "how much revenue does BPO make",
        "/statistics/#bpo-revenue-2020",
        (
            "figures",
            "around $2 billion, 2020; scope: BPO sect",
            ("bpo-overview", "The Rise of BPO in Pakistan"),
        ),
    ),
    (
        "growth of the IT and ITeS sector",
        "/statistics/#it-ites-cagr-decade",
        (
            "figures",
            "20%, over 10 years, end year not stated;",
            ("contact-centres", "Factors Impacting the Growth of Contact Center Outsourcing"),
        ),
    ),
    (
        "tax breaks",
        "/incentives/tax-exemptions-and-reduced-rates/",
        (
            "incentives",
            "MOITT policies for IT and IT-enabled ser",
            ("contact-centres", "Government Initiatives and Industry Collaborations"),
        ),
    ),
    (
        "which incentives are for training",
        "/incentives/specialised-training-programmes/",
        ("incentives", "IT education initiatives", ("tech-and-talent", "Skilled Workforce")),
    ),
    (
        "infrastructure incentives",
        "/incentives/improved-internet-connectivity/",
        (
            "incentives",
            "Fibre-optic network expansion",
            ("contact-centres", "Infrastructure and Technology Enhancements"),
        ),
    ),
    (
        "government subsidies for BPO firms",
        "/incentives/subsidies/",
        ("incentives", "Subsidies", ("bpo-overview", "The Rise of BPO in Pakistan")),
    ),
    (
        "tax exemptions on outsourcing income",
        "/incentives/tax-exemptions-and-reduced-rates/",
        (
            "incentives",
            "MOITT policies for IT and IT-enabled ser",
            ("contact-centres", "Government Initiatives and Industry Collaborations"),
        ),
    ),
    (
        "where are the BPO firms in karachi",
        "/cities/karachi/",
        (
            "providers",
            "The sources name no provider for busines",
            ("bpo-overview", "Key Players in the Pakistani BPO Industry"),
        ),
    ),
    (
        "BPO companies in lahore",
        "/cities/lahore/",
        (
            "providers",
            "The sources name no provider for busines",
            ("bpo-overview", "Key Players in the Pakistani BPO Industry"),
        ),
    ),
    (
        "which markets do pakistani call centres serve in north america",
        "/markets/#north-america",
        None,
    ),
    ("outsourcing for healthcare clients", "/industries/healthcare/", None),
    ("why is power and internet a problem for BPO", "/challenges/#unreliable-infrastructure", None),
    ("why choose pakistan english speaking workforce", "/advantages/#english-proficiency", None),
    ("how can firms keep their staff", "/challenges/#talent-acquisition-and-retention", None),
    (
        "when did the first contact centres open in pakistan",
        "/timeline/#contact-centres-start-in-pakistan",
        None,
    ),
    ("what is the pakistan software export board", "/organisations/pseb/", None),
    ("how is AI changing customer service", "/technologies/#artificial-intelligence", None),
    (
        "do the sources disagree about systems limited",
        "/disagreements/#systems-limited-local-or-foreign",
        None,
    ),
    (
        "how should firms invest in automation and AI",
        "/challenges/#invest-in-automation-and-ai",
        None,
    ),
    ("article about contact centre outsourcing in pakistan", "/sources/contact-centres/", None),
    (
        "call centre employment figures",
        "/statistics/?metric=call-centre-employment",
        (
            "figures",
            "over 100,000 people, period not stated in the s",
            ("contact-centres", "Job Creation and Opportunities for the Youth"),
        ),
    ),
    (
        "what did MOITT policies do for investment",
        "/effects/#moitt-policies",
        (
            "incentives",
            "Incentives for investment (recommended b",
            ("contact-centres", "Government Initiatives and Industry Collaborations"),
        ),
    ),
]


@pytest.mark.parametrize("query, url, expected", QUESTIONS)
def test_a_question_finds_its_page_and_its_answer(query, url, expected):
    outcome = run(query)
    found = {g.kind.prefix: [r.url for r in g.results[:10]] for g in outcome.groups}
    assert any(url in urls for urls in found.values()), found
    given = answers.answer(query, outcome)
    if expected is None:
        assert given is None, (given.shape, given.question)
        return
    shape, words, (source, section) = expected
    assert given is not None and given.shape == shape, given and given.question
    assert any(words in line.text for line in given.lines), [line.text for line in given.lines]
    cited = {(c.source.slug, c.section) for c in given.citations}
    assert (source, section) in cited, cited


def test_the_table_covers_every_kind_and_every_answer_shape():
    kinds_found = set()
    for query, url, _ in QUESTIONS:
        for group in run(query).groups:
            if url in [r.url for r in group.results[:10]]:
                kinds_found.add(group.kind.prefix)
    searched = {kind.prefix for kind in search.indexed_kinds()}
    assert searched <= kinds_found
    shapes = {expected[0] for _, _, expected in QUESTIONS if expected}
    assert shapes == {
        "founded",
        "headcount",
        "parent",
        "former",
        "services",
        "providers",
        "definition",
        "figures",
        "incentives",
    }
    assert len(QUESTIONS) >= 50


CALL_CENTRE = [
    "call centre",
    "call center",
    "call centres",
    "call centers",
    "contact center",
    "callcenter",
    "callcentre",
    "callcentres",
]


def test_one_service_one_answer_however_it_is_spelled():
    pages = []
    for query in CALL_CENTRE:
        outcome = run(query)
        pages.append(
            sorted(
                (g.kind.prefix, g.count, tuple(r.url for r in g.results)) for g in outcome.groups
            )
        )
        assert outcome.result_of("service-line").url == "/services/call-centres/"
        providers = {
            r.url for g in outcome.groups if g.kind.prefix == "provider" for r in g.results
        }
        assert "/providers/ptcl/" in providers, query
    assert all(page == pages[0] for page in pages[1:])
    names = set()
    for query in ("who offers " + q for q in CALL_CENTRE):
        given = answers.answer(query, run(query))
        names.add(tuple(line.text for line in given.lines))
    assert names == {("PTCL", "Systems Limited", "Telenor", "Ufone")}


def providers_of(outcome):
    group = next((g for g in outcome.groups if g.kind.prefix == "provider"), None)
    return (group.count, [r.url for r in group.results]) if group else (0, [])


CALL_CENTRE_PROVIDERS = {
    "/providers/ptcl/",
    "/providers/systems-limited/",
    "/providers/telenor/",
    "/providers/ufone/",
}


@pytest.mark.parametrize(
    "query",
    ["call centers karachi", "call center companies in karachi", "telecom call centre"],
)
def test_providers_matching_some_of_the_words_are_listed(query):
    """No provider the sources place holds every word: those holding some are listed all the
    same, counted, those holding the words that weigh most first."""
    count, urls = providers_of(run(query))
    assert count >= len(CALL_CENTRE_PROVIDERS) and set(urls) >= CALL_CENTRE_PROVIDERS
    assert set(urls[: len(CALL_CENTRE_PROVIDERS)]) == CALL_CENTRE_PROVIDERS, urls


def test_providers_holding_more_of_the_words_come_first(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ProviderFactory(
            name="Harbour Voice", slug="harbour-voice", description="Runs call centres in Karachi."
        )
    count, urls = providers_of(run("call center companies in karachi"))
    assert urls[0] == "/providers/harbour-voice/"
    assert set(urls[1:5]) == CALL_CENTRE_PROVIDERS
    assert count == len(urls) >= 5
    assert providers_of(run("call centres karachi")) == providers_of(run("call center karachi"))


def test_a_long_list_of_providers_holding_some_of_the_words_links_to_the_directory(
    client, django_capture_on_commit_callbacks
):
    """The directory's filter wants every word: a list that holds only some does not link to
    it as if it had them all."""
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(12):
            ProviderFactory(description="Runs call centres.")
    html = client.get(reverse("search"), {"q": "call centres karachi"}).content.decode()
    assert f'<a href="{reverse("directory:provider_list")}">The provider directory' in html
    assert "in the directory, with filters" not in html
    html = client.get(reverse("search"), {"q": "call centres"}).content.decode()
    assert "All 16 providers in the directory, with filters" in html


@pytest.mark.parametrize(
    "one, other", [("centre", "centres"), ("provider", "providers"), ("incentive", "incentives")]
)
def test_singular_and_plural_give_the_same_results(one, other):
    def page(query):
        return [(g.kind.prefix, g.count, [r.url for r in g.results]) for g in run(query).groups]

    assert page(one) == page(other)


def test_question_words_and_words_that_match_nothing_are_left_out_and_said_so(client):
    outcome = run("who offers data entry?")
    assert outcome.plan.matched_words == ["data", "entry"]
    assert outcome.plan.left_out == ["who", "offers"]
    assert outcome.result_of("service-line").url == "/services/data-entry/"
    outcome = run("ibex zyxxvq")
    assert outcome.result_of("provider").url == "/providers/ibex/"
    assert outcome.plan.left_out == ["zyxxvq"]
    html = client.get(reverse("search"), {"q": "who offers data entry?"}).content.decode()
    assert (
        "Showing results for <strong>data entry</strong>. “who”, “offers” were left out: "
        "question and filler words."
    ) in html


def test_one_extra_word_never_empties_the_page():
    for query in ("ibex", "data entry", "tax", "karachi"):
        alone = run(query)
        assert alone.total
        for extra in ("please", "companies", "zyxxvq", "outsourcing pakistan"):
            assert run(f"{query} {extra}").total >= 1, (query, extra)


def test_records_matching_every_word_come_first():
    outcome = run("payroll data")
    for group in outcome.groups:
        completes = [r.complete for r in group.results]
        assert completes == sorted(completes, reverse=True), group.kind.prefix
    shown = [r.complete for g in outcome.groups for r in g.results]
    assert True in shown and False in shown


def test_common_words_weigh_little():
    plan = run("pakistan karachi").plan
    (pakistan, karachi) = plan.weights
    assert 0 < pakistan < karachi


def test_curators_extend_the_stop_words(django_capture_on_commit_callbacks):
    assert run("telenor ptcl").plan.left_out == []
    with django_capture_on_commit_callbacks(execute=True):
        StopWord.objects.create(word="ptcl", note="for the test")
    outcome = run("telenor ptcl")
    assert outcome.plan.left_out == ["ptcl"]
    assert [r.url for r in next(g for g in outcome.groups if g.kind.prefix == "provider").results][
        :1
    ] == ["/providers/telenor/"]


def test_the_stop_words_of_the_fixture_are_loaded():
    assert StopWord.objects.filter(word="offers").exists()


def test_an_empty_page_offers_ways_on(client):
    response = client.get(reverse("search"), {"q": "zyxxvq qwxzzy"})
    assert response.context["outcome"].total == 0
    html = response.content.decode()
    assert "No page of the site holds “zyxxvq” or “qwxzzy”, so they were left out." in html
    assert f'href="{reverse("directory:service_list")}"' in html
    assert f'href="{reverse("directory:provider_list")}"' in html
    response = client.get(reverse("search"), {"q": "who offers zyxxvq"})
    assert (
        "“who”, “offers” were left out: question and filler words. "
        "No page of the site holds “zyxxvq”, so it was left out."
    ) in response.content.decode()
    response = client.get(reverse("search"), {"q": "who offers accnting"})
    assert response.context["outcome"].suggestion == "who offers accounting"
    assert 'Did you mean <a href="?q=who+offers+accounting">' in response.content.decode()


def test_a_result_page_people_can_use(client):
    html = client.get(reverse("search"), {"q": "call centre employment"}).content.decode()
    assert '<nav class="jump-links" aria-label="Results by kind">' in html
    assert 'href="#group-statistic"' in html and 'id="group-statistic"' in html
    assert (
        '<p class="result-figure"><strong>over 100,000 people</strong>, '
        "period not stated in the sources; scope: People working in call centres</p>"
    ) in html
    response = client.get(reverse("search"), {"q": "contact centre"})
    statements = next(g for g in response.context["outcome"].groups if g.kind.prefix == "statement")
    assert statements.count > 10 and len(statements.results) == 10
    assert f"Show all {statements.count} statements" in response.content.decode()


def test_the_answer_box_shows_its_footnotes(client):
    response = client.get(reverse("search"), {"q": "who offers call centre services?"})
    html = response.content.decode()
    box = html[html.index('<section class="answer"') : html.index("</section>")]
    assert "Who offers call and contact centres?" in box
    assert '<a href="/providers/ptcl/">PTCL</a>' in box and 'href="#cite-1"' in box
    footnotes = html[html.index('class="footnotes"') :]
    assert 'id="cite-1"' in footnotes and 'href="/sources/contact-centres/#section-' in footnotes


def test_no_answer_for_a_query_that_is_not_a_question(client):
    for query in ("ibex", "call centre", "karachi", "payroll"):
        assert answers.answer(query, run(query)) is None, query
    assert client.get(reverse("search"), {"q": "ibex"}).context["answer"] is None


def test_suggestions_follow_the_same_matching(client):
    found = client.get(reverse("search_suggest"), {"q": "who offers data entry"}).json()
    assert found["suggestions"][0]["url"] == "/services/data-entry/"
    found = client.get(reverse("search_suggest"), {"q": "ibex zyxxvq"}).json()
    assert found["suggestions"][0]["url"] == "/providers/ibex/"


def answer_lines(query):
    given = answers.answer(query, run(query))
    return [line.text for line in given.lines]


@pytest.mark.parametrize(
    "query, slug",
    [
        ("how big is the BPO industry", "bpo-revenue-versus-it-exports"),
        ("growth of IT exports", "growth-rates-over-different-spans"),
        ("growth of IT exports", "pseb-20-percent-growth-period"),
        ("growth of IT exports", "it-export-growth-fy2022-does-not-follow"),
    ],
)
def test_a_disagreement_in_an_answer_is_worded_by_its_kind(query, slug):
    """As the disagreements page words it: a different span is not called a disagreement."""
    disagreement = Disagreement.objects.get(slug=slug)
    given = answers.answer(query, run(query))
    line = next(line for line in given.lines if line.url == disagreement.get_absolute_url())
    assert line.text.startswith(disagreement.get_kind_display() + " — "), line.text
    assert not line.text.startswith("The sources disagree")


def test_metrics_that_fit_alike_are_all_shown_the_closest_name_first():
    lines = answer_lines("growth of IT exports")
    assert lines[0].startswith("Growth of IT exports in SBP data: 29.26%"), lines
    assert lines[1].startswith("Growth of IT and BPO exports: 20%"), lines
    given = answers.answer("growth of IT exports", run("growth of IT exports"))
    assert given.question == (
        "The figures: Growth of IT exports in SBP data; Growth of IT and BPO exports"
    )
    # a measure that holds only some of the words is not added beside the best one
    lines = answer_lines("how big is the BPO industry")
    assert [t for t in lines if "%" in t and "—" not in t] == [], lines


def test_a_short_form_of_a_provider_name_is_answered_for_each_provider_it_fits():
    lines = answer_lines("when was TRG founded")
    assert lines[0] == "TRG Pakistan was founded in 2002."
    assert lines[1].startswith("TRG Pakistan: The source's sentence could attach that year")
    assert lines[2] == "When Ibex was founded: not stated in the sources."  # TRG Customer Sol…
    given = answers.answer("when was TRG founded", run("when was TRG founded"))
    assert given.question == "When was TRG Pakistan or Ibex founded?"
    assert answer_lines("when was systems founded") == ["Systems Limited was founded in 1977."]


def test_a_plural_term_is_asked_as_a_plural():
    given = answers.answer("what is ITeS", run("what is ITeS"))
    assert given.question == "What are IT-enabled services?"
    given = answers.answer("what is KPO", run("what is KPO"))
    assert given.question == "What is Knowledge process outsourcing?"


def test_question_words_left_out_read_as_words(client):
    html = client.get(reverse("search"), {"q": "how big is the BPO industry"}).content.decode()
    assert "“how”, “big”, “is”, “the” were left out: question and filler words." in html
    html = client.get(reverse("search"), {"q": "ibex zzqx"}).content.decode()
    assert "No page of the site holds “zzqx”, so it was left out." in html
    html = client.get(reverse("search"), {"q": "what <b>is</b>"}).content.decode()
    assert "<b>" not in html.split('class="meta matched-words"')[-1].split("</p>")[0]


def test_tax_breaks_finds_the_tax_incentive_first():
    outcome = run("tax breaks")
    assert outcome.groups[0].results[0].url == "/incentives/tax-exemptions-and-reduced-rates/"
    urls = [r.url for g in outcome.groups for r in g.results]
    if "/services/content-moderation/" in urls:
        first = urls.index("/incentives/tax-exemptions-and-reduced-rates/")
        assert first < urls.index("/services/content-moderation/")
    given = answers.answer("tax breaks", outcome)
    assert given.shape == "incentives"
    assert "Tax exemptions and reduced rates on outsourcing income" in [
        line.text for line in given.lines
    ]
