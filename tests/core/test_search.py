"""Site search understands what people type: run on SQLite and on PostgreSQL alike."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpo_portal.background.models import Term
from bpo_portal.core import search
from bpo_portal.core.caching import current_version
from bpo_portal.core.models import SearchDocument, Synonym
from bpo_portal.directory.models import Provider, ProviderAlias, ServiceLine
from bpo_portal.sector.models import Metric
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def run(query, **kwargs):
    return search.run(query, version=current_version(), **kwargs)


def first_in_group(outcome, kind):
    group = next((g for g in outcome.groups if g.kind.prefix == kind), None)
    return group.results[0].url if group else None


# (what a reader types, the kind of record, the page that must come first in its group)
NATURAL_QUERIES = [
    # British and American spelling, both ways
    ("call center", "service-line", "/services/call-centres/"),
    ("call centre", "service-line", "/services/call-centres/"),
    ("telecom liberalisation", "incentive", "/incentives/telecom-liberalisation-2003/"),
    ("telecom liberalization", "incentive", "/incentives/telecom-liberalisation-2003/"),
    ("search engine optimization", "service-line", "/services/seo-services/"),
    ("training program", "incentive", "/incentives/specialised-training-programmes/"),
    # abbreviations and expansions, both ways
    ("kpo", "category", "/services/#knowledge-process-outsourcing"),
    ("knowledge process outsourcing", "term", "/glossary/#knowledge-process-outsourcing"),
    ("PSEB", "organisation", "/organisations/pseb/"),
    ("Pakistan Software Export Board", "organisation", "/organisations/pseb/"),
    ("artificial intelligence", "technology", "/technologies/#artificial-intelligence"),
    ("AI", "technology", "/technologies/#artificial-intelligence"),
    ("SEZ", "incentive", "/incentives/special-economic-zones/"),
    # word forms and compounds
    ("centres", "service-line", "/services/call-centres/"),
    ("help desk", "term", "/glossary/#help-desk"),
    ("helpdesk", "term", "/glossary/#help-desk"),
    ("cyber security", "service-line", "/services/cybersecurity-services/"),
    ("cybersecurity", "service-line", "/services/cybersecurity-services/"),
    # typos: one from 5 letters, two from 9
    ("techincal support", "service-line", "/services/technical-support/"),
    ("payrolll", "service-line", "/services/payroll-processing/"),
    ("acounting", "service-line", "/services/accounting-and-bookkeeping/"),
    ("telecomunications", "industry", "/industries/telecommunications/"),
    # prefixes: the last word unfinished
    ("payrol", "service-line", "/services/payroll-processing/"),
    ("syst", "provider", "/providers/systems-limited/"),
    ("healthca", "industry", "/industries/healthcare/"),
    # case, accents and former names
    ("IBEX", "provider", "/providers/ibex/"),
    ("Ibèx", "provider", "/providers/ibex/"),
    ("TRG Customer Solutions", "provider", "/providers/ibex/"),
]


@pytest.mark.parametrize("query, kind, url", NATURAL_QUERIES)
def test_a_natural_query_finds_its_page_first(query, kind, url):
    outcome = run(query)
    assert first_in_group(outcome, kind) == url, [
        (g.kind.prefix, [r.url for r in g.results[:3]]) for g in outcome.groups
    ]


def test_short_words_match_whole_words_and_abbreviations_only():
    for query, expansion in (("AI", "artificial intelligence"), ("IT", "information technology")):
        outcome = run(query)
        assert outcome.total
        for group in outcome.groups:
            for result in group.results:
                document = SearchDocument.objects.get(url=result.url, title=result.title)
                tokens = search.words(" ".join((document.title, document.names, document.body)))
                text = " ".join(tokens)
                assert query.lower() in tokens or expansion in text, result.title


def test_an_exact_name_beats_a_description_match():
    outcome = run("data entry")
    lines = next(g for g in outcome.groups if g.kind.prefix == "service-line")
    assert lines.results[0].title == "Data entry" and lines.results[0].tier == 0
    assert all(r.tier >= 1 for r in lines.results[1:])


def test_a_provider_named_by_the_words_beats_many_earlier_ones_that_mention_them():
    Provider.objects.bulk_create(
        ProviderFactory.build(description="Quokka staffing for clients.", is_demo=True)
        for _ in range(45)
    )
    ProviderFactory(name="Quokka Staffing", slug="quokka-staffing")
    search.rebuild()
    group = next(g for g in run("quokka").groups if g.kind.prefix == "provider")
    assert group.count == 46 and len(group.results) == 10
    assert group.results[0].title == "Quokka Staffing" and group.results[0].tier == 1
    assert {r.tier for r in group.results[1:]} == {3}
    only = run("quokka", kinds_wanted=["provider"], per_kind=50).groups
    assert [g.count for g in only] == [46] and len(only[0].results) == 46


def test_a_provider_named_exactly_so_beats_many_earlier_longer_names():
    Provider.objects.bulk_create(
        ProviderFactory.build(name=f"Quokka Staffing Group {n}", is_demo=True) for n in range(45)
    )
    ProviderFactory(name="Quokka", slug="quokka")  # added last: the highest id of them all
    search.rebuild()
    group = next(g for g in run("quokka").groups if g.kind.prefix == "provider")
    assert group.count == 46
    assert group.results[0].title == "Quokka" and group.results[0].tier == 0


def test_typo_matches_come_after_exact_ones():
    ServiceLine.objects.filter(slug="data-entry").update(description="Keying in records.")
    search.rebuild()
    outcome = run("payroll")
    assert all(r.tier < 4 for g in outcome.groups for r in g.results)
    corrected = run("payrolll")
    assert corrected.plan.corrected == {"payrolll": ["payroll"]}


def test_a_former_name_says_why_it_matched():
    outcome = run("TRG Customer")
    result, *rest = next(g for g in outcome.groups if g.kind.prefix == "provider").results
    assert result.why == "matched former name TRG Customer Solutions"
    assert result.complete and not any(r.complete for r in rest)  # TRG Pakistan: "trg" only


def test_results_are_grouped_and_counted(client):
    response = client.get(reverse("search"), {"q": "call center"})
    outcome = response.context["outcome"]
    assert outcome.total == sum(g.count for g in outcome.groups) > 1
    html = response.content.decode()
    assert f"{outcome.total} results for “call center”" in html
    assert "1 service line" in html


def test_matched_words_are_highlighted_and_escaped(client):
    ServiceLine.objects.filter(slug="data-entry").update(
        name="Data <b>entry</b>", description="Typing <script>alert(1)</script> records."
    )
    search.rebuild()
    html = client.get(reverse("search"), {"q": "entry typing"}).content.decode()
    assert "<script>alert(1)</script>" not in html and "<b>entry</b>" not in html
    assert "<mark>Typing</mark> &lt;script&gt;alert(1)" in html
    assert "Data &lt;b&gt;<mark>entry</mark>&lt;/b&gt;" in html


FOLDED_WORDS = st.text(alphabet="abc01", min_size=1, max_size=6)  # as queries are folded


@given(
    text=st.text(alphabet="abcdeABCDE01_ -.,", max_size=60),
    singles=st.sets(FOLDED_WORDS, max_size=3),
    prefixes=st.lists(FOLDED_WORDS, max_size=2),
)
@settings(deadline=None)
def test_ascii_text_is_highlighted_as_word_by_word_folding_would(text, singles, prefixes):
    """The one-pattern path for ASCII text marks exactly the words the general one does."""
    fast = list(search._hits(text, singles, prefixes))
    assert fast == list(search._hits_by_word(text, singles, prefixes))


def test_a_long_text_is_cut_around_its_first_match():
    plan = search.Plan(words=["quokka"], groups=[[search.Alternative(("quokka",))]])
    text = "Lorem ipsum " * 30 + "the Quokka team " + "dolor sit " * 30
    snippet = search.highlight(text, plan, limit=60)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>Quokka</mark>" in snippet and len(snippet) == 2 + 60 + len("<mark></mark>")


def test_did_you_mean_offers_the_nearest_word_with_results(client):
    response = client.get(reverse("search"), {"q": "accnting"})
    assert response.context["outcome"].total == 0
    assert response.context["outcome"].suggestion == "accounting"
    assert 'href="?q=accounting">accounting</a>?' in response.content.decode()


def test_one_kind_at_a_time(client):
    response = client.get(reverse("search"), {"q": "centre", "kind": "statement"})
    groups = response.context["outcome"].groups
    assert [g.kind.prefix for g in groups] == ["statement"]
    assert len(groups[0].results) == min(groups[0].count, 50)


def test_the_index_follows_saves_and_deletes(django_capture_on_commit_callbacks):
    ibex = Provider.objects.get(slug="ibex")
    with django_capture_on_commit_callbacks(execute=True):
        ibex.name = "Ibex Global"
        ibex.save()
        ProviderAlias.objects.create(provider=ibex, name="Zephyrion Works")
    assert first_in_group(run("zephyrion"), "provider") == "/providers/ibex/"
    assert run("Ibex Global").groups[0].results[0].title == "Ibex Global"
    with django_capture_on_commit_callbacks(execute=True):
        Provider.objects.get(slug="ufone").delete()
    assert first_in_group(run("ufone"), "provider") is None


def test_the_index_follows_saves_and_deletes_of_the_other_kinds(django_capture_on_commit_callbacks):
    """Kinds other than providers have a full-text table of their own on SQLite: kept in step."""
    line = ServiceLine.objects.get(slug="payroll-processing")
    with django_capture_on_commit_callbacks(execute=True):
        line.name = "Zyzzyva wages"
        line.save()
    assert first_in_group(run("zyzzyva"), "service-line") == "/services/payroll-processing/"
    assert first_in_group(run("payrolll"), "service-line") is None
    with django_capture_on_commit_callbacks(execute=True):
        Term.objects.get(term__iexact="help desk").delete()
    assert first_in_group(run("helpdesk"), "term") is None


def test_the_vocabulary_is_read_again_only_when_a_save_changes_its_words(
    client, django_capture_on_commit_callbacks
):
    def reads_vocabulary(query):
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("search"), {"q": query})
        return any('FROM "core_searchterm"' in q["sql"] for q in captured)

    assert reads_vocabulary("ibex")
    ibex = Provider.objects.get(slug="ibex")
    with django_capture_on_commit_callbacks(execute=True):
        ibex.founded_year = 2001  # not a searched field: no word changes
        ibex.save()
    assert not reads_vocabulary("ibex call")
    with django_capture_on_commit_callbacks(execute=True):
        ibex.description += " Quagga."
        ibex.save()
    assert reads_vocabulary("ibex centre")
    assert first_in_group(run("quagga"), "provider") == "/providers/ibex/"


def test_renaming_a_metric_reindexes_its_figures(django_capture_on_commit_callbacks):
    metric = Metric.objects.get(slug="it-exports")
    with django_capture_on_commit_callbacks(execute=True):
        metric.name = "Quixotic export earnings"
        metric.save()
    figures = {figure.get_absolute_url() for figure in metric.statistics.all()}
    assert first_in_group(run("quixotic"), "statistic") in figures


def test_curators_synonyms_are_used_after_a_save(django_capture_on_commit_callbacks):
    assert first_in_group(run("ledgers"), "service-line") is None
    with django_capture_on_commit_callbacks(execute=True):
        Synonym.objects.create(term="ledgers", alternatives=["bookkeeping"])
    found = first_in_group(run("ledgers"), "service-line")
    assert found == "/services/accounting-and-bookkeeping/"


def test_directory_text_filter_uses_the_same_search(client):
    response = client.get(reverse("directory:provider_list"), {"q": "TRG Customer"})
    assert [p.slug for p in response.context["page"]] == ["ibex"]
    response = client.get(reverse("directory:provider_list"), {"q": "syst"})
    assert [p.slug for p in response.context["page"]] == ["systems-limited"]


def test_suggestions_as_json(client):
    response = client.get(reverse("search_suggest"), {"q": "payrol"})
    data = json.loads(response.content)
    assert data["suggestions"][0] == {
        "title": "Payroll processing",
        "kind": "Service line",
        "url": "/services/payroll-processing/",
    }
    assert json.loads(client.get(reverse("search_suggest"), {"q": "\x00"}).content) == {
        "query": "",
        "suggestions": [],
    }


@pytest.fixture
def indexed_providers(db):
    """150 demo providers, in the search index as the demo generator writes them."""
    from bpo_portal.directory import demo

    demo.generate(150, seed=1)


@pytest.mark.parametrize("query", ["indus", "payrol", "karachi", "call cent", "marg", "zzzq"])
def test_suggestions_are_the_best_results_of_a_search(
    indexed_providers, django_assert_max_num_queries, query
):
    """Suggestions skip what only a results page needs (counts, highlights, "did you mean"),
    and are still the search's best results: those holding every word first, then the
    weightiest words, titles first."""
    version = current_version()
    outcome = search.run(query, per_kind=8, version=version)
    best = sorted(
        (r for g in outcome.groups for r in g.results),
        key=lambda r: (*r.standing, r.kind.search_order, r.title),
    )[:8]
    expected = [
        {"title": r.title, "kind": str(r.kind.label).capitalize(), "url": r.url} for r in best
    ]
    with django_assert_max_num_queries(5) as done:  # 5 with a typo lookup for an unknown word
        assert search.suggestions(query, version=version) == expected
    assert not [q for q in done.captured_queries if q["sql"].startswith("SELECT count(*)")]
    assert bool(expected) == (query != "zzzq")


def test_past_the_counting_limit_the_page_says_more_than(client, many_providers, monkeypatch):
    search.rebuild()
    monkeypatch.setattr(search, "COUNTED_UP_TO", 100)  # 120 bulk providers match "bulk"
    response = client.get(reverse("search"), {"q": "bulk"})
    (group,) = [g for g in response.context["outcome"].groups if g.kind.prefix == "provider"]
    assert (group.count, group.more) == (100, True)
    html = response.content.decode()
    assert "More than 100 results for “bulk”" in html and '<span class="count">100+</span>' in html
    assert "All the matching providers in the directory" in html
    monkeypatch.setattr(search, "COUNTED_UP_TO", 1000)
    response = client.get(reverse("search"), {"q": "bulk provider 007"})
    (group,) = [g for g in response.context["outcome"].groups if g.kind.prefix == "provider"]
    # Fewer than the limit: counted exactly; one holds every word, the others some, after it.
    assert (group.count, group.more) == (120, False)  # "bulk" ("provider" weighs little)
    assert group.results[0].title == "Bulk provider 007" and group.results[0].complete
    assert not any(r.complete for r in group.results[1:])


# Queries of a search page once the vocabulary is read (3 queries once per data version): the
# data version, one for every match of every word among the kinds but providers, the results'
# documents, their figures (4). Providers: a count, then their ids (1 query when they all fit
# in the candidates read, 2 otherwise); when fewer than a page hold every word, a count and
# their ids in the index's order for each of at most three looser matches until a page is
# filled (every word but the generic ones, any of the rarer words, any of the others). An
# answer: its rows, its links, their citations. PostgreSQL looks up the near spellings of a
# word the index does not hold (TYPOS). Suggestions count nothing and show no figures. None of
# it grows with the words typed: each page's count is pinned exactly.
TYPOS = 1
QUERY_COUNTS = [
    # (query, page, suggestions, a word the index does not hold)
    ("bulk", 5, 4, False),
    ("bulk provider support", 7, 7, False),
    ("bulk payroll centre karachi data entry figures zyxxvq", 11, 6, True),
    ("call center companies in karachi", 15, 8, False),
    ("who offers call centre services in karachi", 15, 8, False),
    ("how many people work in call centres", 11, 6, False),
    ("when was ibex founded", 7, 5, True),
]


@pytest.mark.parametrize("query, page, suggestions, unknown", QUERY_COUNTS)
def test_query_counts(
    client, many_providers, django_assert_num_queries, query, page, suggestions, unknown
):
    search.vocabulary(current_version())
    typos = TYPOS if unknown and connection.vendor == "postgresql" else 0
    with django_assert_num_queries(page + typos):
        client.get(reverse("search"), {"q": query})
    with django_assert_num_queries(suggestions + typos):
        client.get(reverse("search_suggest"), {"q": query})


HOSTILE = [
    "",
    " ",
    "x" * 10_000,
    '"',
    "*",
    "NEAR(a b)",
    "a OR b",
    "-ibex",
    "title:ibex",
    "ibex*",
    "(((",
    "' OR 1=1 --",
    "'; DROP TABLE core_searchdocument; --",
    "\x00",
    "a\x00b",
    "مرکز تماس",  # right-to-left text
    "\u202eibex",
    "🙂🙂",
    "!!!???",
    "a & b | c <-> d :*",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_get_a_page_not_an_error(client, query):
    for url in (reverse("search"), reverse("search_suggest"), reverse("directory:provider_list")):
        response = client.get(url, {"q": query})
        assert response.status_code == 200, (url, query)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300))
def test_no_query_breaks_search(client, query):
    assert client.get(reverse("search"), {"q": query}).status_code == 200
    assert client.get(reverse("search_suggest"), {"q": query}).status_code == 200


def test_accents_are_folded_in_the_index_and_the_query(django_capture_on_commit_callbacks):
    from tests.factories import ProviderFactory

    with django_capture_on_commit_callbacks(execute=True):
        ProviderFactory(name="Tectónica Servicios", slug="tectonica")
    assert first_in_group(run("tectonica"), "provider") == "/providers/tectonica/"
    assert first_in_group(run("TECTÓNICA"), "provider") == "/providers/tectonica/"


def test_the_database_engine_is_the_real_one():
    """SQLite searches its FTS5 table; PostgreSQL its tsvector column, with unaccent and
    pg_trgm installed by the migration."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT extname FROM pg_extension")
            assert {"unaccent", "pg_trgm"} <= {row[0] for row in cursor.fetchall()}
            cursor.execute("SELECT to_tsvector('bpo_search', 'Café Tectónica')::text")
            assert cursor.fetchone()[0] == "'cafe':1 'tectonica':2"
        else:
            cursor.execute("SELECT count(*) FROM core_searchfts")
            assert cursor.fetchone()[0] == SearchDocument.objects.count()
            cursor.execute("SELECT count(*) FROM core_searchfts_few")
            few = SearchDocument.objects.exclude(kind=search.NUMEROUS).count()
            assert cursor.fetchone()[0] == few > 0


@pytest.mark.django_db
def test_indexing_a_whole_kind_again_keeps_each_statement_within_a_parameter_limit():
    """A change to every row of a kind re-indexes it whole: however many documents it drops,
    no statement carries more parameters than SQLite allows (its limit is a build setting)."""
    kind = next(k for k in search.indexed_kinds() if k.model is Provider)
    SearchDocument.objects.bulk_create(
        SearchDocument(kind=kind.prefix, object_id=10**7 + n, title="Gone", names="", body="")
        for n in range(4500)
    )
    largest = []

    def count(execute, sql, params, many, context):
        largest.append(0 if many else len(params or ()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        search.reindex(kind)
    assert max(largest) <= 2000
    assert not SearchDocument.objects.filter(object_id__gte=10**7).exists()
    assert SearchDocument.objects.filter(kind=kind.prefix).count() == Provider.objects.count()
