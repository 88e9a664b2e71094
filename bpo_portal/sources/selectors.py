from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Count

from bpo_portal.directory.models import (
    AlternativeGrouping,
    ProviderAlias,
    ProviderCity,
    ProviderService,
    ServiceTask,
)
from bpo_portal.sector.models import DisagreementSide
from bpo_portal.sources.models import Citation, Cited, Source

# Child facts name their parent, so they are fetched with it.
FACT_QUERYSETS = [
    ProviderService.objects.select_related("provider", "service_line"),
    ProviderCity.objects.select_related("provider", "city"),
    ProviderAlias.objects.select_related("provider"),
    ServiceTask.objects.select_related("service_line"),
    AlternativeGrouping.objects.select_related("service_line", "category"),
    DisagreementSide.objects.select_related("disagreement"),
]


def sources_overview():
    return Source.objects.annotate(citation_count=Count("citations")).order_by("file_name")


def source_sections(source):
    """[(heading, citations)] in the article's order, each citation with its fact loaded."""
    citations = (
        Citation.objects.filter(source=source)
        .select_related("content_type")
        .prefetch_related(GenericPrefetch("fact", FACT_QUERYSETS))
        .order_by("id")
    )
    by_heading = {heading: [] for heading in source.headings}
    for citation in citations:
        if isinstance(citation.fact, Cited):
            by_heading.setdefault(citation.section, []).append(citation)
    return [(heading, items) for heading, items in by_heading.items() if items]
