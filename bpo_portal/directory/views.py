import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_safe

from bpo_portal.core import search
from bpo_portal.core.caching import cached_page, request_version
from bpo_portal.core.exports import export_format, export_response, list_download
from bpo_portal.core.filtering import filter_request, text_param
from bpo_portal.core.kinds import kind_for
from bpo_portal.directory import selectors
from bpo_portal.directory.facets import provider_index
from bpo_portal.directory.filters import ProviderFilter
from bpo_portal.directory.models import City, Industry, Market, Organisation, Provider, ServiceLine
from bpo_portal.directory.pages import additions

PAGE_SIZE = 20
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,220}")


class CountedPaginator(Paginator):
    """A paginator told its row count (from the facet index) instead of counting again."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self.count = count


def paginate(request, queryset, per_page=PAGE_SIZE, count=None):
    number = request.GET.get("page", "1")
    if count is None:
        paginator = Paginator(queryset, per_page)
    else:
        paginator = CountedPaginator(queryset, per_page, count)
    page = paginator.get_page(number)
    if str(page.number) != number.strip() and "page" in request.GET:
        messages.info(request, f"There is no page “{number}”; showing page {page.number}.")
    return page


def _reference(request):
    return selectors.reference_rows(request_version(request))


@require_safe
@cached_page
@list_download(Provider, ProviderFilter)
def provider_list(request):
    filterset = filter_request(request, ProviderFilter, Provider.objects.all())
    if fmt := export_format(request):
        return export_response(fmt, kind_for(Provider), filterset.qs, "providers")
    index = provider_index(request_version(request))
    matching = filterset.matching(index)
    rows = selectors.RowsByIds(filterset.ordered_ids(index, matching), index, _reference(request))
    page = paginate(request, rows, count=len(matching))
    facets = filterset.index_facets(index, matching, request.GET)
    return render(
        request,
        "directory/provider_list.html",
        {
            "filterset": filterset,
            "page": page,
            "description": filterset.describe(len(matching)),
            "facets": facets,
            "total": len(index.providers),
            # An empty result's way out: each chosen facet value, to remove.
            "removable": [(f, item) for f in facets for item in f.values if item.selected],
        },
    )


@require_safe
@cached_page
def provider_detail(request, slug):
    try:
        profile = selectors.provider_profile(
            slug=slug, index=provider_index(request_version(request)), reference=_reference(request)
        )
    except Provider.DoesNotExist:
        raise Http404("No provider with that address.") from None
    return render(request, "directory/provider_detail.html", {"profile": profile})


def _compare_url(slugs):
    slugs = selectors.canonical_compare_slugs(slugs)
    return reverse("directory:compare", kwargs={"slugs": "-vs-".join(slugs)})


def _providers_matching(request, text):
    """The providers the site's search finds for `text`, best first, and its "did you mean"."""
    outcome = search.run(
        text, kinds_wanted=[kind_for(Provider).prefix], per_kind=5, version=request_version(request)
    )
    results = outcome.groups[0].results if outcome.groups else []
    found = Provider.objects.real().in_bulk([r.object_id for r in results])
    ranked = [(r, found[r.object_id]) for r in results if r.object_id in found]
    return ranked, outcome.suggestion


