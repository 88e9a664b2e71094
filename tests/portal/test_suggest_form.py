"""The correction form: a sent correction redirects to a thank-you page showing what was sent
(a reload sends nothing again); an invalid one lists its errors at the top, each linked to its
field and read with it."""

import re

import pytest
from django.urls import reverse

from bpo_portal.portal.models import Suggestion

pytestmark = pytest.mark.django_db

SENT = {
    "page": "/providers/ibex/",
    "wrong": "The head count <b>has</b> no year.",
    "should_be": "",
    "source_url": "https://example.org/ibex",
    "email": "reader@example.org",
}


def test_a_sent_correction_redirects_and_a_reload_sends_nothing_again(client):
    response = client.post(reverse("suggest"), SENT | {"wrong": "The head count has no year."})
    assert response.status_code == 302 and response.url == reverse("suggest_thanks")
    for _ in range(2):  # read, then reloaded
        thanks = client.get(response.url)
        html = thanks.content.decode()
        assert thanks.status_code == 200 and "Thank you" in html
        assert "The head count has no year." in html and "https://example.org/ibex" in html
        assert 'href="/providers/ibex/"' in html
    assert Suggestion.objects.count() == 1


def test_the_thank_you_page_shows_only_this_browsers_correction_as_text(client):
    Suggestion.objects.create(page="/", wrong="<b>typed</b>", address_hash="x")
    assert client.get(reverse("suggest_thanks")).url == reverse("suggest")  # nothing sent here
    session = client.session
    session["suggestion_sent"] = Suggestion.objects.get().pk
    session.save()
    html = client.get(reverse("suggest_thanks"), {"wrong": "<i>url</i>"}).content.decode()
    assert "&lt;b&gt;typed&lt;/b&gt;" in html and "<b>typed" not in html
    assert "<i>url</i>" not in html and "&lt;i&gt;url" not in html


def test_an_invalid_correction_lists_each_error_and_ties_it_to_its_field(client):
    response = client.post(reverse("suggest"), SENT | {"wrong": "", "source_url": "not a url"})
    html = response.content.decode()
    assert response.status_code == 400
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    assert "autofocus" in html.split('id="error-summary"')[0].rsplit("<div", 1)[1] + summary
    links = re.findall(r'<a href="#(id_[a-z_]+)">', summary)
    assert links == ["id_wrong", "id_source_url"]
    for name, message in (("source_url", "Enter a valid URL."), ("wrong", "required")):
        field = re.search(rf"<(input|textarea)[^>]*id=\"id_{name}\"[^>]*>", html)[0]
        described = re.search(r'aria-describedby="([^"]+)"', field)[1].split()
        assert f"id_{name}_error" in described
        error = re.search(rf'<p class="field-error" id="id_{name}_error">([^<]*)</p>', html)
        assert message in error[1]
    # the URL's error sits in the URL field's block, not beside the email field
    url_block = html.split('<label for="id_source_url"')[1].split('<label for="id_email"')[0]
    assert "Enter a valid URL." in url_block
    email = re.search(r'<input[^>]*id="id_email"[^>]*>', html)[0]
    assert "_error" not in email
