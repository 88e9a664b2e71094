"""Reads for the sector pages: incentives, statistics with charts, and disagreements."""

from dataclasses import dataclass

from django.db.models import Prefetch

from bpo_portal.sector.models import Disagreement, DisagreementSide, Solution, Statistic
from bpo_portal.sources.models import prefetch_citations

CHART_WIDTH = 640
LABEL_WIDTH = 230
BAR_HEIGHT = 26


def statistics_queryset():
    return Statistic.objects.select_related("metric", "origin").prefetch_related(
        prefetch_citations(), "disagreements"
    )


@dataclass
class Bar:
    statistic: Statistic
    y: int
    width: float
    upper_width: float | None


def chart(statistics):
    """Horizontal bars for one metric's figures, oldest first; a range is drawn as a range."""
    figures = sorted(statistics, key=lambda s: (s.year is None, s.year or 0, s.value))
    top = max(float(s.value_upper or s.value) for s in figures) or 1
    scale = (CHART_WIDTH - LABEL_WIDTH - 90) / top
    bars = [
        Bar(
            statistic=s,
            y=index * BAR_HEIGHT,
            width=round(float(s.value) * scale, 1),
            upper_width=round(float(s.value_upper) * scale, 1) if s.value_upper else None,
        )
        for index, s in enumerate(figures)
    ]
    return {
        "bars": bars,
        "height": len(bars) * BAR_HEIGHT,
        "width": CHART_WIDTH,
        "label_width": LABEL_WIDTH,
    }


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


def solutions():
    """Recommended solutions with the challenges each addresses."""
    return Solution.objects.prefetch_related(prefetch_citations(), "challenges")