def _provider_meant(request, typed, chosen):
    """The provider a name typed into "Add a provider" means: by its address or exact name,
    else the one the search finds by name (typos and parts of names too). None, with a message
    naming the choices or a near name, when it is not clear."""
    if provider := selectors.find_provider(text=typed):
        return provider
    ranked, suggestion = _providers_matching(request, typed)
    by_name = [(r, p) for r, p in ranked if r.tier <= 2]
    if by_name and (len(by_name) == 1 or by_name[0][0].standing < by_name[1][0].standing):
        provider = by_name[0][1]
        if provider.slug in chosen:
            messages.info(request, f"{provider.name} is already in the comparison.")
        else:
            messages.info(request, f"Added {provider.name}, whose name matches “{typed}”.")
        return provider
    ranked = [(r, p) for r, p in ranked if p.slug not in chosen]

    def add_link(provider):
        query = "&".join([f"p={slug}" for slug in chosen] + [f"add={provider.slug}"])
        return (reverse("directory:compare_start") + "?" + query, provider.name)

    if ranked:
        links = format_html_join(", ", '<a href="{}">{}</a>', map(add_link, [p for _, p in ranked]))
        messages.warning(
            request,
            format_html(
                "No provider is called “{}”; add one of those that mention it: {}.", typed, links
            ),
        )
        return None
    near = _providers_matching(request, suggestion)[0] if suggestion else []
    near = [(r, p) for r, p in near if p.slug not in chosen]
    if near:
        links = format_html_join(" or ", '<a href="{}">{}</a>', map(add_link, [p for _, p in near]))
        messages.warning(
            request, format_html("No provider matches “{}”. Did you mean {}?", typed, links)
        )
    else:
        messages.warning(
            request,
            f"No provider matches “{typed}”. Check the spelling, or pick one from the list.",
        )
    return None


@require_safe
def compare_start(request):
    """/compare/?p=a&p=b (and ?add=name) redirects to the canonical comparison page."""
    slugs = [slug for slug in request.GET.getlist("p") if SLUG.fullmatch(slug)]
    added = text_param(request, "add")
    if added and (provider := _provider_meant(request, added, slugs)):
        slugs.append(provider.slug)
    slugs = selectors.canonical_compare_slugs(slugs)
    if 2 <= len(slugs) <= selectors.MAX_COMPARE:
        return redirect(_compare_url(slugs))
    if len(slugs) > selectors.MAX_COMPARE:
        messages.warning(request, f"Compare at most {selectors.MAX_COMPARE} providers at a time.")
    elif slugs or "p" in request.GET:
        messages.info(request, "Choose at least two providers to compare.")
    return render(
        request,
        "directory/compare_start.html",
        {"chosen": slugs, "suggestions": selectors.compare_suggestions()},
    )


@require_safe
@cached_page
def compare(request, slugs):
    requested = slugs.split("-vs-")
    if not all(SLUG.fullmatch(slug) for slug in requested):
        raise Http404("That is not a comparison address.")
    reference = _reference(request)
    providers = selectors.providers_for_compare(slugs=requested, reference=reference)
    found = [p.slug for p in providers]
    unknown = [slug for slug in requested if slug not in found]
    if unknown:
        messages.warning(request, "Not found, so left out: " + ", ".join(unknown) + ".")
    if len(found) < 2 or len(found) > selectors.MAX_COMPARE:
        return redirect(
            reverse("directory:compare_start") + "?" + "&".join(f"p={s}" for s in found)
        )
    if requested != selectors.canonical_compare_slugs(found):
        return redirect(_compare_url(found), permanent=not unknown)
    service_rows, missing_lines = selectors.compare_grid(providers=providers, reference=reference)
    return render(
        request,
        "directory/compare.html",
        {
            "providers": providers,
            "service_rows": service_rows,
            "missing_lines": missing_lines,
            "can_add": len(providers) < selectors.MAX_COMPARE,
            "without": {
                p.slug: _compare_url([s for s in found if s != p.slug]) if len(found) > 2 else None
                for p in providers
            },
            "suggestions": selectors.compare_suggestions(excluding=found),
        },
    )


@require_safe
@cached_page
@list_download(ServiceLine)
def service_list(request):
    if fmt := export_format(request):
        lines = selectors.service_lines_for_export()
        return export_response(fmt, kind_for(ServiceLine), lines, "services")
    index = provider_index(request_version(request))
    counts = index.counts_of("service", index.providers)
    return render(
        request,
        "directory/service_list.html",
        {"categories": selectors.services_overview(counts=counts)},
    )


