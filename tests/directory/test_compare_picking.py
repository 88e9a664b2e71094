"""Comparing providers: picked from the directory list without JavaScript, with their other
names and headcounts side by side."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def html(client, url, data=None):
    response = client.get(url, data)
    assert response.status_code == 200
    return response.content.decode()


def row(page, label):
    match = re.search(rf'<th scope="row" class="sticky">{label}</th>(.*?)</tr>', page, re.S)
    assert match, label
    return re.findall(r"<td>(.*?)</td>", match.group(1), re.S)


def test_compare_shows_other_names_and_headcount(client):
    page = html(client, "/compare/ibex-vs-trg-pakistan/")
    ibex, trg = row(page, "Other names")
    assert ibex.startswith("Former name: TRG Customer Solutions<sup")
    assert trg == '<span class="not-stated">None stated</span>'
    ibex, trg = row(page, "Headcount")
    assert ibex.startswith("Thousands of staff, as stated<sup")
    assert trg == '<span class="not-stated">Not stated</span>'


def test_the_directory_list_picks_providers_to_compare(client):
    page = html(client, reverse("directory:provider_list"))
    form = page[page.index('<form class="compare-rows"') :]
    form = form[: form.index("</form>")]
    assert 'method="get" action="/compare/"' in form
    assert '<input type="checkbox" name="p" value="ibex">' in form
    assert 'Compare<span class="visually-hidden"> Ibex</span>' in form
    assert '<button type="submit">Compare the ticked providers</button>' in form
    response = client.get("/compare/", {"p": ["trg-pakistan", "ibex"]})
    assert response.url == "/compare/ibex-vs-trg-pakistan/"
    one = html(client, "/compare/", {"p": "ibex"})
    assert "Choose at least two providers to compare." in one
    assert 'value="ibex" checked' in one


def test_a_profile_never_offers_to_compare_a_provider_with_itself(client):
    page = html(client, "/providers/trg-pakistan/")
    assert "Compare with TRG Pakistan" not in page
    # One similar provider: one link, named by both (no second, per-row "Compare").
    assert '<a class="button" href="/compare/?p=trg-pakistan&amp;p=ibex">' in page
    assert "Compare TRG Pakistan with Ibex</a>" in page
    assert 'Compare<span class="visually-hidden">' not in page
