import re
from datetime import timedelta
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from bpo_portal.core.models import Change
from bpo_portal.portal.models import Suggestion
from tests.pages import PUBLIC

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


def test_home(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        response = client.get(reverse("home"))
    html = text(response)
    assert "over 100,000 people" in html and "$2.5 billion" in html
    assert html.count('<sup class="cite">') == 4  # each headline figure with its source
    assert "Customer support services" in html and "Karachi" in html
    assert "Telecom sector liberalisation" in html
    assert 'role="search"' in html


@pytest.mark.parametrize(
    "query, label, name",
    [
        ("ibex", "provider", "Ibex"),
        ("troubleshooting", "service line", "Technical support"),
        ("lahore", "city", "Lahore"),
        ("fibre", "incentive", "Fibre-optic network expansion"),
        ("call-centre employment", "statistic", "Call-centre employment"),
        ("instability", "challenge", "Political instability"),
        ("accents", "advantage", "Cultural adaptability and neutral accents"),
        ("healthcare", "industry", "Healthcare"),
        ("middle east", "market", "Middle East"),
        ("telecom opened 2003", "event", "Telecom sector opened up"),
        ("chatbots", "technology", "Chatbots"),
        ("kpo", "term", "Knowledge process outsourcing"),
        ("infrastructure largely fixed", "disagreement", "Power and internet"),
    ],
)
def test_search_finds_every_kind_labelled(client, query, label, name):
    response = client.get(reverse("search"), {"q": query})
    groups = {
        str(g.kind.label): [r.title for r in g.results] for g in response.context["outcome"].groups
    }
    assert any(name in title for title in groups[label]), groups
    assert f'<span class="type-label">{label}</span>' in text(response)


def test_search_with_nothing_found_and_empty_query(client):
    assert "Nothing in the knowledge base matches" in text(client.get("/search/", {"q": "zzzz"}))
    assert client.get("/search/").status_code == 200


def test_overlong_query_is_cut_with_a_message(client):
    response = client.get("/search/", {"q": "a" * 5000})
    assert "Only the first 200 characters were searched." in text(response)


def test_search_query_count(client, many_providers, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get("/search/", {"q": "provider"})


def test_navigation_reaches_challenges_and_advantages(client):
    html = text(client.get("/"))
    assert 'href="/challenges/"' in html and 'href="/advantages/"' in html


@pytest.mark.parametrize(
    "url, current", [("/statistics/", "/statistics/"), ("/providers/ibex/", None)]
)
def test_the_main_menu_marks_the_current_section_only(client, url, current):
    html = text(client.get(url))
    menu = html.split('aria-label="Main">')[1].split("</nav>")[0]
    marked = [part.split('"')[0] for part in menu.split('<a href="')[1:] if "aria-current" in part]
    assert marked == ([current] if current else [])
    footer = html.split('aria-label="All sections">')[1].split("</nav>")[0]
    assert "aria-current" not in footer and footer.count("<li>") == 21


@pytest.mark.parametrize("url", PUBLIC)
def test_every_page_has_a_title_description_and_landmarks(client, url):
    html = text(client.get(url))
    assert "<title>" in html and '<meta name="description" content="' in html
    assert (
        '<main id="main"' in html
        and "<header" in html
        and "<footer" in html
        and '<nav class="site-nav" aria-label="Main">' in html
    )


def test_404_page_is_helpful(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Search the knowledge base" in text(response)


def test_500_page_renders_without_context():
    from django.template.loader import render_to_string

    assert "Something went wrong on our side" in render_to_string("500.html")


def test_the_header_menu_works_without_javascript_and_search_is_a_skip_away(client):
    html = text(client.get("/"))
    header = html.split("<header")[1].split("</header>")[0]
    # A disclosure: closed on a phone until opened, with the main menu inside it.
    assert '<details class="wrap site-menu">' in header and "<summary>Menu</summary>" in header
    assert header.index("<summary>") < header.index('aria-label="Main"')
    assert '<a class="skip-link" href="#site-search-q">Skip to search</a>' in html
    assert 'id="site-search-q"' in header and 'aria-keyshortcuts="/"' in header
    assert "<script>" not in html and "style=" not in html


def test_every_footnote_links_back_to_each_place_citing_it(client):
    html = text(client.get("/providers/ibex/"))
    markers = re.findall(r'<a href="#cite-(\d+)" id="(ref-\d+-\d+)"', html)
    backlinks = re.findall(r'<a class="backlink" href="#(ref-\d+-\d+)"', html)
    assert markers and sorted(backlinks) == sorted(ref for _, ref in markers)
    for number, ref in markers:
        assert ref.startswith(f"ref-{number}-")
        assert html.count(f'id="{ref}"') == 1


def test_a_footnote_cited_in_several_places_has_a_lettered_link_to_each():
    from bpo_portal.sources.citations import Footnotes

    first, second = SimpleNamespace(pk=1), SimpleNamespace(pk=2)
    notes = Footnotes()
    assert notes.mark([first]) == [(1, "ref-1-1")]
    assert notes.mark([second, first]) == [(2, "ref-2-1"), (1, "ref-1-2")]
    assert notes.listed() == [
        (1, first, [("ref-1-1", "a"), ("ref-1-2", "b")]),
        (2, second, [("ref-2-1", "")]),
    ]


class TestCorrectionBesideAFact:
    def test_each_cited_fact_has_a_link_naming_it(self, client):
        from bpo_portal.directory.models import Provider

        ibex = Provider.objects.get(slug="ibex")
        html = text(client.get("/providers/ibex/"))
        link = (
            f'href="/suggest/?page=%2Fproviders%2Fibex%2F%23ref-2-1&amp;'
            f'fact=provider%3A{ibex.pk}%3Aheadcount"'
        )
        assert "Thousands of staff, as stated" in html and link in html
        assert html.count('class="suggest-fact"') == html.count('<sup class="cite">')

    def test_the_form_names_the_fact_and_keeps_it(self, client):
        from bpo_portal.directory.models import Provider

        ibex = Provider.objects.get(slug="ibex")
        fact = f"provider:{ibex.pk}:headcount"
        page = "/providers/ibex/#ref-2-1"
        html = text(client.get("/suggest/", {"page": page, "fact": fact}))
        assert "About the fact: <strong>Ibex: headcount</strong>" in html
        assert f'<input type="hidden" name="fact" value="{fact}">' in html
        response = client.post(
            "/suggest/", {"page": page, "fact": fact, "wrong": "The headcount is dated."}
        )
        assert 'href="/providers/ibex/#ref-2-1"' in text(client.get(response.url))
        suggestion = Suggestion.objects.get()
        assert (suggestion.record_kind, suggestion.record_id, suggestion.record_title) == (
            "provider",
            ibex.pk,
            "Ibex: headcount",
        )

    @pytest.mark.parametrize(
        "fact",
        ["provider:999999", "provider:1:no_such_field", "nothing:1", "<b>x</b>", "p:" + "9" * 40],
    )
    def test_a_reference_to_nothing_falls_back_to_the_page(self, client, fact):
        response = client.get("/suggest/", {"page": "/providers/ibex/", "fact": fact})
        html = text(response)
        assert response.status_code == 200 and "About: <a" in html
        assert 'name="fact"' not in html and "<b>x</b>" not in html

    def test_the_flood_message_says_how_long_to_wait(self, client):
        for n in range(6):
            response = client.post("/suggest/", {"page": "/", "wrong": f"Error {n}"})
        assert response.status_code == 429
        assert "Please try again in 10 minutes;" in text(response)


def test_waiting_time_in_words():
    from bpo_portal.portal.views import waiting_time

    assert waiting_time(timedelta(seconds=5)) == "1 minute"
    assert waiting_time(timedelta(seconds=61)) == "2 minutes"
    assert waiting_time(timedelta(minutes=10)) == "10 minutes"


class TestStatisticsReadClearly:
    def test_each_disagreement_is_named_and_a_non_contradiction_is_not_disputed(self, client):
        html = text(client.get("/statistics/"))
        assert "⚠ disputed" not in html and "⚠\xa0disputed" not in html.split("<svg")[0]
        flags = re.findall(r'<a class="flag dispute-mark" href="#([^"]+)">⚠ ([^<]+)</a>', html)
        explained = re.findall(r'<a class="badge dispute-mark explained" href="#([^"]+)">', html)
        assert (
            "pseb-20-percent-growth-period",
            "PSEB&#x27;s 20% growth figure: over five years or over a decade?",
        ) in flags
        assert "growth-rates-over-different-spans" in explained
        assert "growth-rates-over-different-spans" not in {slug for slug, _ in flags}
        assert "…" not in "".join(title for _, title in flags)

    def test_a_figure_only_explained_is_not_marked_disputed(self):
        from bpo_portal.sector.models import Disagreement, Statistic
        from bpo_portal.sector.selectors import figure

        statistic = Statistic.objects.first()
        explained = Disagreement(kind=Disagreement.Kind.NOT_CONTRADICTION)
        statistic.disputes = [explained]
        assert "disputed" not in figure(statistic).marks
        statistic.disputes = [explained, Disagreement(kind=Disagreement.Kind.PERIOD)]
        assert "disputed" in figure(statistic).marks

    def test_empty_choices_say_what_they_mean(self, client):
        statistics = text(client.get("/statistics/"))
        incentives = text(client.get("/incentives/"))
        assert "---------" not in statistics + incentives
        assert '<option value="" selected>Any metric</option>' in statistics
        assert '<option value="" selected>Any kind</option>' in incentives
        assert re.search(r'<select name="kind" class="auto-submit"', incentives)

    def test_a_figure_without_a_period_says_the_period_is_not_stated(self, client):
        html = text(client.get("/organisations/pseb/"))
        assert "over 100,000 people</a>, period not stated in the sources" in html
        assert "people</a>, not stated" not in html


class TestRecentChangesAndFeed:
    def edit(self, capture, slug="ibex"):
        from bpo_portal.directory.models import Provider

        provider = Provider.objects.get(slug=slug)
        provider.headcount = "many thousands"
        with capture(execute=True):
            provider.save()

    def test_curators_changes_by_default_and_everything_on_request(
        self, client, django_capture_on_commit_callbacks
    ):
        loaded = Change.objects.count()
        assert loaded > 100  # the first load's own rows
        html = text(client.get("/changes/"))
        assert "No change has been made since the knowledge base was first loaded." in html
        self.edit(django_capture_on_commit_callbacks)
        page = client.get("/changes/").context["page"]
        assert [c.title for c in page.object_list] == ["Ibex"]
        everything = client.get("/changes/", {"all": "1"}).context["page"]
        assert everything.paginator.count == loaded + 1
        assert 'href="/changes/?all=1"' in html

    def test_the_page_names_its_feed_and_feed_links_land_on_the_record(
        self, client, django_capture_on_commit_callbacks
    ):
        from bpo_portal.sector.models import Statistic

        figure = Statistic.objects.get(slug="call-centre-employment-100k")
        figure.scope = "Call centres, across Pakistan"
        with django_capture_on_commit_callbacks(execute=True):
            figure.save()
        html = text(client.get("/changes/"))
        assert (
            '<link rel="alternate" type="application/atom+xml" '
            'title="BPO Portal: recent changes" href="/changes/feed/">' in html
        )
        feed = ElementTree.fromstring(client.get("/changes/feed/").content)
        ns = {"atom": "http://www.w3.org/2005/Atom"}
        links = [e.get("href") for e in feed.findall("atom:entry/atom:link", ns)]
        assert links == ["http://testserver/statistics/#call-centre-employment-100k"]
        assert all(link.count("#") <= 1 for link in links)


def test_text_is_cut_at_a_word_boundary():
    from bpo_portal.background.models import Statement
    from bpo_portal.core.text import shorten

    assert shorten("as a source of jobs", 16) == "as a source of…"
    assert shorten("as a source of jobs", 19) == "as a source of jobs"
    assert shorten("unbreakable", 5) == "unbr…"
    for statement in Statement.objects.all():
        title = str(statement)
        assert title == statement.text or (
            title.endswith("…") and statement.text.startswith(title[:-1])
        )
        if title != statement.text:
            assert statement.text[len(title) - 1] in " ,;:.", title


def test_a_record_page_does_not_call_a_non_contradiction_a_dispute(client):
    from bpo_portal.sector.models import Disagreement, DisagreementSubject

    explained = Disagreement.objects.filter(kind=Disagreement.Kind.NOT_CONTRADICTION).first()
    DisagreementSubject.objects.create(
        disagreement=explained, subject_kind="provider", subject_slug="ibex"
    )
    html = text(client.get("/providers/ibex/"))
    marks = html.split('<p class="disputed">')[1].split("</p>")[0]
    assert '<span class="badge explained">Not a contradiction</span>' in marks
    assert f'href="/disagreements/#{explained.slug}"' in marks
    assert "Sources differ" not in marks
