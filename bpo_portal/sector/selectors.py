"""Reads for the sector pages: incentives, statistics with charts, and disagreements."""

import copy
import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.text import capfirst

from bpo_portal.core.caching import per_version
from bpo_portal.core.drawing import Point, panels
from bpo_portal.core.kinds import kinds
from bpo_portal.directory.pages import adds_to
from bpo_portal.sector.models import (
    Advantage,
    Challenge,
    Disagreement,
    DisagreementSide,
    Incentive,
    Solution,
    Statistic,
)
from bpo_portal.sources.models import attach_citations, prefetch_citations


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


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

MARK_TEXT = {
    "forecast": "forecast",
    "current": "current",
    "superseded": "superseded",
    "disputed": "⚠\u00a0disputed",
    "does-not-follow": "⚠\u00a0does not follow",
}

LEGEND = {
    "partial": "Hatched: part of a year only (such as July–March); compare it with the same "
    "months of other years, not with a whole year.",
    "forecast": "Dashed outline: a forecast, not a measured figure.",
    "range": "Pale band: a range; the bar ends at the low end, the band at the high end.",
    "current": "Dark: the current figure; grey: an older figure a newer one replaces.",
}


def scope_key(scope):
    """What a figure covers, compared without regard to case, spacing, quotes or dashes."""
    text = unicodedata.normalize("NFKC", scope).casefold()
    text = text.translate(
        str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
    )
    return " ".join(text.split()).strip(" .;:")


def period_end(statistic):
    """When a figure's period ends, as (year, month), for its place on the time axis; None when
    the sources give no year (period not stated, a span with no end year)."""
    kind = Statistic.PeriodKind
    if statistic.year is None or statistic.period_kind in (kind.NOT_STATED, kind.SPAN):
        return None
    if statistic.period_kind == kind.FISCAL_YEAR:
        return (statistic.year, 6)
    if statistic.period_kind == kind.PARTIAL_FISCAL:
        named = [
            MONTHS[w] for w in re.findall(r"[a-z]+", statistic.months.casefold()) if w in MONTHS
        ]
        if not named:
            return (statistic.year, 6)
        last = named[-1]  # July to December fall in the calendar year before the fiscal year ends
        return (statistic.year - 1, last) if last >= 7 else (statistic.year, last)
    return (statistic.year, 12)


@dataclass
class Figure:
    """A figure as the charts show it, with what marks it out: a forecast, the current figure or
    one a newer figure replaces, a disputed one."""

    statistic: Statistic
    marks: list = field(default_factory=list)

    @property
    def partial(self):
        return self.statistic.period_kind == Statistic.PeriodKind.PARTIAL_FISCAL

    @property
    def classes(self):
        """CSS classes for the figure's bar."""
        names = [m for m in self.marks if m not in ("disputed", "does-not-follow")]
        if self.partial:
            names.append("partial")
        return " ".join(names)

    @property
    def chart_label(self):
        """The period and the marks, each mark kept whole on one line."""
        return "\u00a0· ".join(
            [capfirst(self.statistic.display_period)] + [MARK_TEXT[m] for m in self.marks]
        )

    @property
    def spoken(self):
        """The figure in words: its period, value and marks."""
        words = [f"{capfirst(self.statistic.display_period)}: {self.statistic.display_value}"]
        words += [MARK_TEXT[m].lstrip("⚠\u00a0") for m in self.marks]
        return ", ".join(words)


def figure(statistic):
    marks = []
    if statistic.is_forecast:
        marks.append("forecast")
    if statistic.superseded_by.all():
        marks.append("superseded")
    elif statistic.supersedes_id is not None:
        marks.append("current")
    questioned = [d.kind for d in statistic.disputes if puts_in_question(d, statistic)]
    if any(k != Disagreement.Kind.DERIVATION for k in questioned):
        marks.append("disputed")
    elif questioned:
        marks.append("does-not-follow")
    return Figure(statistic, marks)


def puts_in_question(disagreement, statistic):
    """Whether a disagreement puts a figure in question: not when it says the figures do not
    contradict each other; for a stated figure that does not follow from its inputs, only the
    stated figure (the one in the implied value's unit), not the inputs."""
    kind = Disagreement.Kind
    if disagreement.kind == kind.NOT_CONTRADICTION:
        return False
    if disagreement.kind == kind.DERIVATION and disagreement.implied_unit:
        return statistic.unit == disagreement.implied_unit
    return True


@dataclass
class ScopeChart:
    """The figures of one metric and one scope: a chart of those with a year when there are at
    least two (`chart`, with `undated` listed beside it), otherwise each figure on its own."""

    id: str
    scope: str
    chart: dict | None
    figures: list
    undated: list
    description: str
    legend: list


def point(statistic):
    """A figure as a point to draw: same-period figures sit part-year first, then older first."""
    item = figure(statistic)
    end = period_end(statistic)
    when = None
    if end is not None:
        when = (*end, not item.partial, "superseded" not in item.marks, statistic.pk or 0)
    return Point(
        item=item,
        scope=scope_key(statistic.scope),
        when=when,
        value=float(statistic.value),
        upper=None if statistic.value_upper is None else float(statistic.value_upper),
        label=item.chart_label,
        value_label=statistic.display_value,
    )


