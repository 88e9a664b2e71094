"""The charts on the statistics page: a metric's only figure shown large, one chart per scope,
part-year periods, forecasts, ranges and the current figure marked, every value in words for
screen readers, figures without a year beside the chart, and text that stays legible and whole on
a phone."""

import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bpo_portal.core import drawing
from bpo_portal.sector.models import Metric, Statistic
from bpo_portal.sector.selectors import period_end, scope_key
from tests.factories import MetricFactory, StatisticFactory

pytestmark = pytest.mark.django_db

URL = reverse("sector:statistic_list")
PHONE_COLUMN = 328  # a 360 px wide phone, less the page's margins of 16 px on each side
Kind = Statistic.PeriodKind


def page(client, **params):
    cache.clear()  # figures added in a test are not announced to the page cache
    return client.get(URL, params).content.decode()


def section(html, slug):
    start = html.index(f'<section class="metric" id="metric-{slug}"')
    return html[start : html.index("</section>", start)]


def charts(html):
    return re.findall(r"<svg\b.*?</svg>", html, re.S)


def bars(svg):
    """The classes of each bar, top to bottom."""
    return re.findall(r'<rect class="chart-bar ?([^"]*)"', svg)


def labels(svg):
    """The label of each bar, top to bottom, its lines joined and its no-break spaces plain."""
    rows = svg.split('<rect class="chart-bar')[:-1]
    return [
        " ".join(re.findall(r'<text class="chart-label"[^>]*>([^<]*)</text>', row)).replace(
            "\u00a0", " "
        )
        for row in rows
    ]


def it_exports(**fields):
    """A figure of the IT exports metric, of the same scope as the fixture's two figures."""
    older = Statistic.objects.get(slug="it-exports-jul-mar-fy2022")
    defaults = {"metric": older.metric, "unit": older.unit, "scope": older.scope, "origin": None}
    return StatisticFactory(**(defaults | fields))


@pytest.fixture
def newer_exports():
    """A full-year figure for FY2023 that replaces the July–March FY2022 one."""
    older = Statistic.objects.get(slug="it-exports-jul-mar-fy2022")
    newer = it_exports(
        slug="it-exports-fy2023",
        value=Decimal("2.62"),
        period_kind=Kind.FISCAL_YEAR,
        year=2023,
        supersedes=older,
    )
    return older, newer


def test_a_metric_with_one_figure_shows_it_large_without_a_chart(client):
    html = page(client)
    median_age = section(html, "median-age")
    assert "<svg" not in median_age
    big = median_age[median_age.index('class="big-figure"') :]
    assert re.search(r'class="big-figure-value">around 22 years<sup class="cite">\[<a href', big)
    assert "<dd>Not stated in the sources" in big and "<dd>Pakistan&#x27;s population</dd>" in big
    single = [m for m in Metric.objects.all() if m.statistics.count() == 1]
    assert len(single) >= 5
    for metric in single:
        assert "<svg" not in section(html, metric.slug), metric.slug
        assert section(html, metric.slug).count('class="big-figure"') == 1
    assert "not stated in the sources" not in "".join(charts(html)).lower()


def test_a_figure_on_its_own_keeps_its_table(client):
    html = section(page(client), "cost-savings")
    assert 'class="big-figure-value">up to 50–60%' in html  # a range stays a range
    assert '<table class="data">' in html and 'id="cost-savings-50-60"' in html


def test_two_july_to_march_figures_of_one_scope_make_one_chart_in_time_order(client):
    html = section(page(client), "it-exports")
    (svg,) = charts(html)
    # they are the inputs of a figure that does not follow, not in question themselves
    assert labels(svg) == ["July–March of FY2021", "July–March of FY2022"]
    assert '<h3 class="chart-scope"' in html
    assert "IT exports (telecommunication, computer and information services)" in svg  # title
    assert '<table class="data">' in html  # the table stays beside the chart


