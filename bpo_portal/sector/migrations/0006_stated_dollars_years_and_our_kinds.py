from django.db import migrations, models

UNITS = [
    ("usd_bn", "US$ billion"),
    ("dollar_bn", "$ billion (currency not named)"),
    ("percent", "% (share)"),
    ("percent_growth", "% growth"),
    ("years", "years"),
    ("people", "people"),
]
INCENTIVE_KINDS = [
    ("tax", "Tax measure"),
    ("subsidy", "Subsidy"),
    ("economic_zone", "Economic zone"),
    ("technology_park", "Technology park"),
    ("connectivity", "Connectivity"),
    ("training", "Training and education"),
    ("regulation", "Regulation"),
    ("partnership", "Public–private partnership"),
    ("liberalisation", "Liberalisation"),
    ("investment", "Investment promotion"),
]
PERIOD_KINDS = [
    ("not_stated", "Not stated"),
    ("calendar_year", "Calendar year"),
    ("year", "A year (calendar or fiscal not stated)"),
    ("fiscal_year", "Fiscal year (July–June)"),
    ("partial_fiscal", "Part of a fiscal year"),
    ("by_year", "By a year"),
    ("span", "Span of years"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("sector", "0005_newer_figures"),
    ]

    operations = [
        *(
            migrations.AlterField(
                model_name=model,
                name="kind",
                field=models.CharField(
                    choices=INCENTIVE_KINDS,
                    help_text="Our grouping: the sources name each measure without sorting "
                    "them into kinds.",
                    max_length=20,
                ),
            )
            for model in ("incentive", "historicalincentive")
        ),
        *(
            migrations.AlterField(
                model_name=model,
                name="unit",
                field=models.CharField(choices=UNITS, max_length=20),
            )
            for model in ("statistic", "historicalstatistic")
        ),
        *(
            migrations.AlterField(
                model_name=model,
                name="period_kind",
                field=models.CharField(choices=PERIOD_KINDS, default="not_stated", max_length=20),
            )
            for model in ("statistic", "historicalstatistic")
        ),
        *(
            migrations.AlterField(
                model_name=model,
                name="implied_unit",
                field=models.CharField(blank=True, choices=UNITS, max_length=20),
            )
            for model in ("disagreement", "historicaldisagreement")
        ),
    ]
