"""A metric says what it measures; every figure of it must fit that unit (issue 27)."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bpo_portal.portal.knowledge import read_knowledge
from bpo_portal.sector.models import Metric, Statistic, unit_kind
from tests.admin_forms import change_form_data
from tests.factories import MetricFactory, StatisticFactory

pytestmark = pytest.mark.django_db

# The only figure of "Growth of IT exports in SBP data", in % growth.
ONLY_FIGURE = "it-export-growth-jul-mar-fy2022"


def refusal(obj):
    with pytest.raises(ValidationError) as refused:
        obj.full_clean()
    return refused.value.message_dict


def test_a_metrics_only_figure_cannot_be_switched_to_another_unit():
    figure = Statistic.objects.get(slug=ONLY_FIGURE)
    assert figure.metric.statistics.count() == 1
    figure.unit = Statistic.Unit.USD_BILLION
    assert refusal(figure) == {
        "unit": [
            "“Growth of IT exports in SBP data” is measured in % growth, so a figure in "
            "US$ billion does not fit it: give the value in % growth, or choose a metric "
            "measured in US$ billion."
        ]
    }


def test_a_first_figure_must_fit_its_new_metric():
    metric = MetricFactory(unit=Statistic.Unit.PERCENT_GROWTH)
    figure = StatisticFactory.build(metric=metric, unit=Statistic.Unit.PEOPLE, slug="first")
    assert "% growth, so a figure in people does not fit it" in refusal(figure)["unit"][0]
    figure.unit = Statistic.Unit.PERCENT_GROWTH
    figure.full_clean()


def test_money_units_fit_each_other():
    metric = MetricFactory(unit=Statistic.Unit.USD_BILLION)
    StatisticFactory.build(metric=metric, unit="dollar_bn", slug="stated").full_clean()
    metric.unit = Statistic.Unit.DOLLAR_BILLION
    StatisticFactory(metric=metric, unit="usd_bn")
    metric.full_clean()


def test_a_metric_without_a_unit_takes_no_figure_and_cannot_be_saved_so():
    metric = MetricFactory(unit="")
    figure = StatisticFactory.build(metric=metric, unit="percent", slug="orphan")
    assert "does not say what it measures yet" in refusal(figure)["metric"][0]
    assert "unit" in refusal(metric)


def test_a_metrics_unit_cannot_change_to_one_its_figures_do_not_fit():
    metric = Statistic.objects.get(slug=ONLY_FIGURE).metric
    metric.unit = Statistic.Unit.PEOPLE
    assert refusal(metric) == {
        "unit": [
            "Figures of “Growth of IT exports in SBP data” are in % growth, which does not fit "
            "people: give those figures in people (or move them to a metric they fit) before "
            "changing its unit."
        ]
    }


def test_the_admin_refuses_a_sole_figure_in_a_wrong_unit(curator_client):
    figure = Statistic.objects.get(slug=ONLY_FIGURE)
    url = reverse("admin:sector_statistic_change", args=[figure.pk])
    data = change_form_data(curator_client.get(url)) | {"unit": "usd_bn"}
    response = curator_client.post(url, data)
    assert response.status_code == 200
    assert "is measured in % growth, so a figure in US$ billion does not fit it" in (
        response.content.decode()
    )
    figure.refresh_from_db()
    assert figure.unit == "percent_growth"


def test_the_admin_refuses_a_metric_unit_its_figures_do_not_fit(curator_client):
    metric = Metric.objects.get(slug="it-export-growth-sbp")
    url = reverse("admin:sector_metric_change", args=[metric.pk])
    data = change_form_data(curator_client.get(url)) | {"unit": "usd_bn"}
    response = curator_client.post(url, data)
    assert response.status_code == 200
    assert "are in % growth, which does not fit US$ billion" in response.content.decode()
    metric.refresh_from_db()
    assert metric.unit == "percent_growth"
    # A unit they fit is saved.
    response = curator_client.post(url, data | {"unit": "percent_growth", "name": "SBP growth"})
    assert response.status_code == 302


def csv_import(client, model, body):
    page = reverse(f"admin:sector_{model}_import")
    form = client.get(page).context["form"]
    formats = {label: value for value, label in form.fields["format"].choices}
    upload = SimpleUploadedFile(f"{model}.csv", body.encode())
    return client.post(page, {"format": formats["csv"], "import_file": upload}).context["result"]


def test_a_csv_import_refuses_a_sole_figure_in_a_wrong_unit(curator_client):
    figure = Statistic.objects.get(slug=ONLY_FIGURE)
    result = csv_import(curator_client, "statistic", f"id,unit\n{figure.pk},people\n")
    assert result.has_validation_errors()
    assert "a figure in people does not fit it" in str(result.invalid_rows[0].error_dict)
    figure.refresh_from_db()
    assert figure.unit == "percent_growth"


def test_a_csv_import_refuses_a_metric_unit_its_figures_do_not_fit(curator_client):
    metric = Metric.objects.get(slug="it-export-growth-sbp")
    result = csv_import(curator_client, "metric", f"id,unit\n{metric.pk},years\n")
    assert result.has_validation_errors()
    assert "which does not fit years" in str(result.invalid_rows[0].error_dict)
    metric.refresh_from_db()
    assert metric.unit == "percent_growth"


def test_the_knowledge_base_gives_every_metric_a_unit_its_figures_fit(settings):
    data = read_knowledge(settings.KNOWLEDGE_FILE)
    units = {metric["slug"]: metric.get("unit") for metric in data["metrics"]}
    assert all(units.values()), units
    for figure in data["statistics"]:
        assert unit_kind(figure["unit"]) == unit_kind(units[figure["metric"]]), figure["slug"]
    for metric in Metric.objects.all():
        assert metric.unit == units[metric.slug]


def test_the_migration_gives_each_metric_the_unit_of_its_figures():
    migration = importlib.import_module("bpo_portal.sector.migrations.0007_metric_unit")
    Metric.objects.update(unit="")
    empty = MetricFactory(unit="")
    migration.units_from_figures(apps, None)
    assert Metric.objects.get(slug="it-export-growth-sbp").unit == "percent_growth"
    assert Metric.objects.get(slug="bpo-revenue").unit == "dollar_bn"
    empty.refresh_from_db()
    assert empty.unit == ""  # no figures: a curator gives it