def test_figures_of_different_scopes_are_never_one_series(client):
    metric = MetricFactory(slug="exports-by-scope", name="Exports by scope", unit="usd_bn")
    for year, value in [(2019, "1.1"), (2020, "1.2")]:
        StatisticFactory(
            metric=metric,
            value=Decimal(value),
            unit="usd_bn",
            period_kind=Kind.CALENDAR_YEAR,
            year=year,
            scope="IT exports",
        )
    StatisticFactory(  # the same scope, written differently
        metric=metric,
        value=Decimal("1.3"),
        unit="usd_bn",
        period_kind=Kind.CALENDAR_YEAR,
        year=2021,
        scope="  it  EXPORTS. ",
    )
    for year, value in [(2019, "2.1"), (2021, "2.3")]:
        StatisticFactory(
            metric=metric,
            value=Decimal(value),
            unit="usd_bn",
            period_kind=Kind.CALENDAR_YEAR,
            year=year,
            scope="IT and ITeS exports, call centres included",
        )
    html = section(page(client, metric="exports-by-scope"), "exports-by-scope")
    narrow, wide = charts(html)
    assert re.findall(r"US\$[\d.]+ billion(?=<)", narrow) == [
        "US$1.1 billion",
        "US$1.2 billion",
        "US$1.3 billion",
    ]
    assert re.findall(r"US\$[\d.]+ billion(?=<)", wide) == ["US$2.1 billion", "US$2.3 billion"]
    assert "<title" in narrow and "Exports by scope, IT exports: oldest first" in narrow
    assert "IT and ITeS exports, call centres included: oldest first" in wide
    headings = re.findall(r'<h3 class="chart-scope"[^>]*>([^<]*)</h3>', html)
    assert headings == ["IT exports", "IT and ITeS exports, call centres included"]


def test_a_metric_whose_figures_cover_different_scopes_shows_each_on_its_own(client):
    metric = Metric.objects.get(slug="it-export-growth")
    StatisticFactory(metric=metric, value=12, unit="percent_growth", scope="BPO exports alone")
    html = section(page(client), "it-export-growth")  # one figure each for two scopes
    assert "<svg" not in html and html.count('class="big-figure"') == 2
    assert "IT and BPO exports, average yearly growth" in html
    assert "BPO exports alone" in html


def test_scopes_are_compared_without_regard_to_case_spacing_or_dashes():
    assert scope_key("IT exports – call centres") == scope_key("  it EXPORTS - call  centres. ")
    assert scope_key("IT exports") != scope_key("IT and ITeS exports")


def test_periods_take_their_place_by_when_they_end():
    def ends(**fields):
        return period_end(Statistic(**fields))

    july_to_march = ends(period_kind=Kind.PARTIAL_FISCAL, year=2022, months="July–March")
    july_to_december = ends(period_kind=Kind.PARTIAL_FISCAL, year=2022, months="Jul–Dec")
    fiscal = ends(period_kind=Kind.FISCAL_YEAR, year=2022)
    calendar = ends(period_kind=Kind.CALENDAR_YEAR, year=2022)
    assert july_to_december < july_to_march < fiscal < calendar
    assert ends(period_kind=Kind.SPAN, span_years=5) is None
    assert ends(period_kind=Kind.SPAN, span_years=5, year=2020) is None  # shown as no end year
    assert ends(period_kind=Kind.NOT_STATED) is None


def test_part_year_periods_and_forecasts_are_marked(client):
    metric = MetricFactory(slug="ai-share", name="AI share")
    StatisticFactory(metric=metric, value=20, period_kind=Kind.CALENDAR_YEAR, year=2023)
    StatisticFactory(metric=metric, value=60, period_kind=Kind.BY_YEAR, year=2027, is_forecast=True)
    html = page(client)
    (exports,) = charts(section(html, "it-exports"))
    assert bars(exports) == ["partial", "partial"]
    assert exports.count('<rect class="chart-hatch" fill="url(#') == 2
    assert "Hatched: part of a year only" in section(html, "it-exports")

    ai = section(html, "ai-share")
    (svg,) = charts(ai)
    assert bars(svg) == ["", "forecast"]
    assert labels(svg) == ["2023", "By 2027 · forecast"]
    assert "By 2027: 60%, forecast." in svg
    assert "Dashed outline: a forecast" in ai and "Hatched" not in ai


