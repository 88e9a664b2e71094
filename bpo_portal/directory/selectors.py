"""Reads for the directory pages, each built in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from bpo_portal.core.caching import per_version
from bpo_portal.core.drawing import map_layout
from bpo_portal.core.prefetching import prefetch_reverse
from bpo_portal.directory.models import (
    AlternativeGrouping,
    City,
    Industry,
    IndustryServiceLine,
    Market,
    Organisation,
    Provider,
    ProviderAlias,
    ProviderIndustry,
    ProviderMarket,
    ProviderService,
    ServiceCategory,
    ServiceLine,
)
from bpo_portal.sources.models import Source, attach_citations, prefetch_citations

MAX_COMPARE = 8
SIMILAR_CANDIDATES_PER_LINE = 400
SHOWN_PROVIDERS = 20  # on an industry's page, of those offering its service lines


@per_version
def reference_rows():
    """{model: {pk: row}} of the small tables shown beside providers' own rows (service lines
    with their categories, cities, markets, industries, sources), read once per data version
    in each process. Joining every link to its line or city, and every citation to its source,
    would copy the same few hundred rows into new instances on every page."""
    return {
        ServiceLine: ServiceLine.objects.select_related("category").in_bulk(),
        City: City.objects.in_bulk(),
        Market: Market.objects.in_bulk(),
        Industry: Industry.objects.in_bulk(),
        Source: Source.objects.in_bulk(),
    }


def join_reference(links, field, reference):
    """Give each link its `field` row from `reference`, as select_related(field) would; a row
    added since `reference` was read is left to be read when it is used."""
    if not links:
        return
    rows = reference[links[0]._meta.get_field(field).related_model]
    for link in links:
        if (row := rows.get(getattr(link, f"{field}_id"))) is not None:
            setattr(link, field, row)


class RowsByIds:
    """Directory rows for an ordered sequence of provider ids, read a page at a time: the
    page's providers in one query, and the service lines and cities a row lists from the facet
    `index` (which holds every link) with their rows from `reference`."""

    def __init__(self, ordered_ids, index, reference):
        self.ordered_ids, self.index, self.reference = ordered_ids, index, reference

    def __getitem__(self, window):
        ids = list(self.ordered_ids[window])
        rows = Provider.objects.select_related("parent").in_bulk(ids)
        providers = [rows[pk] for pk in ids if pk in rows]  # not one deleted meanwhile
        links = self.index.links_of(ids)
        lines, cities = self.reference[ServiceLine], self.reference[City]
        for provider in providers:
            line_pks, city_pks = links[provider.pk]
            provider.listed_lines = [lines[pk] for pk in line_pks]
            provider.listed_cities = [cities[pk] for pk in city_pks]
        return providers


@dataclass
class Profile:
    provider: Provider
    service_groups: list
    similar: list


def provider_profile(*, slug, index, reference):
    """The profile with every fact and citation loaded, and its nearest neighbours."""
    provider = Provider.objects.select_related("parent").get(slug=slug)
    _load_links(
        [provider],
        reference,
        "aliases",
        "service_links",
        "city_links",
        "market_links",
        "industry_links",
    )
    groups = {}
    for link in sorted(
        provider.service_links.all(),
        key=lambda link: (link.service_line.category.position, link.service_line.name),
    ):
        groups.setdefault(link.service_line.category, []).append(link)
    return Profile(
        provider, list(groups.items()), similar_providers(provider=provider, index=index)
    )


# What each kind of link points to, taken from reference_rows() rather than joined.
LINK_TARGETS = {
    "service_links": "service_line",
    "city_links": "city",
    "market_links": "market",
    "industry_links": "industry",
}


def _load_links(providers, reference, *relations):
    """Each relation of `providers` in one plain query, with the rows the links point to taken
    from `reference`; then the citations of the providers and of all their links in one query."""
    for relation in relations:
        prefetch_reverse(providers, relation)
        if relation in LINK_TARGETS:
            links = [link for provider in providers for link in getattr(provider, relation).all()]
            join_reference(links, LINK_TARGETS[relation], reference)
    attach_citations(
        [
            *providers,
            *(
                link
                for provider in providers
                for relation in relations
                for link in getattr(provider, relation).all()
            ),
        ],
        sources=reference[Source],
    )


def similar_providers(*, provider, index, limit=6):
    """Providers sharing the most service lines with `provider`, best first, from the facet
    index's providers of each line and one query for their names.

    Candidates are the first SIMILAR_CANDIDATES_PER_LINE providers (by id) of each of its lines,
    so the cost stays bounded however many providers a line has; below that size the ranking
    is exact.
    """
    ranked = index.sharing_lines(
        [link.service_line_id for link in provider.service_links.all()],
        excluding=provider.pk,
        per_line=SIMILAR_CANDIDATES_PER_LINE,
        limit=limit * 3,
    )
    by_pk = Provider.objects.only("name", "slug").in_bulk([pk for pk, _ in ranked])
    found = [item for item in ranked if item[0] in by_pk]  # not one deleted meanwhile
    ordered = sorted(found, key=lambda item: (-item[1], by_pk[item[0]].name))[:limit]
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


def providers_for_compare(*, slugs, reference):
    """The providers with their other names, their cities and their links to service lines."""
    providers = list(
        Provider.objects.filter(slug__in=slugs).select_related("parent").order_by("slug")
    )
    _load_links(providers, reference, "aliases", "service_links", "city_links")
    return providers


def compare_grid(*, providers, reference):
    """Rows of the comparison: every service line any of them offers, and the lines none does."""
    offered = {}
    for column, provider in enumerate(providers):
        for link in provider.service_links.all():
            offered.setdefault(link.service_line, [None] * len(providers))[column] = link
    shown = sorted(offered, key=lambda line: (line.category.position, line.name))
    service_rows = [CompareRow(line.name, offered[line], line.category) for line in shown]
    missing_lines = [line for line in reference[ServiceLine].values() if line not in offered]
    return service_rows, missing_lines


def services_overview(*, counts):
    """Categories with their service lines, each line with `provider_count` from `counts`
    ({slug: providers}): two queries."""
    lines = ServiceLine.objects.order_by("name")
    categories = list(
        ServiceCategory.objects.prefetch_related(
            Prefetch("service_lines", queryset=lines)
        ).order_by("position", "name")
    )
    for category in categories:
        _with_provider_counts(category.service_lines.all(), counts)
    return categories


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

    def __init__(self, line, ordered_ids, reference):
        self.line, self.ordered_ids, self.reference = line, ordered_ids, reference

    def __getitem__(self, window):
        ids = list(self.ordered_ids[window])
        rows = Provider.objects.in_bulk(ids)
        providers = [rows[pk] for pk in ids if pk in rows]  # not one deleted meanwhile
        prefetch_reverse(
            providers, "service_links", to_attr="cited_links", service_line_id=[self.line.pk]
        )
        attach_citations(
            [link for provider in providers for link in provider.cited_links],
            sources=self.reference[Source],
        )
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
    return _with_provider_counts(related, counts)


def city_slug_exists(*, slug):
    return City.objects.filter(slug=slug).exists()


def cities_with_counts(*, counts):
    """Every city, by name, each with `provider_count` from `counts` ({slug: providers})."""
    return _with_provider_counts(list(City.objects.order_by("name")), counts)


def cities_overview(*, counts):
    """Every city with its citations, each with `provider_count` from `counts`
    ({slug: providers})."""
    cities = City.objects.prefetch_related(prefetch_citations()).order_by("name")
    return _with_provider_counts(list(cities), counts)


def _with_provider_counts(rows, counts):
    """`rows`, each given `provider_count` from `counts` ({slug: providers})."""
    for row in rows:
        row.provider_count = counts.get(row.slug, 0)
    return rows


def cities_for_export():
    return City.objects.annotate(provider_count=Count("provider_links")).order_by("name")


def city_map(cities):
    return map_layout([(city, city.latitude, city.longitude) for city in cities])


def city_detail(*, slug):
    return City.objects.prefetch_related(prefetch_citations()).get(slug=slug)


def service_lines_offered(*, counts):
    """The service lines with a provider in `counts` ({slug: providers}), by name."""
    offered = [slug for slug, count in counts.items() if count]
    return list(ServiceLine.objects.filter(slug__in=offered).order_by("name"))


def organisations():
    return Organisation.objects.prefetch_related(prefetch_citations())


def organisation_page(*, slug):
    """The organisation of `slug` and its providers; the apps above add what they hold of it
    (directory/pages.py)."""
    organisation = organisations().get(slug=slug)
    providers = list(
        organisation.subsidiaries.order_by("name").prefetch_related(prefetch_citations())
    )
    return {
        "organisation": organisation,
        "providers": providers,
        "named_alike": named_like_its_group(providers=providers),
    }


def named_like_its_group(*, providers):
    """The other names, with their providers, that begin with the abbreviation a provider of
    the group begins its name with (Ibex was TRG Customer Solutions; TRG Pakistan is in The
    Resource Group International): a tie the sources make by name only."""
    words = {p.name.split()[0] for p in providers if " " in p.name}
    words = {word for word in words if len(word) > 1 and word.isupper()}
    if not words:
        return []
    named = Q()
    for word in words:
        named |= Q(name__startswith=f"{word} ")
    aliases = ProviderAlias.objects.filter(named, provider__is_demo=False).exclude(
        provider__in=providers
    )
    return list(
        aliases.select_related("provider")
        .prefetch_related(prefetch_citations())
        .order_by("provider__name", "name")
    )


def markets():
    return Market.objects.select_related("region").prefetch_related(
        prefetch_citations(),
        Prefetch(
            "provider_links",
            queryset=ProviderMarket.objects.select_related("provider").prefetch_related(
                prefetch_citations()
            ),
        ),
    )


def markets_by_role():
    """[(role label, markets)]: client markets first, then competitors."""
    order = [Market.Role.CLIENT, Market.Role.BOTH, Market.Role.COMPETITOR]
    grouped = {role: [] for role in order}
    for market in markets():
        grouped[market.role].append(market)
    labels = dict(Market.Role.choices)
    return [(labels[role], items) for role, items in grouped.items() if items]


def industries():
    return Industry.objects.annotate(
        line_count=Count("line_links", distinct=True)
    ).prefetch_related(
        prefetch_citations(),
        Prefetch("line_links", queryset=IndustryServiceLine.objects.select_related("service_line")),
    )


@dataclass
class IndustryPage:
    industry: Industry
    named: list  # providers a source names for the industry, with their cited links
    offering: list  # providers offering a service line that serves it (our inference)
    offering_count: int


def industry_detail(*, slug):
    industry = (
        Industry.objects.prefetch_related(
            prefetch_citations(),
            Prefetch(
                "line_links",
                queryset=IndustryServiceLine.objects.select_related(
                    "service_line"
                ).prefetch_related(prefetch_citations()),
            ),
            Prefetch(
                "provider_links",
                queryset=ProviderIndustry.objects.select_related("provider").prefetch_related(
                    prefetch_citations()
                ),
            ),
        )
    ).get(slug=slug)
    lines = [link.service_line_id for link in industry.line_links.all()]
    offering = Provider.objects.filter(
        pk__in=ProviderService.objects.filter(service_line__in=lines).values("provider")
    )
    return IndustryPage(
        industry=industry,
        named=list(industry.provider_links.all()),
        offering=list(offering.order_by("name")[:SHOWN_PROVIDERS]),
        offering_count=offering.count(),
    )