@require_safe
@cached_page
def service_detail(request, slug, city_slug=None):
    try:
        line = selectors.service_line_detail(slug=slug)
    except ServiceLine.DoesNotExist:
        raise Http404("No service line with that address.") from None
    city = get_object_or_404(City, slug=city_slug) if city_slug else None
    if city is None and (city_param := text_param(request, "city")):
        if selectors.city_slug_exists(slug=city_param):
            return redirect("directory:service_city", slug=line.slug, city_slug=city_param)
        messages.warning(request, f"Ignored city=“{city_param}”: no such city.")
    index = provider_index(request_version(request))
    offering_line = index.bitmap("service", [line.slug])
    offering = offering_line & index.bitmap("city", [city.slug]) if city else offering_line
    # Each city with the providers of the line named there: a city without one is not a link,
    # as it could only lead to an empty page.
    cities = selectors.cities_with_counts(counts=index.counts_of("city", offering_line))
    return render(
        request,
        "directory/service_detail.html",
        {
            "line": line,
            "city": city,
            "line_count": len(offering_line),
            "page": paginate(
                request,
                selectors.OfferingRows(line, index.in_order(offering, "name"), _reference(request)),
                count=len(offering),
            ),
            "related": selectors.related_service_lines(
                line=line, counts=index.counts_of("service", index.providers)
            ),
            "cities": cities,
            "cities_named": any(c.provider_count for c in cities),
        },
    )


@require_safe
@cached_page
@list_download(City)
def city_list(request):
    if fmt := export_format(request):
        return export_response(fmt, kind_for(City), selectors.cities_for_export(), "cities")
    index = provider_index(request_version(request))
    cities = selectors.cities_overview(counts=index.counts_of("city", index.providers))
    return render(
        request,
        "directory/city_list.html",
        {"cities": cities, "map": selectors.city_map(cities)},
    )


@require_safe
@cached_page
def city_detail(request, slug):
    try:
        city = selectors.city_detail(slug=slug)
    except City.DoesNotExist:
        raise Http404("No city with that address.") from None
    index = provider_index(request_version(request))
    in_city = index.bitmap("city", [city.slug])
    return render(
        request,
        "directory/city_detail.html",
        {
            "city": city,
            "page": paginate(
                request,
                selectors.RowsByIds(index.in_order(in_city, "name"), index, _reference(request)),
                count=len(in_city),
            ),
            "map": selectors.city_map([city]),
            "lines": selectors.service_lines_offered(counts=index.counts_of("service", in_city)),
        },
    )


@require_safe
@cached_page
@list_download(Organisation)
def organisation_list(request):
    if fmt := export_format(request):
        return export_response(
            fmt, kind_for(Organisation), selectors.organisations(), "organisations"
        )
    return render(
        request, "sector/organisation_list.html", {"organisations": selectors.organisations()}
    )


@require_safe
@cached_page
def organisation_detail(request, slug):
    try:
        page = selectors.organisation_page(slug=slug)
    except Organisation.DoesNotExist:
        raise Http404("No organisation with that address.") from None
    page.update(additions("organisation_detail", organisation=page["organisation"]))
    return render(request, "sector/organisation_detail.html", page)


@require_safe
@cached_page
@list_download(Market)
def market_list(request):
    if fmt := export_format(request):
        return export_response(fmt, kind_for(Market), selectors.markets(), "markets")
    return render(
        request,
        "background/market_list.html",
        {"groups": selectors.markets_by_role(), **additions("market_list")},
    )


@require_safe
@cached_page
@list_download(Industry)
def industry_list(request):
    if fmt := export_format(request):
        return export_response(fmt, kind_for(Industry), selectors.industries(), "industries")
    return render(request, "background/industry_list.html", {"industries": selectors.industries()})


@require_safe
@cached_page
def industry_detail(request, slug):
    try:
        page = selectors.industry_detail(slug=slug)
    except Industry.DoesNotExist:
        raise Http404("No industry with that address.") from None
    return render(request, "background/industry_detail.html", {"page": page})
