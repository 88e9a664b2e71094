"""Reads for the directory pages, each built in a fixed number of queries."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from bpo_portal.core.drawing import map_layout
from bpo_portal.core.prefetching import prefetch_reverse
from bpo_portal.directory.models import (
    AlternativeGrouping,
    City,
    Provider,
    ProviderAlias,
    ProviderCity,
    ProviderIndustry,
    ProviderMarket,
    ProviderService,
    ServiceCategory,
    ServiceLine,
)
from bpo_portal.sources.models import attach_citations, prefetch_citations

MAX_COMPARE = 8
SIMILAR_CANDIDATES_PER_LINE = 400


class RowsByIds:
    """Directory rows for an ordered queryset of ids, read a page at a time: the database sorts
    narrow (id, name) rows, and only the page's providers are read whole, with what a list row
    shows (service lines and cities)."""

    def __init__(self, ordered_ids):
        self.ordered_ids = ordered_ids

    def __getitem__(self, window):
        ids = list(self.ordered_ids[window])
        rows = Provider.objects.select_related("parent").in_bulk(ids)
        providers = [rows[pk] for pk in ids]
        prefetch_reverse(
            providers,
            "service_links",
            ProviderService.objects.select_related("service_line").order_by("service_line__name"),
        )
        prefetch_reverse(providers, "city_links", ProviderCity.objects.select_related("city"))
        return providers


@dataclass
class Profile:
    provider: Provider
    service_groups: list
    similar: list


def provider_profile(*, slug, index):
    """The profile with every fact and citation loaded, and its nearest neighbours."""
    provider = Provider.objects.select_related("parent").get(slug=slug)
    _load_links(
        [provider],
        aliases=ProviderAlias.objects.all(),
        service_links=ProviderService.objects.select_related("service_line__category").order_by(
            "service_line__category__position", "service_line__name"
        ),
        city_links=ProviderCity.objects.select_related("city"),
        market_links=ProviderMarket.objects.select_related("market"),
        industry_links=ProviderIndustry.objects.select_related("industry"),
    )
    groups = {}
    for link in provider.service_links.all():
        groups.setdefault(link.service_line.category, []).append(link)
    return Profile(
        provider, list(groups.items()), similar_providers(provider=provider, index=index)
    )


def _load_links(providers, **relations):
    """Each relation of `providers` in one plain query, then all their citations in one more."""
    for relation, queryset in relations.items():
        prefetch_reverse(providers, relation, queryset)
    attach_citations(
        [
            *providers,
            *(
                link
                for provider in providers
                for relation in relations
                for link in getattr(provider, relation).all()
            ),
        ]
    )


def similar_providers(*, provider, index, limit=6):
    """Providers sharing the most service lines with `provider`, best first, from the facet
    index's providers of each line and one query for their names.

    Candidates are the first SIMILAR_CANDIDATES_PER_LINE providers (by id) of each of its lines,
    so the cost stays bounded however many providers a line has; below that size the ranking
    is exact.
    """
    shared = Counter()
    for link in provider.service_links.all():
        offering = index.by_line.get(link.service_line_id, ())
        candidates = [pk for pk in offering[: SIMILAR_CANDIDATES_PER_LINE + 1] if pk != provider.pk]
        shared.update(candidates[:SIMILAR_CANDIDATES_PER_LINE])
    # Counted in id order, so that ties keep that order.
    ranked = Counter(dict(sorted(shared.items()))).most_common(limit * 3)
    by_pk = Provider.objects.only("name", "slug").in_bulk([pk for pk, _ in ranked])
    ordered = sorted(ranked, key=lambda item: (-item[1], by_pk[item[0]].name))[:limit]
    return [(by_pk[pk], count) for pk, count in ordered]


def find_provider(*, text):
    """A provider by slug or exact name, or None."""
    text = text.strip()
    return Provider.objects.filter(Q(slug=text) | Q(name__iexact=text)).first()


def canonical_compare_slugs(slugs):
    return sorted(dict.fromkeys(slug for slug in slugs if slug))


def compare_suggestions(*, excluding=(), limit=50):
    """Providers to add to a comparison: their names and addresses only."""
    providers = Provider.objects.real().exclude(slug__in=excluding).only("name", "slug")
    return list(providers.order_by("name")[:limit])


@dataclass
class CompareRow:
    label: str
    cells: list
    category: object = None


def providers_for_compare(*, slugs):
    """The providers with their cities and their links to service lines (compare_grid gives
    the links their lines)."""
    providers = list(
        Provider.objects.filter(slug__in=slugs).select_related("parent").order_by("slug")
    )
    _load_links(
        providers,
        service_links=ProviderService.objects.all(),
        city_links=ProviderCity.objects.select_related("city"),
    )
    return providers


def compare_grid(*, providers):
    """Rows of the comparison: every service line any of them offers, and the lines none does,
    from one read of all the lines (not a copy of its line and category for every link)."""
    lines = ServiceLine.objects.select_related("category").in_bulk()
    offered = {}
    for column, provider in enumerate(providers):
        for link in provider.service_links.all():
            if link.service_line_id in lines:  # not a line deleted since the links were read
                link.service_line = lines[link.service_line_id]
                offered.setdefault(link.service_line, [None] * len(providers))[column] = link
    shown = sorted(offered, key=lambda line: (line.category.position, line.name))
    service_rows = [CompareRow(line.name, offered[line], line.category) for line in shown]
    missing_lines = [line for line in lines.values() if line not in offered]
    return service_rows, missing_lines


def services_overview():
    """Categories with their service lines and provider counts: two queries."""
    lines = ServiceLine.objects.with_provider_counts().order_by("name")
    return ServiceCategory.objects.prefetch_related(
        Prefetch("service_lines", queryset=lines)
    ).order_by("position", "name")


def service_lines_for_export():
    return (
        ServiceLine.objects.with_provider_counts()
        .select_related("category")
        .order_by("category__position", "name")
    )


def service_line_detail(*, slug):
    return (
        ServiceLine.objects.select_related("category")
        .prefetch_related(
            prefetch_citations(),
            prefetch_citations("tasks__"),
            Prefetch(
                "alternative_groupings",
                queryset=AlternativeGrouping.objects.select_related("category"),
            ),
            prefetch_citations("alternative_groupings__"),
        )
        .get(slug=slug)
    )


class OfferingRows:
    """The providers offering `line`, for an ordered sequence of their ids, read a page at a time,
    each with `cited_links`: its cited link to the line."""

    def __init__(self, line, ordered_ids):
        self.line, self.ordered_ids = line, ordered_ids

    def __getitem__(self, window):
        ids = list(self.ordered_ids[window])
        rows = Provider.objects.in_bulk(ids)
        providers = [rows[pk] for pk in ids]
        links = ProviderService.objects.filter(service_line=self.line)
        prefetch_reverse(providers, "service_links", links, to_attr="cited_links")
        attach_citations(link for provider in providers for link in provider.cited_links)
        return providers


def related_service_lines(*, line, counts):
    """Lines of the same category or grouped with it elsewhere, each with `provider_count` from
    `counts` ({slug: providers})."""
    related = list(
        ServiceLine.objects.filter(
            Q(category=line.category) | Q(alternative_groupings__category=line.category)
        )
        .exclude(pk=line.pk)
        .distinct()
        .order_by("name")
    )
    for other in related:
        other.provider_count = counts.get(other.slug, 0)
    return related


def city_slug_exists(*, slug):
    return City.objects.filter(slug=slug).exists()


def all_cities():
    return list(City.objects.all())


def cities_overview():
    return (
        City.objects.annotate(provider_count=Count("provider_links"))
        .prefetch_related(prefetch_citations())
        .order_by("name")
    )


def city_map(cities):
    return map_layout([(city, city.latitude, city.longitude) for city in cities])


def city_detail(*, slug):
    return City.objects.prefetch_related(prefetch_citations()).get(slug=slug)


def service_lines_offered(*, counts):
    """The service lines with a provider in `counts` ({slug: providers}), by name."""
    offered = [slug for slug, count in counts.items() if count]
    return list(ServiceLine.objects.filter(slug__in=offered).order_by("name"))
