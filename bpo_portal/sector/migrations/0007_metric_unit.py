from collections import Counter

from django.db import migrations, models

UNITS = [
    ("usd_bn", "US$ billion"),
    ("dollar_bn", "$ billion (currency not named)"),
    ("percent", "% (share)"),
    ("percent_growth", "% growth"),
    ("years", "years"),
    ("people", "people"),
]
HELP = (
    "What its figures are given in; every figure of the metric must fit it "
    "(US$ billion and $ billion are both money)."
)


def units_from_figures(apps, schema_editor):
    """Each metric measures the unit most of its figures are in; a metric without figures is
    left without one, for a curator to give."""
    Metric = apps.get_model("sector", "Metric")
    Statistic = apps.get_model("sector", "Statistic")
    counts = {}
    for metric_id, unit in Statistic.objects.values_list("metric_id", "unit"):
        counts.setdefault(metric_id, Counter())[unit] += 1
    for metric_id, units in counts.items():
        unit = max(sorted(units), key=units.__getitem__)
        Metric.objects.filter(pk=metric_id).update(unit=unit)


class Migration(migrations.Migration):
    dependencies = [
        ("sector", "0006_stated_dollars_years_and_our_kinds"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=model,
                name="unit",
                field=models.CharField(choices=UNITS, default="", help_text=HELP, max_length=20),
                preserve_default=False,
            )
            for model in ("metric", "historicalmetric")
        ),
        migrations.RunPython(units_from_figures, migrations.RunPython.noop),
    ]
