import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bpo_portal.core.drawing import CHART_WIDTH
from bpo_portal.sector.models import Advantage, Challenge, Incentive, Statistic
from tests.factories import MetricFactory

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


def streamed(response):
    return b"".join(response.streaming_content).decode()


class TestIncentives:
    url = reverse("sector:incentive_list")

    def test_which_incentives_are_tax_measures(self, client):
        response = client.get(self.url, {"kind": "tax"})
        names = [i.name for i in response.context["filterset"].qs]
        assert names == [
            "MOITT policies for IT and IT-enabled services",
            "Tax exemptions and reduced rates on outsourcing income",
        ]
        assert "2 incentives" in text(response)

    def test_filter_by_body_status_and_text(self, client):
        qs = client.get(self.url, {"body": "pta"}).context["filterset"].qs
        assert [i.slug for i in qs] == ["telecom-liberalisation-2003"]
        qs = client.get(self.url, {"status": "recommended"}).context["filterset"].qs
        assert len(qs) == 3
        qs = client.get(self.url, {"q": "fibre"}).context["filterset"].qs
        assert [i.slug for i in qs] == ["fibre-optic-network-expansion"]

    @pytest.mark.parametrize("params", [{"kind": "bribe"}, {"body": "nobody"}, {"status": "maybe"}])
    def test_bad_values_get_a_message(self, client, params):
        response = client.get(self.url, params)
        assert response.status_code == 200
        assert "Ignored" in text(response)
        assert len(response.context["filterset"].qs) == Incentive.objects.count()

    def test_detail(self, client):
        html = text(
            client.get(reverse("sector:incentive_detail", args=["telecom-liberalisation-2003"]))
        )
        assert "2003" in html and "Pakistan Telecommunication Authority" in html
        assert "Historical Background of Contact Centers in Pakistan" in html

    def test_recommendation_is_marked(self, client):
        html = text(client.get(reverse("sector:incentive_detail", args=["regulatory-reforms"])))
        assert "A recommendation in the sources" in html

    def test_query_counts(self, client, django_assert_max_num_queries):
        with django_assert_max_num_queries(4):
            client.get(self.url, {"kind": "tax", "q": "tax"})
        with django_assert_max_num_queries(6):
            client.get(reverse("sector:incentive_detail", args=["subsidies"]))

    def test_export(self, client):
        response = client.get(self.url, {"format": "csv", "kind": "training"})
        rows = list(csv.DictReader(io.StringIO(streamed(response))))
        assert len(rows) == Incentive.objects.filter(kind="training").count()
        assert {r["status"] for r in rows} == {"Enacted measure", "Recommendation only"}


