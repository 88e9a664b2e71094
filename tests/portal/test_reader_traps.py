"""The small traps a reader met on the real knowledge base: a name to add to a comparison that
must be exact, a correction form naming its page by its path, raw field names in the changes,
wording that ignores a count, and a stray space after the "ours" mark."""

import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


def add(client, typed, chosen=("ptcl", "ufone")):
    return client.get(reverse("directory:compare_start"), {"p": list(chosen), "add": typed})


def notices(response):
    return re.findall(r'<p class="notice[^"]*">(.*?)</p>', text(response))


class TestAddingAProviderByPartOfItsName:
    @pytest.mark.parametrize(
        ("typed", "slug"),
        [("trg", "trg-pakistan"), ("sys", "systems-limited"), ("TELENOR", "telenor")],
    )
    def test_a_part_of_a_name_adds_the_provider(self, client, typed, slug):
        response = add(client, typed, chosen=["ibex", "ptcl"])
        assert response.status_code == 302
        assert response.url == "/compare/" + "-vs-".join(sorted(["ibex", "ptcl", slug])) + "/"

    def test_the_added_provider_is_named(self, client):
        response = add(client, "trg", chosen=["ibex", "ptcl"])
        page = client.get(response.url)
        assert "Added TRG Pakistan, whose name matches “trg”." in notices(page)

    def test_a_typo_gets_did_you_mean_with_a_link_that_adds_it(self, client):
        response = add(client, "ibx")
        assert response.url == "/compare/ptcl-vs-ufone/"
        [notice] = notices(client.get(response.url))
        assert notice == (
            "No provider matches “ibx”. Did you mean "
            '<a href="/compare/?p=ptcl&amp;p=ufone&amp;add=ibex">Ibex</a>?'
        )

    def test_nothing_near_says_so_plainly(self, client):
        response = add(client, "<b>xyzzy</b>", chosen=["ibex"])
        assert response.status_code == 200
        html = text(response)
        assert "No provider matches “&lt;b&gt;xyzzy&lt;/b&gt;”. Check the spelling" in html
        assert "<b>xyzzy" not in html

    def test_one_already_chosen_is_not_added_twice(self, client):
        response = add(client, "ufon")
        assert response.url == "/compare/ptcl-vs-ufone/"
        assert "Ufone is already in the comparison." in notices(client.get(response.url))


class TestTheCorrectionFormNamesItsPage:
    def test_a_section_is_named_by_its_name(self, client):
        html = text(client.get("/suggest/", {"page": "/statistics/"}))
        assert '<p class="suggest-about">About: <a href="/statistics/">Statistics</a></p>' in html
        assert "the page /statistics/" not in html

    def test_the_footer_link_carries_the_page_title(self, client):
        html = text(client.get("/compare/ibex-vs-trg-pakistan/"))
        [link] = re.findall(r'<a href="(/suggest/[^"]+)">Suggest a correction to this page', html)
        about = text(client.get(link.replace("&amp;", "&")))
        assert (
            '<p class="suggest-about">About: <a href="/compare/ibex-vs-trg-pakistan/">'
            "Compare Ibex vs TRG Pakistan</a></p>"
        ) in about

    def test_a_title_is_text_and_a_record_page_keeps_its_record(self, client):
        html = text(client.get("/suggest/", {"page": "/search/", "title": "<b>x</b> &amp; y"}))
        assert 'About: <a href="/search/">&lt;b&gt;x&lt;/b&gt; &amp; y</a>' in html
        html = text(client.get("/suggest/", {"page": "/providers/ibex/", "title": "Other"}))
        assert 'About: <a href="/providers/ibex/">Ibex</a>' in html


class TestChangesUseTheFieldsNames:
    def test_page_and_feed(self, client, django_capture_on_commit_callbacks):
        from bpo_portal.directory.models import Provider

        provider = Provider.objects.get(slug="ibex")
        provider.founded_year = 2002
        provider.headcount = "many thousands"
        with django_capture_on_commit_callbacks(execute=True):
            provider.save()
        html = text(client.get("/changes/"))
        assert re.search(
            r'<span class="meta">— (founded year, headcount|headcount, founded year)<', html
        )
        assert "foundedyear" not in html
        feed = ElementTree.fromstring(client.get("/changes/feed/").content)
        ns = {"atom": "http://www.w3.org/2005/Atom"}
        summary = feed.find("atom:entry/atom:summary", ns).text
        assert summary in (
            "Provider changed: founded year, headcount.",
            "Provider changed: headcount, founded year.",
        )

    def test_a_field_that_is_gone_reads_as_words(self):
        from bpo_portal.core.changes import field_labels
        from bpo_portal.core.models import Change

        change = Change(kind="provider", fields=["parent", "old_thing_id"], action="~")
        assert field_labels(change) == ["parent", "old thing"]


class TestWordsByCount:
    def test_one_provider_alike_is_named(self, client):
        html = text(client.get("/providers/trg-pakistan/"))
        assert ">Compare TRG Pakistan with Ibex</a>" in html
        assert "with all of these" not in html

    def test_several_alike_are_counted(self, client):
        html = text(client.get("/providers/ptcl/"))
        assert ">Compare PTCL with all 3 of these</a>" in html

    def test_service_lines_none_offers(self, client):
        two = text(client.get("/compare/ibex-vs-trg-pakistan/"))
        assert re.search(
            r"<summary>\d+ service lines that neither provider is stated to offer<", two
        )
        three = text(client.get("/compare/ibex-vs-ptcl-vs-trg-pakistan/"))
        assert re.search(
            r"<summary>\d+ service lines that none of the 3 providers is stated to offer<", three
        )
        assert "none of them is" not in two + three


@pytest.mark.parametrize("path", ["/", "/advantages/", "/incentives/", "/services/"])
def test_no_space_after_the_ours_mark(client, path):
    html = text(client.get(path))
    assert '<span class="ours">' in html
    assert not re.search(r'<span class="ours">[^<]*</span>\s+[,;.)]', html)
