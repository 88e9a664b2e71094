from django.contrib import messages
from django.db.models import Count, F, Q
from django.shortcuts import render
from django.views.decorators.http import require_safe

from bpo_portal.core.filtering import text_param
from bpo_portal.directory.models import City, Provider, ServiceCategory, ServiceLine
from bpo_portal.sector.models import Advantage, Challenge, Incentive, Statistic
from bpo_portal.sources.models import prefetch_citations

HEADLINE_STATISTICS = [
    "call-centre-employment-100k",
    "it-ites-exports-2022",
    "bpo-revenue-2020",
    "median-age-22",
]
MAX_QUERY_LENGTH = 200
RESULTS_PER_TYPE = 10


@require_safe
def home(request):
    headline = {
        s.slug: s
        for s in Statistic.objects.filter(slug__in=HEADLINE_STATISTICS)
        .select_related("origin", "metric")
        .prefetch_related(prefetch_citations())
    }
    return render(
        request,
        "core/home.html",
        {
            "headline": [headline[slug] for slug in HEADLINE_STATISTICS if slug in headline],
            "categories": ServiceCategory.objects.annotate(
                line_count=Count("service_lines")
            ).order_by("position", "name"),
            "cities": City.objects.all(),
            "incentives": Incentive.objects.enacted()
            .select_related("body")
            .order_by(F("year").desc(nulls_last=True), "-created")[:5],
            "provider_count": Provider.objects.real().count(),
        },
    )


def search_groups(query):
    """(label, singular label, list URL, results) for every kind of record matching `query`."""
    text = Q(name__icontains=query) | Q(description__icontains=query)
    return [
        (
            "Providers",
            "Provider",
            "directory:provider_list",
            Provider.objects.search(query),
        ),
        (
            "Service lines",
            "Service line",
            "directory:service_list",
            ServiceLine.objects.filter(text | Q(tasks__name__icontains=query))
            .select_related("category")
            .distinct(),
        ),
        ("Cities", "City", "directory:city_list", City.objects.filter(text)),
        ("Incentives", "Incentive", "sector:incentive_list", Incentive.objects.filter(text)),
        (
            "Statistics",
            "Statistic",
            "sector:statistic_list",
            Statistic.objects.filter(
                Q(scope__icontains=query) | Q(metric__name__icontains=query)
            ).select_related("metric"),
        ),
        ("Challenges", "Challenge", "sector:challenge_list", Challenge.objects.filter(text)),
        ("Advantages", "Advantage", "sector:advantage_list", Advantage.objects.filter(text)),
    ]


@require_safe
def search(request):
    query = text_param(request, "q", max_length=None)
    if len(query) > MAX_QUERY_LENGTH:
        messages.warning(request, f"Only the first {MAX_QUERY_LENGTH} characters were searched.")
        query = query[:MAX_QUERY_LENGTH].strip()
    groups = []
    if query:
        for label, singular, list_url, queryset in search_groups(query):
            results = list(queryset[: RESULTS_PER_TYPE + 1])
            if results:
                groups.append(
                    {
                        "label": label,
                        "singular": singular,
                        "list_url": list_url,
                        "results": results[:RESULTS_PER_TYPE],
                        "more": len(results) > RESULTS_PER_TYPE,
                    }
                )
    return render(
        request,
        "core/search.html",
        {"query": query, "groups": groups, "total": sum(len(g["results"]) for g in groups)},
    )
