"""/changes/feed/ is a valid Atom feed (RFC 4287): the elements it requires are there."""

from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest

from bpo_portal.directory.models import Provider

pytestmark = pytest.mark.django_db

ATOM = {"atom": "http://www.w3.org/2005/Atom"}


def test_every_entry_has_what_atom_requires(client, django_capture_on_commit_callbacks):
    ibex = Provider.objects.get(slug="ibex")
    for headcount in ("many thousands", "several thousand"):
        ibex.headcount = headcount
        with django_capture_on_commit_callbacks(execute=True):
            ibex.save()
    feed = ElementTree.fromstring(client.get("/changes/feed/").content)
    for name in ("id", "title", "updated"):
        assert feed.find(f"atom:{name}", ATOM) is not None, name
    assert feed.find("atom:author/atom:name", ATOM).text == "BPO Portal"
    entries = feed.findall("atom:entry", ATOM)
    assert len(entries) >= 2
    ids = []
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert entry.find(f"atom:{name}", ATOM) is not None, name
        ids.append(entry.find("atom:id", ATOM).text)
    for entry_id in ids:
        parts = urlsplit(entry_id)
        assert parts.scheme in ("http", "https", "tag") and (parts.netloc or parts.path), entry_id
    assert len(ids) == len(set(ids)), "two changes to one record keep two ids"
