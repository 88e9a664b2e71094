"""/changes/ in plain words: a citation's change says what happened to which record, from which
source, and each time names its zone."""

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format

from bpo_portal.core.models import Change
from bpo_portal.directory.models import Provider
from tests.factories import CitationFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_a_citation_added_reads_as_plain_words(client, django_capture_on_commit_callbacks):
    source = SourceFactory(title="A test guide")
    with django_capture_on_commit_callbacks(execute=True):
        CitationFactory(source=source, fact=Provider.objects.get(slug="ibex"))
    html = client.get("/changes/").content.decode()
    assert "A citation added to Ibex (source: A test guide)" in html
    assert "a source of" not in html


def test_an_older_citation_row_reads_as_plain_words_too(client):
    Change.objects.create(
        date=timezone.now(), kind="citation", object_id=1, title="a source of Ibex", action="-"
    )
    html = client.get("/changes/", {"all": "1"}).content.decode()
    assert "A citation removed from Ibex" in html and "a source of" not in html


def test_each_time_names_its_zone(client):
    when = timezone.now()
    Change.objects.create(date=when, kind="provider", object_id=1, title="Ibex", action="~")
    html = client.get("/changes/", {"all": "1"}).content.decode()
    zone = date_format(timezone.localtime(when), "T")
    assert zone.strip()
    assert date_format(timezone.localtime(when), "j M Y, H:i ") + zone + "</time>" in html