def test_ranges_are_drawn_as_ranges(client):
    metric = MetricFactory(slug="savings", name="Savings")
    for year, low, high in [(2019, 40, 55), (2023, 50, 60)]:
        StatisticFactory(
            metric=metric,
            value=low,
            value_upper=high,
            period_kind=Kind.CALENDAR_YEAR,
            year=year,
        )
    html = section(page(client, metric="savings"), "savings")
    (svg,) = charts(html)
    assert svg.count('<rect class="chart-range"') == 2
    assert ">40–55%</text>" in svg and ">50–60%</text>" in svg
    assert "Pale band: a range" in html


def test_every_value_is_in_words_for_screen_readers(client):
    html = page(client)
    (svg,) = charts(section(html, "it-exports"))
    title = re.search(r'role="img" aria-labelledby="([^"]+)" aria-describedby="([^"]+)"', svg)
    assert title, "a chart is an image with a title and a description"
    assert re.search(rf'<title id="{title[1]}">IT exports in SBP data', svg)
    description = re.search(rf'<desc id="{title[2]}">([^<]*)</desc>', svg)[1]
    assert description == (
        "July–March of FY2021: US$1.5 billion; July–March of FY2022: US$1.948 billion."
    )
    for svg in charts(html):
        assert "<a " not in svg and "tabindex" not in svg  # nothing focusable inside an image
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_a_newer_figure_is_marked_current_in_the_chart(client, newer_exports):
    older, newer = newer_exports
    html = section(page(client, metric="it-exports"), "it-exports")
    (svg,) = charts(html)
    assert bars(svg) == ["partial", "superseded partial", "current"]
    assert labels(svg)[1:] == [
        "July–March of FY2022 · superseded",
        "FY2023 (July 2022–June 2023) · current",
    ]
    assert "July–March of FY2022: US$1.948 billion, superseded;" in svg
    assert "FY2023 (July 2022–June 2023): US$2.62 billion, current." in svg
    assert "Dark: the current figure" in html


def test_a_revised_figure_for_the_same_period_comes_after_the_one_it_replaces(client):
    older = Statistic.objects.get(slug="it-exports-jul-mar-fy2021")
    it_exports(
        slug="it-exports-jul-mar-fy2021-revised",
        value=Decimal("1.52"),
        period_kind=Kind.PARTIAL_FISCAL,
        year=2021,
        months="July–March",
        supersedes=older,
    )
    (svg,) = charts(section(page(client, metric="it-exports"), "it-exports"))
    assert bars(svg) == ["superseded partial", "current partial", "partial"]


def test_figures_without_a_year_are_listed_beside_the_chart(client):
    it_exports(slug="it-exports-undated", value=Decimal("2.1"), period_kind=Kind.NOT_STATED)
    it_exports(slug="it-exports-decade", value=Decimal("9"), period_kind=Kind.SPAN, span_years=10)
    html = section(page(client, metric="it-exports"), "it-exports")
    (svg,) = charts(html)
    assert "US$2.1 billion" not in svg and "US$9 billion" not in svg
    beside = html[html.index('<div class="chart-undated">') :]
    beside = beside[: beside.index("</div>")]
    assert "<strong>US$2.1 billion</strong>" in beside and "not stated in the sources" in beside
    assert "<strong>US$9 billion</strong>" in beside and "over 10 years" in beside
    assert len(bars(svg)) == 2


