"""Curation that grows the knowledge base: recent changes, readers' corrections, the quality
dashboard."""

from html import unescape
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError
from django.urls import reverse

from bpo_portal.core.models import Change
from bpo_portal.directory.models import Provider
from bpo_portal.portal.models import Suggestion
from bpo_portal.sector.models import Statistic
from bpo_portal.sources.models import Citation
from tests.admin_forms import change_form_data, inline_prefix
from tests.factories import SourceFactory, StatisticFactory

pytestmark = pytest.mark.django_db


def save(capture, action):
    with capture(execute=True):
        action()


class TestRecentChanges:
    def test_a_curators_edit_is_listed_without_who_made_it(
        self, client, django_capture_on_commit_callbacks
    ):
        editor = User.objects.create_user("amna-qureshi", email="amna@example.org")
        ibex = Provider.objects.get(slug="ibex")
        ibex.description = "Edited by a curator."
        ibex._history_user = editor
        save(django_capture_on_commit_callbacks, ibex.save)
        html = client.get(reverse("changes")).content.decode()
        assert 'href="/providers/ibex/">Ibex</a>' in html and "description" in html
        assert "amna" not in html.lower()
        change = Change.objects.first()
        assert (change.kind, change.action, change.fields) == ("provider", "~", ["description"])

    def test_demo_rows_are_left_out(self, client):
        from bpo_portal.directory import demo

        before = Change.objects.count()
        demo.generate(5, seed=2)
        provider = Provider.objects.filter(is_demo=True).first()
        provider.description = "A demo edit."
        provider.save()
        assert Change.objects.count() == before

    def test_the_atom_feed(self, client, django_capture_on_commit_callbacks):
        ibex = Provider.objects.get(slug="ibex")
        ibex.headcount = "many thousands"
        save(django_capture_on_commit_callbacks, ibex.save)
        response = client.get(reverse("changes_feed"))
        assert response["Content-Type"].startswith("application/atom+xml")
        feed = ElementTree.fromstring(response.content)
        ns = {"atom": "http://www.w3.org/2005/Atom"}
        titles = [e.text for e in feed.findall("atom:entry/atom:title", ns)]
        assert "Changed: Ibex" in titles

    def test_pages_of_changes(self, client):
        Change.objects.bulk_create(
            Change(
                date="2026-01-01T00:00Z", kind="provider", object_id=1, title=f"Row {n}", action="+"
            )
            for n in range(120)
        )
        response = client.get(reverse("changes"), {"page": "3", "all": "1"})
        assert response.context["page"].number == 3
        assert 'rel="prev"' in response.content.decode()


