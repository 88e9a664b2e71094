"""Reads for the source pages."""

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Count
from django.utils.text import capfirst

from bpo_portal.core.caching import per_version
from bpo_portal.core.kinds import kinds
from bpo_portal.sources.models import Citation, Cited, Source


@per_version
def sources_by_pk():
    """{pk: Source} of every source, read once per data version in each process: a page gives
    its citations these (attach_citations) instead of reading a source for each."""
    return Source.objects.in_bulk()


@per_version
def citation_counts():
    """{source pk: citations}, counted in the citations table alone and kept while it is
    unchanged: most saves leave it as it is, and it holds a row for every cited fact."""
    return dict(Citation.objects.order_by().values_list("source").annotate(Count("pk")))


def sources_overview(*, counts):
    """Every source, each with `citation_count` from `counts` ({source pk: citations})."""
    sources = list(Source.objects.order_by("created", "slug"))
    for source in sources:
        source.citation_count = counts.get(source.pk, 0)
    return sources


def sources_for_export():
    return Source.objects.annotate(citation_count=Count("citations")).order_by("created", "slug")


def fact_querysets():
    """One queryset per kind of fact, each fetching what its `describe()` names."""
    querysets = []
    for kind in kinds():
        if issubclass(kind.model, Cited):
            queryset = kind.model.objects.all()
            if kind.describe_with:
                queryset = queryset.select_related(*kind.describe_with)
            querysets.append(queryset)
    return querysets


def source_citations(*, source):
    """The source's citations in the order they were made, to be shown a page at a time."""
    return (
        Citation.objects.filter(source=source)
        .select_related("content_type")
        .prefetch_related(GenericPrefetch("fact", fact_querysets()))
        .order_by("id")
    )


def source_sections(*, source, citations):
    """[(heading, citations)] in the source's order, each citation with its fact loaded."""
    by_part = {heading: [] for heading in source.headings}
    for citation in citations:
        if isinstance(citation.fact, Cited):
            by_part.setdefault(citation.section or capfirst(citation.place), []).append(citation)
    return [(part, items) for part, items in by_part.items() if items]
