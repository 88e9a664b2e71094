from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bpo_portal.sector.models import Disagreement, Statistic
from tests.factories import IncentiveFactory, StatisticFactory

pytestmark = pytest.mark.django_db


def assert_rejected(obj, **changes):
    for name, value in changes.items():
        setattr(obj, name, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def test_range_upper_below_value_is_rejected():
    assert_rejected(StatisticFactory(value=60), value_upper=50)


@pytest.mark.parametrize("value", [-1, 101])
def test_percentage_share_must_be_between_0_and_100(value):
    assert_rejected(StatisticFactory(unit=Statistic.Unit.PERCENT), value=value)


def test_percentage_share_upper_must_not_pass_100():
    assert_rejected(StatisticFactory(unit=Statistic.Unit.PERCENT, value=50), value_upper=120)


def test_growth_may_exceed_100_but_not_fall_below_minus_100():
    statistic = StatisticFactory(unit=Statistic.Unit.PERCENT_GROWTH, value=150)
    assert statistic.pk
    assert_rejected(statistic, value=-100)


def test_statistic_year_range():
    assert_rejected(StatisticFactory(), year=3000)


def test_statistic_span_range():
    assert_rejected(StatisticFactory(), span_years=0)


def test_incentive_year_range():
    assert_rejected(IncentiveFactory(), year=1700)


def test_constraint_messages_reach_full_clean():
    statistic = StatisticFactory.build(unit=Statistic.Unit.PERCENT, value=120)
    with pytest.raises(ValidationError, match="A percentage share must be between 0 and 100"):
        statistic.full_clean(exclude=["metric", "slug"])


@pytest.mark.parametrize(
    "fields, value, period",
    [
        (dict(value=Decimal("1.948"), unit="usd_bn"), "US$1.948 billion", "not stated"),
        (
            dict(value=50, value_upper=60, unit="percent", qualifier="up_to"),
            "up to 50–60%",
            "not stated",
        ),
        (dict(value=100000, unit="people", qualifier="over"), "over 100,000 people", ""),
        (
            dict(value=20, unit="percent_growth", period_kind="span", span_years=10),
            "20%",
            "over 10 years, end year not stated",
        ),
        (
            dict(
                value=1, unit="usd_bn", period_kind="partial_fiscal", year=2022, months="July–March"
            ),
            "US$1 billion",
            "July–March of FY2022",
        ),
        (
            dict(value=1, unit="usd_bn", period_kind="fiscal_year", year=2022),
            "US$1 billion",
            "FY2022 (July 2021–June 2022)",
        ),
    ],
)
def test_display_of_values_and_periods(fields, value, period):
    statistic = Statistic(**fields)
    assert statistic.display_value == value
    assert period in statistic.display_period


def test_stated_growth_disagreement_carries_the_value_the_figures_imply():
    disagreement = Disagreement.objects.get(slug="it-export-growth-fy2022-does-not-follow")
    by_slug = {s.slug: s for s in disagreement.statistics.all()}
    current = by_slug["it-exports-jul-mar-fy2022"].value
    previous = by_slug["it-exports-jul-mar-fy2021"].value
    stated = by_slug["it-export-growth-jul-mar-fy2022"].value
    growth = ((current - previous) / previous * 100).quantize(Decimal("0.01"))
    assert disagreement.implied_value == growth == Decimal("29.87")
    assert stated != disagreement.implied_value