class TestSuggestions:
    url = reverse("suggest")

    def post(self, client, address="10.0.0.1", forwarded="", **fields):
        data = {"page": "/providers/ibex/", "wrong": "The founding year is missing.", **fields}
        return client.post(self.url, data, REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=forwarded)

    def test_a_correction_reaches_the_queue_and_is_not_published(self, client):
        response = client.get(self.url, {"page": "/providers/ibex/"})
        assert 'href="/providers/ibex/">Ibex</a>' in response.content.decode()
        response = self.post(client, email="reader@example.org")
        assert response.status_code == 302 and response.url == reverse("suggest_thanks")
        assert "Thank you" in client.get(response.url).content.decode()
        suggestion = Suggestion.objects.get()
        assert (suggestion.status, suggestion.record_kind, suggestion.record_title) == (
            "waiting",
            "provider",
            "Ibex",
        )
        for page in ("/providers/ibex/", reverse("changes"), reverse("search") + "?q=founding"):
            assert "reader@example.org" not in client.get(page).content.decode()

    @pytest.mark.parametrize(
        "fields, message",
        [
            ({"wrong": "x" * 5000}, "at most 2000 characters"),  # (a larger body is a 413)
            ({"wrong": "<script>alert(1)</script>"}, "plain text"),
            ({"should_be": "a\x00b"}, "Null characters are not allowed"),
            ({"source_url": "javascript:alert(1)"}, "Enter a valid URL"),
            ({"website": "http://spam.example"}, "could not be sent"),
            ({"wrong": ""}, "This field is required"),
        ],
    )
    def test_hostile_suggestions_are_refused_with_a_clear_message(self, client, fields, message):
        response = self.post(client, **fields)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not Suggestion.objects.exists()
        assert "<script>alert(1)</script>" not in response.content.decode()

    def test_a_flood_from_one_address_is_stopped(self, client):
        statuses = [self.post(client, wrong=f"Error {n}").status_code for n in range(50)]
        assert statuses.count(302) == 5 and statuses[5:] == [429] * 45
        response = self.post(client, wrong="One more")
        assert "Please try again in 10 minutes" in response.content.decode()
        assert "One more" in response.content.decode()  # what the reader typed stays
        assert self.post(client, wrong="From elsewhere", address="10.0.0.2").status_code == 302

    def test_behind_a_proxy_readers_are_counted_not_the_proxy(self, client, settings):
        settings.TRUSTED_PROXIES = 1
        settings.TRUSTED_PROXY_ADDRESSES = ["10.0.0.1"]

        def post(reader, wrong):
            # Through the proxy at 10.0.0.1; the left entry is whatever the client claimed.
            return self.post(client, wrong=wrong, forwarded=f"203.0.113.9, {reader}")

        assert [post("198.51.100.1", f"Error {n}").status_code for n in range(6)][-1] == 429
        assert post("198.51.100.2", "Another reader").status_code == 302

    def test_a_database_error_keeps_what_the_reader_typed(self, client, monkeypatch):
        def fail(*args, **kwargs):
            raise DatabaseError("the database is away")

        monkeypatch.setattr(Suggestion, "save", fail)
        response = self.post(client, wrong="Keep this text, please.")
        assert response.status_code == 503
        html = response.content.decode()
        assert "Nothing you typed is lost" in html and "Keep this text, please." in html

    def test_only_pages_of_this_site(self, client):
        response = client.get(self.url, {"page": "https://evil.example/x"})
        assert response.context["page"] == "/"

    def test_a_curator_accepts_and_the_records_history_names_it(self, curator_client):
        self.post(curator_client, should_be="Founded in 2001, per its site.")
        suggestion = Suggestion.objects.get()
        response = curator_client.post(
            reverse("admin:portal_suggestion_changelist"),
            {"action": "accept", "_selected_action": [suggestion.pk]},
        )
        ibex = Provider.objects.get(slug="ibex")
        target = reverse("admin:directory_provider_change", args=[ibex.pk])
        assert response.url == f"{target}?_suggestion={suggestion.pk}"
        suggestion.refresh_from_db()
        assert suggestion.status == "waiting"  # nothing is accepted before the edit is saved
        form = curator_client.get(response.url)
        html = form.content.decode()
        assert "What the reader wrote" in html and "The founding year is missing." in html
        assert "Founded in 2001, per its site." in html
        assert "Saving this record marks the correction accepted" in html
        data = change_form_data(form)
        data["founded_year"] = "2001"
        # The new year with the old citations only: refused, with what to do, nothing lost.
        refused = curator_client.post(response.url, data)
        html = unescape(refused.content.decode())
        assert refused.status_code == 200
        assert "This correction changes founded year: say where the new value comes from" in html
        assert 'name="founded_year" value="2001"' in html
        assert Provider.objects.get(pk=ibex.pk).founded_year is None
        suggestion.refresh_from_db()
        assert suggestion.status == "waiting"

        # Cited to the reader's source, recorded as a new source: saved and accepted.
        site = SourceFactory(kind="web_page", title="Ibex: about us", url="https://ibex.example/")
        prefix = inline_prefix(form, Citation)
        data[f"{prefix}-TOTAL_FORMS"] = str(int(data[f"{prefix}-TOTAL_FORMS"]) + 1)
        new = f"{prefix}-{int(data[f'{prefix}-TOTAL_FORMS']) - 1}"
        data |= {
            f"{new}-source": site.pk,
            f"{new}-field": "founded_year",
            f"{new}-locator": "The company's history page",
            f"{new}-note": "Gives 2001 as the year Ibex was founded.",
        }
        saved = curator_client.post(response.url, data, follow=True)
        assert f"Correction #{suggestion.pk} on Ibex is marked accepted." in saved.content.decode()
        latest = ibex.history.first()
        assert latest.founded_year == 2001
        assert latest.history_change_reason.endswith(f"(suggestion #{suggestion.pk})")
        assert ibex.citations.filter(source=site, field="founded_year").exists()
        suggestion.refresh_from_db()
        assert suggestion.status == "accepted"

    def test_a_curator_may_say_the_citations_there_support_the_new_values(self, curator_client):
        self.post(curator_client, should_be="Its name is written IBEX.")
        suggestion = Suggestion.objects.get()
        ibex = Provider.objects.get(slug="ibex")
        url = reverse("admin:directory_provider_change", args=[ibex.pk])
        url += f"?_suggestion={suggestion.pk}"
        form = curator_client.get(url)
        assert "The citations below support the new values" in form.content.decode()
        data = change_form_data(form) | {"founded_year": "2001", "_citations_hold": "on"}
        saved = curator_client.post(url, data, follow=True)
        assert f"Correction #{suggestion.pk} on Ibex is marked accepted." in saved.content.decode()
        assert Provider.objects.get(pk=ibex.pk).founded_year == 2001

    def test_an_edit_not_opened_from_a_correction_is_not_asked(self, curator_client):
        ibex = Provider.objects.get(slug="ibex")
        url = reverse("admin:directory_provider_change", args=[ibex.pk])
        data = change_form_data(curator_client.get(url)) | {"founded_year": "2001"}
        assert curator_client.post(url, data).status_code == 302

    def test_an_edit_that_is_refused_accepts_nothing(self, curator_client):
        self.post(curator_client)
        suggestion = Suggestion.objects.get()
        ibex = Provider.objects.get(slug="ibex")
        url = reverse("admin:directory_provider_change", args=[ibex.pk])
        url += f"?_suggestion={suggestion.pk}"
        data = change_form_data(curator_client.get(url))
        data["founded_year"] = "3000"
        response = curator_client.post(url, data)
        assert response.status_code == 200 and "What the reader wrote" in response.content.decode()
        suggestion.refresh_from_db()
        assert suggestion.status == "waiting"

    def test_the_suggestion_links_to_its_record(self, curator_client):
        self.post(curator_client)
        suggestion = Suggestion.objects.get()
        html = curator_client.get(
            reverse("admin:portal_suggestion_change", args=[suggestion.pk])
        ).content.decode()
        ibex = Provider.objects.get(slug="ibex")
        target = reverse("admin:directory_provider_change", args=[ibex.pk])
        assert f'href="{target}?_suggestion={suggestion.pk}">Edit Ibex</a>' in html

    def test_a_rejection_needs_a_reason_and_keeps_the_suggestion(self, curator_client):
        self.post(curator_client)
        suggestion = Suggestion.objects.get()
        url = reverse("admin:portal_suggestion_change", args=[suggestion.pk])
        response = curator_client.post(url, {"status": "rejected", "reason": ""})
        assert "Say why it is rejected" in response.content.decode()
        curator_client.post(url, {"status": "rejected", "reason": "The source says 2002."})
        suggestion.refresh_from_db()
        assert (suggestion.status, suggestion.reason) == ("rejected", "The source says 2002.")
        assert Suggestion.objects.count() == 1


