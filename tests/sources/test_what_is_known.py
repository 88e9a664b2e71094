"""A source page says what is known of the source and why the rest is not, never a bare "not
recorded", and shows readers what the source is, not the name of our copy of it (issue 27)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from bpo_portal.sources.models import Source
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

ARTICLES = ["bpo-overview", "rise-of-bpo", "scaling-bpo", "tech-and-talent", "contact-centres"]


def page_text(client, slug):
    html = client.get(reverse("sources:detail", args=[slug])).content.decode()
    return html.split("<main", 1)[1]


@pytest.mark.parametrize("slug", ARTICLES)
def test_an_article_page_says_what_is_known_of_it(client, slug):
    source = Source.objects.get(slug=slug)
    html = page_text(client, slug)
    assert "<dt>What is known of it</dt>" in html
    assert "came to us as a plain-text copy without" in html
    assert "Not recorded" not in html and "not recorded" not in html
    assert source.file_name not in html and ".txt" not in html
    own = "The title is the article's own" if not source.title_is_ours else "The title is ours"
    assert own.replace("'", "&#x27;") in html


def test_what_is_known_is_true_of_each_article():
    """The notes' claims checked against the files: whose title is whose, and no web address,
    publisher's copyright line or byline in any of them."""
    if not settings.ARTICLES_DIR.is_dir():
        pytest.skip(f"articles folder not found at {settings.ARTICLES_DIR}")
    for source in Source.objects.filter(slug__in=ARTICLES):
        text = (settings.ARTICLES_DIR / source.file_name).read_text(encoding="utf-8")
        first_line = text.splitlines()[0].strip()
        if source.title_is_ours:
            assert len(first_line) > 200, source.slug  # a paragraph, not a title
            assert "The title is ours" in source.what_is_known
        else:
            assert first_line == source.title
            assert "The title is the article's own, its first line" in source.what_is_known
        assert not re.search(r"https?://|www\.|\.com\b|©|copyright", text, re.I), source.slug
        assert not re.search(r"^\s*by [A-Z]", text, re.M), source.slug  # a byline
        assert not re.search(r"published|posted on", text, re.I), source.slug


def test_a_source_without_the_note_still_says_what_is_not_recorded(client):
    source = SourceFactory(slug="bare", title="A bare source", file_name="bare-copy.txt")
    html = page_text(client, source.slug)
    assert "Not recorded" in html and "Date not recorded" in html
    assert "No address recorded" in html
    assert "bare-copy.txt" not in html
    assert "What is known of it" not in html


def test_a_recorded_publisher_and_date_are_shown_beside_the_note(
    client, django_capture_on_commit_callbacks
):
    source = Source.objects.get(slug="scaling-bpo")
    source.publisher = "A later-found publisher"
    with django_capture_on_commit_callbacks(execute=True):
        source.save()
    html = page_text(client, source.slug)
    assert "<dt>Publisher</dt><dd>A later-found publisher</dd>" in html
    assert "What is known of it" in html and "Date not recorded" not in html
