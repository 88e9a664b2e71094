"""Reads for the pages that span every kind of knowledge: home and site-wide search."""

from django.db.models import Count, F, Q

from bpo_portal.directory.models import City, Provider, ServiceCategory, ServiceLine
from bpo_portal.sector.models import Advantage, Challenge, Incentive, Statistic
from bpo_portal.sources.models import prefetch_citations

HEADLINE_STATISTICS = [
    "call-centre-employment-100k",
    "it-ites-exports-2022",
    "bpo-revenue-2020",
    "median-age-22",
]


def home_page():
    headline = {
        s.slug: s
        for s in Statistic.objects.filter(slug__in=HEADLINE_STATISTICS)
        .select_related("origin", "metric")
        .prefetch_related(prefetch_citations())
    }
    return {
        "headline": [headline[slug] for slug in HEADLINE_STATISTICS if slug in headline],
        "categories": list(
            ServiceCategory.objects.annotate(line_count=Count("service_lines")).order_by(
                "position", "name"
            )
        ),
        "cities": list(City.objects.all()),
        "incentives": list(
            Incentive.objects.enacted()
            .select_related("body")
            .order_by(F("year").desc(nulls_last=True), "-created")[:5]
        ),
        "provider_count": Provider.objects.real().count(),
    }


def search_groups(*, query):
    """(label, singular label, list URL, results) for every kind of record matching `query`."""
    text = Q(name__icontains=query) | Q(description__icontains=query)
    return [
        ("Providers", "Provider", "directory:provider_list", Provider.objects.search(query)),
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
