"""Reads for the directory pages, each built in a fixed number of queries."""

from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Prefetch, Q

from bpo_portal.core.drawing import map_layout
from bpo_portal.directory.models import (
    AlternativeGrouping,
    City,
    Provider,
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


def directory_rows(queryset):
    """Providers with what a list row shows, in a fixed number of queries."""
    return queryset.select_related("parent").prefetch_related(
        Prefetch(
            "service_links",
            queryset=ProviderService.objects.select_related("service_line").order_by(
                "service_line__name"
            ),
        ),
        Prefetch("city_links", queryset=ProviderCity.objects.select_related("city")),
    )


class RowsByIds:
    """Directory rows for an ordered queryset of ids, read a page at a time: the database sorts
    narrow (id, name) rows, and only the page's providers are read whole."""

    def __init__(self, ordered_ids):
        self.ordered_ids = ordered_ids

    def __getitem__(self, window):
        ids = list(self.ordered_ids[window])
        rows = directory_rows(Provider.objects.filter(pk__in=ids)).in_bulk()
        return [rows[pk] for pk in ids]


@dataclass
class Profile:
    provider: Provider
    service_groups: list
    similar: list


def provider_profile(*, slug):
    """The profile with every fact and citation loaded, and its nearest neighbours."""
    provider = (
        Provider.objects.select_related("parent")
        .prefetch_related(
            "aliases",
            Prefetch(
                "service_links",
                queryset=ProviderService.objects.select_related("service_line__category").order_by(
                    "service_line__category__position", "service_line__name"
                ),
            ),
            Prefetch("city_links", queryset=ProviderCity.objects.select_related("city")),
            Prefetch("market_links", queryset=ProviderMarket.objects.select_related("market")),
            Prefetch(
                "industry_links", queryset=ProviderIndustry.objects.select_related("industry")
            ),
        )
        .get(slug=slug)
    )
    attach_citations(
        [
            provider,
            *provider.aliases.all(),
            *provider.service_links.all(),
            *provider.city_links.all(),
            *provider.market_links.all(),
            *provider.industry_links.all(),
        ]
    )
    groups = {}
    for link in provider.service_links.all():
        groups.setdefault(link.service_line.category, []).append(link)
    return Profile(provider, list(groups.items()), similar_providers(provider=provider))


def similar_providers(*, provider, limit=6):
    """Providers sharing the most service lines with `provider`, best first (two queries).

    Candidates are up to SIMILAR_CANDIDATES_PER_LINE providers of each of its lines, so the cost
    stays bounded however many providers a line has; below that size the ranking is exact.
    """
    lines = [link.service_line_id for link in provider.service_links.all()]
    if not lines:
        return []
    table = connection.ops.quote_name(ProviderService._meta.db_table)
    per_line = (
        f"SELECT * FROM (SELECT provider_id FROM {table} WHERE service_line_id = %s "
        f"AND provider_id <> %s ORDER BY provider_id LIMIT {SIMILAR_CANDIDATES_PER_LINE}) AS line_{{n}}"
    )
    sql = " UNION ALL ".join(per_line.format(n=n) for n in range(len(lines)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for line in lines for value in (line, provider.pk)])
        shared = Counter(row[0] for row in cursor.fetchall())
    ranked = sorted(shared.items(), key=lambda item: (-item[1], item[0]))[: limit * 3]
    by_pk = Provider.objects.in_bulk([pk for pk, _ in ranked])
    ordered = sorted(ranked, key=lambda item: (-item[1], by_pk[item[0]].name))[:limit]
    return [(by_pk[pk], count) for pk, count in ordered]


def find_provider(*, text):
    """A provider by slug or exact name, or None."""
    text = text.strip()
    return Provider.objects.filter(Q(slug=text) | Q(name__iexact=text)).first()


def canonical_compare_slugs(slugs):
    return sorted(dict.fromkeys(slug for slug in slugs if slug))


def compare_suggestions(*, excluding=(), limit=50):
    return list(Provider.objects.real().exclude(slug__in=excluding).order_by("name")[:limit])


@dataclass
class CompareRow:
    label: str
    cells: list
    category: object = None


def providers_for_compare(*, slugs):
    providers = list(
        Provider.objects.filter(slug__in=slugs)
        .select_related("parent")
        .prefetch_related(
            Prefetch(
                "service_links",
                queryset=ProviderService.objects.select_related("service_line__category"),
            ),
            Prefetch("city_links", queryset=ProviderCity.objects.select_related("city")),
        )
        .order_by("slug")
    )
    links = [
        link
        for provider in providers
        for link in [*provider.service_links.all(), *provider.city_links.all()]
    ]
    attach_citations([*providers, *links])
    return providers


def compare_grid(*, providers):
    """Rows of the comparison: every service line any of them offers, and the lines none does."""
    offered = {}
    for column, provider in enumerate(providers):
        for link in provider.service_links.all():
            offered.setdefault(link.service_line, [None] * len(providers))[column] = link
    lines = sorted(offered, key=lambda line: (line.category.position, line.name))
    service_rows = [CompareRow(line.name, offered[line], line.category) for line in lines]
    missing_lines = list(
        ServiceLine.objects.exclude(pk__in=[line.pk for line in lines]).select_related("category")
    )
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


def providers_offering(*, line, city=None):
    links = ProviderService.objects.filter(service_line=line)
    if city is not None:
        links = links.filter(provider__city_links__city=city)
    return (
        Provider.objects.filter(pk__in=links.values("provider"))
        .prefetch_related(
            Prefetch(
                "service_links",
                queryset=ProviderService.objects.filter(service_line=line).prefetch_related(
                    prefetch_citations()
                ),
                to_attr="cited_links",
            )
        )
        .order_by("name")
    )


def related_service_lines(*, line):
    return (
        ServiceLine.objects.filter(
            Q(category=line.category) | Q(alternative_groupings__category=line.category)
        )
        .exclude(pk=line.pk)
        .with_provider_counts()
        .distinct()
        .order_by("name")
    )


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


def providers_in_city(*, city):
    return directory_rows(city.providers.distinct().order_by("name", "id"))


def service_lines_in_city(*, city):
    return list(
        ServiceLine.objects.filter(provider_links__provider__city_links__city=city)
        .distinct()
        .order_by("name")
    )
