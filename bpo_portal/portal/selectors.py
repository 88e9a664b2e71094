"""Reads for the pages that span every kind of knowledge: home and site-wide search."""

from django.db.models import Count, F

from bpo_portal.directory.models import City, Provider, ServiceCategory
from bpo_portal.sector.models import Incentive, Statistic
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