class TestStatistics:
    url = reverse("sector:statistic_list")

    def test_every_figure_with_period_scope_origin_and_source(self, client):
        response = client.get(self.url)
        html = text(response)
        assert "US$1.948 billion" in html and "July–March of FY2022" in html
        assert "over 100,000 people" in html and "Pakistan Software Export Board" in html
        assert "up to 50–60%" in html
        assert "Contribution to GDP and Foreign Exchange Earnings" in html
        assert sum(len(f) for _, f, _ in response.context["groups"]) == Statistic.objects.count()

    def test_disagreement_shows_both_sides_and_the_implied_value(self, client):
        html = text(client.get(self.url))
        assert "stated 29.26%, figures imply 29.87%" in html
        assert "Implied by the other figures" in html and "29.87%" in html
        assert "(1.948 − 1.5) ÷ 1.5 × 100" in html
        assert 'href="#it-export-growth-fy2022-does-not-follow"' in html  # the flag on the figure
        assert "over five years or over a decade" in html

    def test_chart_draws_ranges_as_ranges(self, client):
        metric = Statistic.objects.get(slug="cost-savings-50-60").metric
        for year, low, high in [(2019, 40, 55), (2023, 50, 60)]:
            Statistic.objects.create(
                slug=f"cost-savings-{year}",
                metric=metric,
                value=low,
                value_upper=high,
                unit=Statistic.Unit.PERCENT,
                period_kind=Statistic.PeriodKind.CALENDAR_YEAR,
                year=year,
                scope="Savings compared with Western labour costs",
            )
        html = text(client.get(self.url, {"metric": "cost-savings"}))
        assert html.count('class="chart-range"') == 2
        assert f'<svg viewBox="0 0 {CHART_WIDTH} ' in html

    def test_charts_order_figures_by_year(self, client):
        response = client.get(self.url, {"metric": "it-exports"})
        ((metric, figures, charts),) = response.context["groups"]
        (chart,) = charts
        assert [row.item.statistic.slug for row in chart.chart["rows"]] == [
            "it-exports-jul-mar-fy2021",
            "it-exports-jul-mar-fy2022",
        ]  # IT and ITeS exports with call centres are another scope: another metric

    def test_filters(self, client):
        def slugs(params):
            groups = client.get(self.url, params).context["groups"]
            return sorted(s.slug for _, figures, _ in groups for s in figures)

        assert slugs({"origin": "sbp", "year": "2021"}) == ["it-exports-jul-mar-fy2021"]
        assert slugs({"origin": "gartner"}) == ["ai-customer-service-2025"]

    def test_the_filter_choices_are_read_once_per_data_version(self, client):
        client.get(self.url)
        with CaptureQueriesContext(connection) as captured:
            html = text(client.get(self.url, {"metric": "it-exports"}))
        reads = [q["sql"] for q in captured]
        assert not [q for q in reads if q.startswith("DECLARE")]  # no server-side cursor
        assert not [
            q for q in reads if re.search(r'FROM "(sector_metric|directory_organisation)"', q)
        ]
        assert '<option value="it-exports" selected>' in html
        assert '<option value="sbp">' in html  # an origin of some figure

    def test_the_filter_choices_follow_a_curators_save(
        self, client, django_capture_on_commit_callbacks
    ):
        client.get(self.url)
        with django_capture_on_commit_callbacks(execute=True):
            metric = MetricFactory(name="Seats filled", slug="seats-filled")
        html = text(client.get(self.url, {"metric": "seats-filled"}))
        assert '<option value="seats-filled" selected>Seats filled</option>' in html
        assert "Ignored" not in html
        with django_capture_on_commit_callbacks(execute=True):
            metric.delete()
        html = text(client.get(self.url, {"metric": "seats-filled"}))
        assert "seats-filled" not in html.split("</form>")[0] and "Ignored metric" in html

    @pytest.mark.parametrize("params", [{"year": "twenty"}, {"metric": "happiness"}])
    def test_bad_values_get_a_message(self, client, params):
        response = client.get(self.url, params)
        assert response.status_code == 200 and "Ignored" in text(response)

    def test_query_count(self, client, django_assert_max_num_queries):
        # In a new process: the sources and the disagreements about figures are read too, once
        # per change of their tables (test_charts pins what a figure's save costs).
        with django_assert_max_num_queries(15):
            client.get(self.url, {"metric": "it-exports", "year": "2022"})

    def test_export(self, client):
        rows = json.loads(
            streamed(client.get(self.url, {"format": "json", "metric": "it-exports"}))
        )
        assert {r["value"] for r in rows} == {"1.5", "1.948"}  # as the source writes them
        assert all(r["disputed"] for r in rows)


class TestChallengesAndAdvantages:
    def test_challenges_with_their_solutions(self, client, django_assert_max_num_queries):
        with django_assert_max_num_queries(9):
            response = client.get(reverse("sector:challenge_list"))
        html = text(response)
        assert "Political instability" in html and "Ensure political stability" in html
        assert "No remedy for this is recommended in the sources." in html  # language barriers

    def test_advantages_grouped_by_scope(self, client, django_assert_max_num_queries):
        with django_assert_max_num_queries(5):
            response = client.get(reverse("sector:advantage_list"))
        html = text(response)
        assert "For clients outsourcing to Pakistan" in html and "Of outsourcing in general" in html

    def test_exports(self, client):
        rows = json.loads(streamed(client.get("/challenges/?format=json")))
        assert len(rows) == Challenge.objects.count()
        rows = json.loads(streamed(client.get("/advantages/?format=json")))
        assert len(rows) == Advantage.objects.count()
