"""Reads for the sector pages: incentives, statistics with charts, and disagreements."""

from django.db.models import Prefetch

from bpo_portal.core.drawing import bar_chart
from bpo_portal.core.kinds import kinds
from bpo_portal.directory.models import Organisation
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
    return Statistic.objects.select_related("metric", "origin", "supersedes").prefetch_related(
        prefetch_citations(), "disagreements", "superseded_by"
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


def disagreements(*, statistics=None):
    """Disagreements with their sides, figures and subjects (all of them, or those about some of
    `statistics`), each with `subject_records`: the records it concerns, looked up by kind."""
    queryset = Disagreement.objects.prefetch_related(
        prefetch_citations(),
        Prefetch("sides", queryset=DisagreementSide.objects.prefetch_related(prefetch_citations())),
        Prefetch("statistics", queryset=Statistic.objects.select_related("metric")),
        "subjects",
    )
    if statistics is not None:
        queryset = queryset.filter(statistics__in=statistics).distinct()
    rows = list(queryset)
    wanted = {}
    for disagreement in rows:
        for subject in disagreement.subjects.all():
            wanted.setdefault(subject.subject_kind, set()).add(subject.subject_slug)
    records = {}
    for kind in kinds():
        if kind.prefix in wanted:
            for record in kind.model.objects.filter(slug__in=wanted[kind.prefix]):
                records[kind.prefix, record.slug] = record
    for disagreement in rows:
        disagreement.subject_records = [
            records[s.subject_kind, s.subject_slug]
            for s in disagreement.subjects.all()
            if (s.subject_kind, s.subject_slug) in records
        ]
    return rows


def disagreements_queryset():
    return Disagreement.objects.prefetch_related(prefetch_citations(), "statistics")


def disagreements_by_kind():
    groups = {}
    for disagreement in disagreements():
        groups.setdefault(disagreement.get_kind_display(), []).append(disagreement)
    order = [label for _, label in Disagreement.Kind.choices]
    return sorted(groups.items(), key=lambda group: order.index(group[0]))


def organisations():
    return Organisation.objects.prefetch_related(prefetch_citations())


def organisation_page(*, slug):
    organisation = organisations().get(slug=slug)
    return {
        "organisation": organisation,
        "incentives": list(
            Incentive.objects.filter(body=organisation).prefetch_related(prefetch_citations())
        ),
        "statistics": list(
            Statistic.objects.filter(origin=organisation)
            .select_related("metric")
            .prefetch_related(prefetch_citations())
        ),
        "providers": list(
            organisation.subsidiaries.order_by("name").prefetch_related(prefetch_citations())
        ),
    }


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