def test_the_charts_cost_no_query_per_figure(client):
    def queries():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            client.get(URL, {"metric": "it-exports"})
        return len(captured)

    queries()  # reads what is kept per data version: then only what the figures add counts
    before = queries()
    older = Statistic.objects.get(slug="it-exports-jul-mar-fy2022")
    source = older.citations.first().source  # a new source would be one more (single) query
    for n in range(8):
        older = it_exports(
            slug=f"it-exports-{2000 + n}",
            value=Decimal(n + 1),
            period_kind=Kind.CALENDAR_YEAR if n % 2 else Kind.NOT_STATED,
            year=2000 + n,
            value_upper=Decimal(n + 2) if n % 3 else None,
            supersedes=older,
            cite=source,
        )
    queries()  # the new figures' version: what is kept per version is read again, once
    assert queries() == before


def chart_rules():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    return css, re.findall(r"(\.chart[^{]*)\{([^}]*)\}", css)


def test_chart_text_is_at_least_12_px_on_a_phone(client):
    """The SVG fills the column, at most the width the geometry assumes, and its text is as large
    as the font size it is laid out for (no style shrinks it)."""
    css, rules = chart_rules()
    (width,) = [body for selector, body in rules if selector.strip() == ".chart"]
    max_width = float(re.search(r"max-width:\s*([\d.]+)rem", width)[1]) * 16
    assert max_width == drawing.CHART_MAX_WIDTH
    (svg_rule,) = [body for selector, body in rules if selector.strip() == ".chart svg"]
    assert "width: 100%" in svg_rule
    inside_the_drawing = re.compile(r"svg|text|chart-label|chart-value")
    assert not [s for s, body in rules if "font-size" in body and inside_the_drawing.search(s)]
    for svg in charts(page(client)):
        box = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg)[1])
        size = float(re.search(r'font-size="([\d.]+)"', svg)[1])
        assert size * min(PHONE_COLUMN, max_width) / box >= 12


def chromium():
    path = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if path is None:
        message = "Chromium is not installed; the test of the drawn chart needs it."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.mark.browser
def test_drawn_on_a_phone_the_text_is_12_px_or_more_and_nothing_is_cut_off(
    client, newer_exports, monkeypatch
):
    """Chromium, 360 px wide, measures every text of every chart as it draws it."""
    older, newer = newer_exports
    it_exports(
        slug="it-exports-long",
        value=Decimal("0.5"),
        value_upper=Decimal("3.25"),
        qualifier=Statistic.Qualifier.AROUND,
        period_kind=Kind.PARTIAL_FISCAL,
        year=2024,
        months="July–December, as revised later that year",
        is_forecast=True,
    )
    html = page(client)
    css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    html = re.sub(r'<link rel="stylesheet"[^>]*>', lambda _: f"<style>{css}</style>", html)
    html = re.sub(r"<script\b[^>]*></script>", "", html)
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see tests/browser/conftest.py
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 360, "height": 800})
        tab.set_content(html)
        drawn = tab.evaluate(
            """() => [...document.querySelectorAll('.chart svg')].map(svg => {
                const box = svg.viewBox.baseVal;
                const scale = svg.getBoundingClientRect().width / box.width;
                return {
                    box: [box.width, box.height],
                    drawnWidth: svg.getBoundingClientRect().width,
                    texts: [...svg.querySelectorAll('text')].map(t => {
                        const b = t.getBBox();
                        return {
                            text: t.textContent,
                            left: b.x, right: b.x + b.width, top: b.y, bottom: b.y + b.height,
                            px: parseFloat(getComputedStyle(t).fontSize) * scale,
                        };
                    }),
                };
            })"""
        )
        browser.close()
    assert len(drawn) >= 1
    assert any("July–December" in t["text"] for chart in drawn for t in chart["texts"])
    for chart in drawn:
        width, height = chart["box"]
        assert chart["drawnWidth"] == pytest.approx(PHONE_COLUMN, abs=1)
        for text in chart["texts"]:
            assert text["px"] >= 12, text
            assert text["left"] >= 0 and text["right"] <= width, text
            assert text["top"] >= 0 and text["bottom"] <= height, text
