"""Reads for the directory pages, each built in a fixed number of queries."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import islice

from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.urls import reverse

from bpo_portal.core.templatetags.portal import lowerfirst
from bpo_portal.directory.models import (
    AlternativeGrouping,
    City,
    Provider,
    ProviderCity,
    ProviderService,
    ServiceCategory,
    ServiceLine,
)
from bpo_portal.sources.models import prefetch_citations

MAX_COMPARE = 8


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    toggled: object  # what the parameter becomes when this value is clicked


@dataclass
class Facet:
    name: str
    label: str
    values: list = field(default_factory=list)


def _facet(name, label, counts, labels, selected, multiple):
    values = []
    for value, text in labels:
        count = counts.get(value, 0)
        is_selected = value in selected
        if not count and not is_selected:
            continue
        if multiple:
            toggled = [v for v in selected if v != value] if is_selected else [*selected, value]
        else:
            toggled = None if is_selected else value
        values.append(FacetValue(value, text, count, is_selected, toggled))
    values.sort(key=lambda v: (not v.selected, -v.count, v.label))
    return Facet(name, label, values)


def provider_facets(result, data):
    """Counts of each filter value within `result`: one query per facet, never per value.

    A provider has at most one link to a service line or a city, so those count rows; a
    category can be reached through several of a provider's lines, so it counts providers.
    """
    ids = result.order_by().values("pk")
    unfiltered = not result.query.where
    links = (
        ProviderService.objects.all()
        if unfiltered
        else ProviderService.objects.filter(provider__in=ids)
    )
    city_links = (
        ProviderCity.objects.all() if unfiltered else ProviderCity.objects.filter(provider__in=ids)
    )
    counts = {
        "service": dict(links.values_list("service_line__slug").annotate(n=Count("pk"))),
        "category": dict(
            links.values_list("service_line__category__slug").annotate(
                n=Count("provider", distinct=True)
            )
        ),
        "city": dict(city_links.values_list("city__slug").annotate(n=Count("pk"))),
        "kind": dict(result.order_by().values_list("kind").annotate(n=Count("pk"))),
    }
    labels = {
        "service": list(ServiceLine.objects.values_list("slug", "name")),
        "category": list(ServiceCategory.objects.values_list("slug", "name")),
        "city": list(City.objects.values_list("slug", "name")),
        "kind": Provider.Kind.choices,
    }
    return counts, labels


def facets_for(counts, labels, data):
    return [
        _facet(
            "service",
            "Service line",
            counts["service"],
            labels["service"],
            data.getlist("service"),
            True,
        ),
        _facet(
            "category",
            "Category",
            counts["category"],
            labels["category"],
            [data.get("category")],
            False,
        ),
        _facet("city", "City", counts["city"], labels["city"], data.getlist("city"), True),
        _facet("kind", "Kind", counts["kind"], labels["kind"], [data.get("kind")], False),
    ]


def describe_result(count, filterset):
    """The result in words, e.g. '1 provider offering technical support'."""
    data = filterset.form.cleaned_data
    noun = "provider" if count == 1 else "providers"
    parts = [f"{count:,} {noun}"]
    if data.get("kind"):
        parts.append(f"of kind “{Provider.Kind(data['kind']).label.lower()}”")
    if data.get("service"):
        names = [lowerfirst(line.name) for line in data["service"]]
        parts.append("offering " + " or ".join(names))
    if data.get("category"):
        parts.append(f"in {lowerfirst(data['category'].name)}")
    if data.get("city"):
        parts.append("in " + " or ".join(city.name for city in data["city"]))
    low, high = data.get("founded_min"), data.get("founded_max")
    if low is not None and high is not None:
        parts.append(f"founded {int(low)}–{int(high)}")
    elif low is not None:
        parts.append(f"founded in or after {int(low)}")
    elif high is not None:
        parts.append(f"founded in or before {int(high)}")
    if data.get("q", "").strip():
        parts.append(f"matching “{data['q'].strip()}”")
    return " ".join(parts)


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


@dataclass
class Profile:
    provider: Provider
    service_groups: list
    similar: list


def provider_profile(slug, similar=None):
    """The profile with every fact and citation loaded; `similar` computes the neighbours."""
    provider = (
        Provider.objects.select_related("parent")
        .prefetch_related(
            prefetch_citations(),
            prefetch_citations("aliases__"),
            Prefetch(
                "service_links",
                queryset=ProviderService.objects.select_related("service_line__category").order_by(
                    "service_line__category__position", "service_line__name"
                ),
            ),
            prefetch_citations("service_links__"),
            Prefetch("city_links", queryset=ProviderCity.objects.select_related("city")),
            prefetch_citations("city_links__"),
        )
        .get(slug=slug)
    )
    groups = {}
    for link in provider.service_links.all():
        groups.setdefault(link.service_line.category, []).append(link)
    neighbours = similar(provider) if similar else similar_providers(provider)
    return Profile(provider, list(groups.items()), neighbours)


SIMILAR_CANDIDATES_PER_LINE = 400


def similar_providers(provider, limit=6):
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


def canonical_compare_slugs(slugs):
    return sorted(dict.fromkeys(slug for slug in slugs if slug))


@dataclass
class CompareRow:
    label: str
    cells: list
    category: object = None


def compare_grid(providers):
    """Rows of the comparison: the facts, then every service line any of them offers."""
    offered = {}
    for column, provider in enumerate(providers):
        for link in provider.service_links.all():
            offered.setdefault(link.service_line, [None] * len(providers))[column] = link
    lines = sorted(offered, key=lambda line: (line.category.position, line.name))
    service_rows = [CompareRow(line.name, offered[line], line.category) for line in lines]
    missing_lines = ServiceLine.objects.exclude(pk__in=[line.pk for line in lines]).select_related(
        "category"
    )
    return service_rows, missing_lines


def providers_for_compare(slugs):
    return list(
        Provider.objects.filter(slug__in=slugs)
        .select_related("parent")
        .prefetch_related(
            prefetch_citations(),
            Prefetch(
                "service_links",
                queryset=ProviderService.objects.select_related("service_line__category"),
            ),
            prefetch_citations("service_links__"),
            Prefetch("city_links", queryset=ProviderCity.objects.select_related("city")),
            prefetch_citations("city_links__"),
        )
        .order_by("slug")
    )


def services_overview():
    """Categories with their service lines and provider counts: two queries."""
    lines = ServiceLine.objects.with_provider_counts().order_by("name")
    return ServiceCategory.objects.prefetch_related(
        Prefetch("service_lines", queryset=lines)
    ).order_by("position", "name")


def service_line_detail(slug):
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


def providers_offering(line, city=None):
    links = ProviderService.objects.filter(service_line=line)
    if city is not None:
        links = links.filter(provider__city_links__city=city)
    return Provider.objects.filter(pk__in=links.values("provider")).prefetch_related(
        Prefetch(
            "service_links",
            queryset=ProviderService.objects.filter(service_line=line).prefetch_related(
                prefetch_citations()
            ),
            to_attr="cited_links",
        )
    )


def related_service_lines(line):
    return (
        ServiceLine.objects.filter(
            Q(category=line.category) | Q(alternative_groupings__category=line.category)
        )
        .exclude(pk=line.pk)
        .with_provider_counts()
        .distinct()
        .order_by("name")
    )


def cities_overview():
    return (
        City.objects.annotate(provider_count=Count("provider_links"))
        .prefetch_related(prefetch_citations())
        .order_by("name")
    )


def city_detail(slug):
    return City.objects.prefetch_related(prefetch_citations()).get(slug=slug)


EXPORT_HEADERS = [
    "name", "slug", "kind", "founded_year", "founded_year_ambiguous", "parent", "headcount",
    "service_lines", "cities", "url",
]  # fmt: skip


def export_rows(result, chunk=2000):
    """Every provider of `result` as a dict, read as plain values a chunk at a time.

    Three queries per chunk (providers, their service lines, their cities) and no model
    instances, so memory stays flat however many providers there are.
    """
    kinds = dict(Provider.Kind.choices)
    url = reverse("directory:provider_detail", kwargs={"slug": "SLUG"})
    fields = [
        "pk",
        "name",
        "slug",
        "kind",
        "founded_year",
        "founded_year_ambiguous",
        "parent__name",
        "headcount",
    ]
    rows = result.values_list(*fields).iterator(chunk_size=chunk)
    while batch := list(islice(rows, chunk)):
        ids = [row[0] for row in batch]
        lines, cities = defaultdict(list), defaultdict(list)
        services = ProviderService.objects.filter(provider__in=ids)
        for provider, slug in services.values_list("provider", "service_line__slug").order_by(
            "service_line__slug"
        ):
            lines[provider].append(slug)
        for provider, slug in ProviderCity.objects.filter(provider__in=ids).values_list(
            "provider", "city__slug"
        ):
            cities[provider].append(slug)
        for pk, name, slug, kind, founded, ambiguous, parent, headcount in batch:
            yield {
                "name": name,
                "slug": slug,
                "kind": kinds.get(kind, kind),
                "founded_year": founded,
                "founded_year_ambiguous": ambiguous,
                "parent": parent,
                "headcount": headcount or None,
                "service_lines": "; ".join(lines[pk]),
                "cities": "; ".join(sorted(cities[pk])),
                "url": url.replace("SLUG", slug),
            }
