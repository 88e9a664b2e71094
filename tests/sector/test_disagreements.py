"""Every place the sources disagree is on one page, both sides cited; the records concerned link
to it; nothing is settled by us."""

import pytest
from django.urls import reverse

from bpo_portal.sector.models import Disagreement

pytestmark = pytest.mark.django_db


def test_the_page_lists_every_disagreement_with_every_side(client):
    page = client.get(reverse("sector:disagreement_list")).content.decode()
    for disagreement in Disagreement.objects.prefetch_related("sides"):
        assert f'id="{disagreement.slug}"' in page
        sides = list(disagreement.sides.all())
        assert len(sides) >= 2
        for side in sides:
            assert side.claim.replace("'", "&#x27;").replace("&", "&amp;")[:40] in page or (
                side.claim[:40] in page
            )
    assert f"{Disagreement.objects.count()} places where the sources differ" in page


def test_kinds_are_grouped_and_look_alike_figures_are_said_not_to_contradict(client):
    page = client.get(reverse("sector:disagreement_list")).content.decode()
    assert "Sources contradict each other" in page
    assert "so both can be right" in page


def test_a_non_contradiction_says_so_once_on_its_card(client):
    page = client.get(reverse("sector:disagreement_list")).content.decode()
    explained = Disagreement.objects.filter(kind=Disagreement.Kind.NOT_CONTRADICTION)
    assert explained
    for disagreement in explained:
        card = page.split(f'id="{disagreement.slug}"')[1].split("</article>")[0]
        assert card.lower().count("not a contradiction") == 1, disagreement.slug


def test_only_the_figure_that_does_not_follow_is_flagged(client):
    page = client.get("/statistics/", {"metric": "it-exports"}).content.decode()
    row = {
        slug: page.split(f'<tr id="{slug}">')[1].split("</tr>")[0]
        for slug in ("it-exports-jul-mar-fy2021", "it-exports-jul-mar-fy2022")
    }
    for slug, html in row.items():
        assert "flag" not in html and "disputed" not in html, slug
    assert "⚠\xa0disputed" not in page and "⚠ disputed" not in page
    growth = client.get("/statistics/").content.decode()
    html = growth.split('<tr id="it-export-growth-jul-mar-fy2022">')[1].split("</tr>")[0]
    assert 'class="flag dispute-mark" href="#it-export-growth-fy2022-does-not-follow"' in html


def test_figures_show_the_implied_value_and_the_working(client):
    page = client.get(reverse("sector:disagreement_list")).content.decode()
    assert "Implied by the other figures" in page and "(1.948 − 1.5) ÷ 1.5 × 100" in page


def test_a_record_concerned_links_to_its_disagreement(client):
    page = client.get(reverse("sector:challenge_list")).content.decode()
    assert "/disagreements/#infrastructure-concern-or-largely-solved" in page
    page = client.get("/providers/systems-limited/").content.decode()
    assert "/disagreements/#systems-limited-local-or-foreign" in page


def test_infrastructure_where_the_articles_disagree(client):
    page = client.get(reverse("sector:disagreement_list")).content.decode()
    start = page.index('id="infrastructure-concern-or-largely-solved"')
    article = page[start : page.index("</article>", start)]
    assert "Challenges Facing the BPO Industry in Pakistan" in page  # cited, with its section
    assert article.count('class="side"') == 2


def test_nothing_is_settled_by_us():
    for disagreement in Disagreement.objects.all():
        summary = disagreement.summary.lower()
        assert "probably" not in summary and "we conclude" not in summary, disagreement.slug


@pytest.mark.parametrize(
    "url, queries", [("/disagreements/", 12), ("/organisations/", 3), ("/organisations/sbp/", 7)]
)
def test_query_counts(client, many_providers, django_assert_max_num_queries, url, queries):
    with django_assert_max_num_queries(queries):
        assert client.get(url).status_code == 200