class TestQualityDashboard:
    url = reverse("quality")

    def test_finds_a_planted_conflict(self, curator_client):
        exports = Statistic.objects.get(slug="it-exports-jul-mar-fy2022")
        planted = StatisticFactory(
            slug="planted",
            metric=exports.metric,
            value=2,
            unit=exports.unit,
            period_kind=exports.period_kind,
            year=exports.year,
            months=exports.months,
            scope=exports.scope,
        )
        response = curator_client.get(self.url)
        pairs = {frozenset((a.slug, b.slug)) for a, b in response.context["conflicts"]}
        assert frozenset((exports.slug, planted.slug)) in pairs
        assert f"id__in={min(exports.pk, planted.pk)}" in response.context["conflicts_url"]

    def test_counts_link_to_filtered_lists(self, curator_client):
        Suggestion.objects.create(page="/", wrong="x", address_hash="h")
        response = curator_client.get(self.url)
        assert response.context["waiting"].count == 1
        html = response.content.decode()
        assert "/admin/portal/suggestion/?status__exact=waiting" in html
        missing = response.context["gaps"][1]
        assert missing.count == Provider.objects.real().filter(founded_year__isnull=True).count()
        listed = curator_client.get(missing.url)
        assert listed.context["cl"].result_count == missing.count

    def test_counts_read_in_the_singular_and_the_plural(self, curator_client):
        Suggestion.objects.create(page="/", wrong="x", address_hash="h")
        html = unescape(curator_client.get(self.url).content.decode())
        assert "1 reader's correction waiting" in html
        Suggestion.objects.create(page="/", wrong="y", address_hash="h")
        html = unescape(curator_client.get(self.url).content.decode())
        assert "2 readers' corrections waiting" in html
        from bpo_portal.portal.quality import Line

        assert Line("figure", "figures", 1, "/").text == "1 figure"
        assert Line("figure", "figures", 0, "/").text == "0 figures"

    def test_the_breadcrumbs_are_the_admins_own(self, curator_client):
        html = curator_client.get(self.url).content.decode()
        assert '<ol class="breadcrumbs">' in html
        assert '<li aria-current="page">Quality dashboard</li>' in html
        assert '<div class="breadcrumbs">' not in html

    def test_fixed_number_of_queries(
        self, curator_client, many_providers, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(25):
            assert curator_client.get(self.url).status_code == 200

    def test_only_staff_see_it(self, client):
        client.force_login(User.objects.create_user("reader"))
        assert client.get(self.url).status_code == 302