def chart(metric, figures):
    """One chart, or figures shown on their own, for each scope among one metric's figures."""
    points = [point(s) for s in figures]
    charts = []
    for number, panel in enumerate(panels(points), start=1):
        shown = [p.item for p in panel.points]
        drawn = [p.item for p in panel.dated] if panel.chart else []
        features = set()
        for f in drawn:
            features.update(f.classes.split())
            if f.statistic.value_upper is not None:
                features.add("range")
        if "superseded" in features:
            features.add("current")
        charts.append(
            ScopeChart(
                id=f"metric-{metric.slug}-scope-{number}",
                scope=shown[0].statistic.scope,
                chart=panel.chart,
                figures=shown,
                undated=[p.item for p in panel.undated] if panel.chart else [],
                description="; ".join(f.spoken for f in drawn) + "." if drawn else "",
                legend=[(key, text) for key, text in LEGEND.items() if key in features],
            )
        )
    return charts


def statistics_by_metric(statistics):
    """[(metric, figures, charts)] for the figures shown, in metric order: `charts` holds one
    chart, or figures shown on their own, for each scope."""
    groups = {}
    for statistic in statistics:
        groups.setdefault(statistic.metric, []).append(statistic)
    return [(metric, figures, chart(metric, figures)) for metric, figures in groups.items()]


def statistics_page(statistics, *, sources, disputes):
    """(groups as statistics_by_metric gives them, disagreements) for the figures of
    `statistics` and the disagreements about them: the figures, which disagreement concerns
    which figure (one query both ways: each figure's `disputes`, each disagreement's
    `figures`), and the figures' citations, given their sources from `sources` ({pk: Source}).
    The disagreements come from `disputes` (figure_disagreements()), copied, as each copy is
    given the figures of this page."""
    figures = list(statistics.prefetch_related(None).prefetch_related("superseded_by"))
    links = Disagreement.statistics.through.objects
    about = links.filter(statistic__in=[f.pk for f in figures]).values("disagreement_id")
    pairs = list(
        links.filter(disagreement__in=about)
        .order_by(*(f"statistic__{name}" for name in Statistic._meta.ordering))
        .values_list("disagreement_id", "statistic_id")
    )
    wanted = {d for d, _ in pairs}
    rows = [copy.copy(d) for pk, d in disputes.items() if pk in wanted]
    shown = {f.pk: f for f in figures}
    concerned = shown | Statistic.objects.select_related("metric").in_bulk(
        {s for _, s in pairs} - shown.keys()
    )
    figures_of = {}
    for d, s in pairs:
        figures_of.setdefault(d, []).append(concerned[s])
    for f in figures:
        f.disputes = []
    for d in rows:
        d.figures = figures_of[d.pk]
        for f in d.figures:
            if f.pk in shown:
                f.disputes.append(d)
    attach_citations(figures, sources=sources)
    return statistics_by_metric(figures), rows


@per_version
def figure_disagreements():
    """{pk: disagreement} of every disagreement about a figure, in title order, with its sides,
    subjects (see _with_subjects) and the citations of both: none of their tables changes when
    a figure is saved, so the statistics page reads them once per change of their own."""
    about = Disagreement.statistics.through.objects.values("disagreement_id")
    rows = _with_subjects(Disagreement.objects.filter(pk__in=about))
    attach_citations([*rows, *(side for d in rows for side in d.sides.all())])
    return {d.pk: d for d in rows}


def _with_subjects(queryset):
    """The disagreements of `queryset` with their sides and subjects, each with
    `subject_records`: the records it concerns, looked up by kind."""
    rows = list(queryset.prefetch_related("sides", "subjects"))
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


def disagreements():
    """Every disagreement with its sides, figures (`figures`), subjects and citations, each
    with `subject_records` (see _with_subjects)."""
    rows = _with_subjects(
        Disagreement.objects.prefetch_related(
            prefetch_citations(),
            Prefetch(
                "sides", queryset=DisagreementSide.objects.prefetch_related(prefetch_citations())
            ),
            Prefetch("statistics", queryset=Statistic.objects.select_related("metric")),
        )
    )
    for disagreement in rows:
        disagreement.figures = list(disagreement.statistics.all())
    return rows


def disagreements_queryset():
    return Disagreement.objects.prefetch_related(prefetch_citations(), "statistics")


def disagreements_by_kind():
    groups = {}
    for disagreement in disagreements():
        groups.setdefault(disagreement.get_kind_display(), []).append(disagreement)
    order = [label for _, label in Disagreement.Kind.choices]
    return sorted(groups.items(), key=lambda group: order.index(group[0]))


@adds_to("organisation_detail")
def organisation_facts(*, organisation):
    """What the organisation's page shows of this app: the incentives it runs, the figures it
    gave."""
    return {
        "incentives": list(
            Incentive.objects.filter(body=organisation).prefetch_related(prefetch_citations())
        ),
        "statistics": list(
            Statistic.objects.filter(origin=organisation)
            .select_related("metric")
            .prefetch_related(prefetch_citations())
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
