import pytest
from django.urls import reverse

from tests.pages import PUBLIC

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


def test_home(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        response = client.get(reverse("home"))
    html = text(response)
    assert "over 100,000 people" in html and "US$2.5 billion" in html
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
        and '<nav class="wrap site-nav" aria-label="Main">' in html
    )


def test_404_page_is_helpful(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Search the knowledge base" in text(response)


def test_500_page_renders_without_context():
    from django.template.loader import render_to_string

    assert "Something went wrong on our side" in render_to_string("500.html")
