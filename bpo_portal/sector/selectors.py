"""Reads for the sector pages: incentives, statistics with charts, and disagreements."""

from django.db.models import Prefetch

from bpo_portal.core.drawing import bar_chart
from bpo_portal.sector.models import (
    Advantage,
    Challenge,
    Disagreement,
    DisagreementSide,
    Incentive,
    Solution,
    Statistic,
)
from bpo_portal.sources.models import prefetch_citations


def incentives():
    return Incentive.objects.select_related("body").prefetch_related(prefetch_citations())


def incentive_detail(*, slug):
    return incentives().get(slug=slug)


def related_incentives(*, incentive):
    return list(Incentive.objects.filter(kind=incentive.kind).exclude(pk=incentive.pk))


def statistics():
    return Statistic.objects.select_related("metric", "origin").prefetch_related(
        prefetch_citations(), "disagreements"
    )


def chart(figures):
    """Horizontal bars for one metric's figures, oldest first; a range is drawn as a range."""
    figures = sorted(figures, key=lambda s: (s.year is None, s.year or 0, s.value))
    return bar_chart([(s, s.value, s.value_upper) for s in figures])


def statistics_by_metric(statistics):
    """[(metric, figures, chart)] for the figures shown, in metric order."""
    groups = {}
    for statistic in statistics:
        groups.setdefault(statistic.metric, []).append(statistic)
    return [(metric, figures, chart(figures)) for metric, figures in groups.items()]


def disagreements():
    return Disagreement.objects.prefetch_related(
        prefetch_citations(),
        Prefetch("sides", queryset=DisagreementSide.objects.prefetch_related(prefetch_citations())),
        Prefetch("statistics", queryset=Statistic.objects.select_related("metric")),
    )


def challenges():
    return Challenge.objects.prefetch_related(prefetch_citations(), "solutions")


def solutions():
    """Recommended solutions with the challenges each addresses."""
    return Solution.objects.prefetch_related(prefetch_citations(), "challenges")


def advantages():
    return Advantage.objects.prefetch_related(prefetch_citations()).order_by("scope", "name")


def advantages_by_scope():
    groups = {}
    for advantage in advantages():
        groups.setdefault(advantage.get_scope_display(), []).append(advantage)
    return list(groups.items())
