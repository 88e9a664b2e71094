from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from bpo_portal.core.exports import export_format, export_response
from bpo_portal.core.filtering import filter_request
from bpo_portal.sector import selectors
from bpo_portal.sector.filters import IncentiveFilter, StatisticFilter
from bpo_portal.sector.models import Advantage, Challenge, Incentive
from bpo_portal.sources.models import prefetch_citations

INCENTIVE_COLUMNS = [
    ("name", lambda i: i.name),
    ("slug", lambda i: i.slug),
    ("kind", lambda i: i.get_kind_display()),
    ("status", lambda i: i.get_status_display()),
    ("body", lambda i: i.body.name if i.body else None),
    ("year", lambda i: i.year),
    ("description", lambda i: i.description),
    ("url", lambda i: i.get_absolute_url()),
]


@require_safe
def incentive_list(request):
    queryset = Incentive.objects.select_related("body").prefetch_related(prefetch_citations())
    filterset, _ = filter_request(request, IncentiveFilter, queryset)
    if fmt := export_format(request):
        return export_response(fmt, filterset.qs, INCENTIVE_COLUMNS, "incentives")
    return render(request, "sector/incentive_list.html", {"filterset": filterset})


@require_safe
def incentive_detail(request, slug):
    incentive = get_object_or_404(
        Incentive.objects.select_related("body").prefetch_related(prefetch_citations()), slug=slug
    )
    related = Incentive.objects.filter(kind=incentive.kind).exclude(pk=incentive.pk)
    return render(
        request, "sector/incentive_detail.html", {"incentive": incentive, "related": related}
    )


STATISTIC_COLUMNS = [
    ("metric", lambda s: s.metric.name),
    ("value", lambda s: s.value),
    ("value_upper", lambda s: s.value_upper),
    ("unit", lambda s: s.get_unit_display()),
    ("qualifier", lambda s: s.get_qualifier_display() if s.qualifier else None),
    ("period", lambda s: s.display_period),
    ("scope", lambda s: s.scope),
    ("origin", lambda s: s.origin.name if s.origin else None),
    ("forecast", lambda s: s.is_forecast),
    ("sources", lambda s: "; ".join(f"{c.source.title} — {c.section}" for c in s.citations.all())),
    ("disputed", lambda s: bool(s.disagreements.all())),
]


@require_safe
def statistic_list(request):
    filterset, _ = filter_request(request, StatisticFilter, selectors.statistics_queryset())
    if fmt := export_format(request):
        return export_response(fmt, filterset.qs, STATISTIC_COLUMNS, "statistics")
    return render(
        request,
        "sector/statistic_list.html",
        {
            "filterset": filterset,
            "groups": selectors.statistics_by_metric(filterset.qs),
            "disagreements": selectors.disagreements(),
        },
    )


TOPIC_COLUMNS = [
    ("name", lambda t: t.name),
    ("slug", lambda t: t.slug),
    ("description", lambda t: t.description),
    ("sources", lambda t: "; ".join(f"{c.source.title} — {c.section}" for c in t.citations.all())),
    ("url", lambda t: t.get_absolute_url()),
]


@require_safe
def challenge_list(request):
    challenges = Challenge.objects.prefetch_related(
        prefetch_citations(), prefetch_citations("solutions__")
    )
    if fmt := export_format(request):
        return export_response(fmt, challenges, TOPIC_COLUMNS, "challenges")
    solutions = selectors.solutions()
    return render(
        request, "sector/challenge_list.html", {"challenges": challenges, "solutions": solutions}
    )


@require_safe
def advantage_list(request):
    advantages = Advantage.objects.prefetch_related(prefetch_citations()).order_by("scope", "name")
    if fmt := export_format(request):
        return export_response(fmt, advantages, TOPIC_COLUMNS, "advantages")
    groups = {}
    for advantage in advantages:
        groups.setdefault(advantage.get_scope_display(), []).append(advantage)
    return render(request, "sector/advantage_list.html", {"groups": groups.items()})
