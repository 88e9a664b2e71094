from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from bpo_portal.core.caching import cached_page, request_version
from bpo_portal.core.exports import export_format, export_response, list_download
from bpo_portal.core.filtering import filter_request
from bpo_portal.core.kinds import kind_for
from bpo_portal.sector import selectors
from bpo_portal.sector.filters import IncentiveFilter, StatisticFilter
from bpo_portal.sector.models import Advantage, Challenge, Disagreement, Incentive, Statistic
from bpo_portal.sources.selectors import sources_by_pk


@require_safe
@cached_page
@list_download(Incentive, IncentiveFilter)
def incentive_list(request):
    filterset = filter_request(request, IncentiveFilter, selectors.incentives())
    if fmt := export_format(request):
        return export_response(fmt, kind_for(Incentive), filterset.qs, "incentives")
    return render(request, "sector/incentive_list.html", {"filterset": filterset})


@require_safe
@cached_page
def incentive_detail(request, slug):
    try:
        incentive = selectors.incentive_detail(slug=slug)
    except Incentive.DoesNotExist:
        raise Http404("No incentive with that address.") from None
    return render(
        request,
        "sector/incentive_detail.html",
        {"incentive": incentive, "related": selectors.related_incentives(incentive=incentive)},
    )


@require_safe
@cached_page
@list_download(Statistic, StatisticFilter)
def statistic_list(request):
    filterset = filter_request(request, StatisticFilter, selectors.statistics())
    if fmt := export_format(request):
        return export_response(fmt, kind_for(Statistic), filterset.qs, "statistics")
    version = request_version(request)
    groups, disagreements = selectors.statistics_page(
        filterset.qs,
        sources=sources_by_pk(version),
        disputes=selectors.figure_disagreements(version),
    )
    return render(
        request,
        "sector/statistic_list.html",
        {"filterset": filterset, "groups": groups, "disagreements": disagreements},
    )


@require_safe
@cached_page
@list_download(Challenge)
def challenge_list(request):
    challenges = selectors.challenges()
    if fmt := export_format(request):
        return export_response(fmt, kind_for(Challenge), challenges, "challenges")
    return render(
        request,
        "sector/challenge_list.html",
        {"challenges": challenges, "solutions": selectors.solutions()},
    )


@require_safe
@cached_page
@list_download(Advantage)
def advantage_list(request):
    if fmt := export_format(request):
        return export_response(fmt, kind_for(Advantage), selectors.advantages(), "advantages")
    return render(
        request, "sector/advantage_list.html", {"groups": selectors.advantages_by_scope()}
    )


@require_safe
@cached_page
@list_download(Disagreement)
def disagreement_list(request):
    if fmt := export_format(request):
        return export_response(
            fmt, kind_for(Disagreement), selectors.disagreements_queryset(), "disagreements"
        )
    groups = selectors.disagreements_by_kind()
    return render(
        request,
        "sector/disagreement_list.html",
        {"groups": groups, "total": sum(len(items) for _, items in groups)},
    )
