import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from bpo_portal.core.caching import cached
from bpo_portal.core.exports import export_format, export_response, stream_rows
from bpo_portal.core.filtering import filter_request, text_param
from bpo_portal.directory import selectors
from bpo_portal.directory.filters import SORT_CHOICES, ProviderFilter
from bpo_portal.directory.models import City, Provider, ServiceLine

PAGE_SIZE = 20
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,220}")


class KnownCountPaginator(Paginator):
    """A paginator told its row count (from the cache) instead of counting again."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self.count = count


def paginate(request, queryset, per_page=PAGE_SIZE, count=None):
    number = request.GET.get("page", "1")
    if count is None:
        paginator = Paginator(queryset, per_page)
    else:
        paginator = KnownCountPaginator(queryset, per_page, count)
    page = paginator.get_page(number)
    if str(page.number) != number.strip() and "page" in request.GET:
        messages.info(request, f"There is no page “{number}”; showing page {page.number}.")
    return page


def filter_key(data):
    """The filters of a query string, in a fixed order; page, sort and format do not matter."""
    ignored = {"page", "sort", "format"}
    return sorted((k, tuple(sorted(data.getlist(k)))) for k in data if k not in ignored)


@require_safe
def provider_list(request):
    filterset, data = filter_request(request, ProviderFilter, Provider.objects.all())
    result = filterset.qs
    if fmt := export_format(request):
        rows = selectors.export_rows(result)
        return stream_rows(fmt, rows, selectors.EXPORT_HEADERS, "providers")
    key = filter_key(data)
    count = cached(request, "directory-count", key, result.count)
    counts, labels = cached(
        request, "directory-facets", key, lambda: selectors.provider_facets(result, data)
    )
    page = paginate(request, selectors.directory_rows(result), count=count)
    return render(
        request,
        "directory/provider_list.html",
        {
            "filterset": filterset,
            "page": page,
            "description": selectors.describe_result(page.paginator.count, filterset),
            "facets": selectors.facets_for(counts, labels, data),
            "sort_choices": SORT_CHOICES,
            "current_sort": data.get("sort", "name"),
        },
    )


@require_safe
def provider_detail(request, slug):
    # The page body is cached; its data is loaded only when the cache has to render it again.
    provider = get_object_or_404(Provider.objects.only("name", "slug", "description"), slug=slug)

    def similar(loaded):
        return cached(request, "similar", loaded.pk, lambda: selectors.similar_providers(loaded))

    profile = SimpleLazyObject(lambda: selectors.provider_profile(slug, similar))
    return render(
        request, "directory/provider_detail.html", {"provider": provider, "profile": profile}
    )


def _compare_url(slugs):
    slugs = selectors.canonical_compare_slugs(slugs)
    return reverse("directory:compare", kwargs={"slugs": "-vs-".join(slugs)})


def _find_provider(text):
    text = text.strip()
    return Provider.objects.filter(Q(slug=text) | Q(name__iexact=text)).first()


@require_safe
def compare_start(request):
    """/compare/?p=a&p=b (and ?add=name) redirects to the canonical comparison page."""
    slugs = [slug for slug in request.GET.getlist("p") if SLUG.fullmatch(slug)]
    if added := text_param(request, "add"):
        provider = _find_provider(added)
        if provider is None:
            messages.warning(request, f"No provider called “{added}” was found.")
        else:
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
        {
            "chosen": Provider.objects.filter(slug__in=slugs),
            "suggestions": Provider.objects.real().order_by("name")[:50],
        },
    )


@require_safe
def compare(request, slugs):
    requested = slugs.split("-vs-")
    if not all(SLUG.fullmatch(slug) for slug in requested):
        raise Http404("That is not a comparison address.")
    providers = selectors.providers_for_compare(requested)
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
    service_rows, missing_lines = selectors.compare_grid(providers)
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
            "suggestions": Provider.objects.real().exclude(slug__in=found).order_by("name")[:50],
        },
    )


SERVICE_COLUMNS = [
    ("category", lambda line: line.category.name),
    ("name", lambda line: line.name),
    ("slug", lambda line: line.slug),
    ("emerging", lambda line: line.is_emerging),
    ("provider_count", lambda line: line.provider_count),
    ("url", lambda line: line.get_absolute_url()),
]


@require_safe
def service_list(request):
    if fmt := export_format(request):
        lines = ServiceLine.objects.with_provider_counts().select_related("category")
        return export_response(
            fmt, lines.order_by("category__position", "name"), SERVICE_COLUMNS, "services"
        )
    return render(
        request, "directory/service_list.html", {"categories": selectors.services_overview()}
    )


@require_safe
def service_detail(request, slug, city_slug=None):
    try:
        line = selectors.service_line_detail(slug)
    except ServiceLine.DoesNotExist:
        raise Http404("No service line with that address.") from None
    city = get_object_or_404(City, slug=city_slug) if city_slug else None
    if city is None and (city_param := text_param(request, "city")):
        if City.objects.filter(slug=city_param).exists():
            return redirect("directory:service_city", slug=line.slug, city_slug=city_param)
        messages.warning(request, f"Ignored city=“{city_param}”: no such city.")
    providers = selectors.providers_offering(line, city)
    return render(
        request,
        "directory/service_detail.html",
        {
            "line": line,
            "city": city,
            "page": paginate(request, providers.order_by("name")),
            "related": selectors.related_service_lines(line),
            "cities": City.objects.all(),
        },
    )


CITY_COLUMNS = [
    ("name", lambda c: c.name),
    ("slug", lambda c: c.slug),
    ("province", lambda c: c.province),
    ("latitude", lambda c: c.latitude),
    ("longitude", lambda c: c.longitude),
    ("provider_count", lambda c: c.provider_count),
    ("url", lambda c: c.get_absolute_url()),
]


@require_safe
def city_list(request):
    cities = selectors.cities_overview()
    if fmt := export_format(request):
        return export_response(fmt, cities, CITY_COLUMNS, "cities")
    cities = list(cities)
    return render(request, "directory/city_list.html", {"cities": cities, "map": city_map(cities)})


@require_safe
def city_detail(request, slug):
    try:
        city = selectors.city_detail(slug)
    except City.DoesNotExist:
        raise Http404("No city with that address.") from None
    providers = selectors.directory_rows(city.providers.distinct().order_by("name"))
    return render(
        request,
        "directory/city_detail.html",
        {
            "city": city,
            "page": paginate(request, providers),
            "map": city_map([city]),
            "lines": ServiceLine.objects.filter(provider_links__provider__city_links__city=city)
            .distinct()
            .order_by("name"),
        },
    )


# The frame of the server-drawn map: Pakistan's extent in degrees, with a margin.
MAP_BOUNDS = {"west": 60.5, "east": 77.5, "south": 23.5, "north": 37.5}
MAP_WIDTH, MAP_HEIGHT = 340, 280


def city_map(cities):
    """Positions for an equirectangular SVG map of the given cities."""
    b = MAP_BOUNDS
    x_scale = MAP_WIDTH / (b["east"] - b["west"])
    y_scale = MAP_HEIGHT / (b["north"] - b["south"])
    points = [
        {
            "city": city,
            "x": round((float(city.longitude) - b["west"]) * x_scale, 1),
            "y": round((b["north"] - float(city.latitude)) * y_scale, 1),
        }
        for city in cities
    ]
    meridians = [round((lon - b["west"]) * x_scale, 1) for lon in range(62, 78, 2)]
    parallels = [round((b["north"] - lat) * y_scale, 1) for lat in range(24, 38, 2)]
    return {
        "width": MAP_WIDTH,
        "height": MAP_HEIGHT,
        "points": points,
        "meridians": meridians,
        "parallels": parallels,
    }
