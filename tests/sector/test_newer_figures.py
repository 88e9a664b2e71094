"""A newer figure replaces an older one of the same metric; both stay, the newer is current."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bpo_portal.sector.models import Statistic
from tests.factories import SourceFactory, StatisticFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def newer_exports(django_capture_on_commit_callbacks):
    """A newer figure for IT and ITeS exports, from a report, replacing the 2022 one."""
    older = Statistic.objects.get(slug="it-ites-exports-2022")
    report = SourceFactory(
        slug="export-report", title="Export report", publisher="An export board", headings=[]
    )
    with django_capture_on_commit_callbacks(execute=True):
        newer = StatisticFactory.build(
            slug="it-ites-exports-2024",
            metric=older.metric,
            value=Decimal("3.2"),
            unit=older.unit,
            period_kind=Statistic.PeriodKind.CALENDAR_YEAR,
            year=2024,
            scope=older.scope,
            supersedes=older,
        )
        newer.full_clean()
        newer.save()
        newer.citations.create(source=report, page="12", note="The newer total.")
    return older, newer


def test_both_stay_and_the_newer_is_marked_current(client, newer_exports):
    older, newer = newer_exports
    html = client.get(reverse("sector:statistic_list"), {"metric": older.metric.slug}).content
    html = html.decode()
    assert "$3.2 billion" in html and "$2.5 billion" in html
    row = html[html.index(f'id="{newer.slug}"') :][:800]
    assert "current" in row and "replaces" in row
    old_row = html[html.index(f'id="{older.slug}"') :][:800]
    assert "superseded" in old_row
    assert set(Statistic.objects.current().filter(metric=older.metric)) == {newer}


def test_the_home_page_shows_the_current_figure(client, newer_exports):
    html = client.get("/").content.decode()
    assert "$3.2 billion" in html and "$2.5 billion" not in html


def test_the_footnote_shows_the_report_and_links_to_its_page(client, newer_exports):
    html = client.get(reverse("sector:statistic_list")).content.decode()
    assert 'href="/sources/export-report/">Export report</a>, An export board; page 12.' in html


def test_a_replacement_must_be_of_the_same_metric_and_not_circular(newer_exports):
    older, newer = newer_exports
    older.supersedes = newer
    with pytest.raises(ValidationError, match="circle"):
        older.full_clean()
    other = Statistic.objects.exclude(metric=newer.metric).first()
    newer.supersedes = other
    with pytest.raises(ValidationError, match="same metric"):
        newer.full_clean()
