"""What search engines are invited to crawl: the sitemap and robots.txt.

`/sitemap.xml` is an index of one sitemap per section (`/sitemap-<section>.xml`, split into pages
of 50,000 addresses with `?p=2` and so on should a section ever grow that large):

- `pages`: the home page, every section in the menus and footer, and recent changes (search
  results are left out);
- one section per kind of record whose rows each have a page of their own (providers, service
  lines, cities, incentives, industries, organisations, sources), found from the kinds' own
  addresses, so a kind that gains pages joins the sitemap by itself; records shown only as an
  entry on a list page (terms, figures, events…) are covered by that list page;
- `service-city`: each service line in each city where at least one provider of the knowledge
  base offers it (`/services/<service>/<city>/`); combinations with no provider would be empty
  pages, so they are left out.

Generated demo providers, and the generated demo source they cite, are never listed. Each record's
`lastmod` is when it was last changed; a service-in-city page's is the latest change to the
service line, the city, or a provider and its links there.
"""

from functools import cache, wraps
from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, Resolver404, get_script_prefix, resolve, reverse
from django.views.decorators.http import require_safe

from bpo_portal.core.caching import cached_page
from bpo_portal.core.kinds import kinds
from bpo_portal.core.links import url_for
from bpo_portal.directory.demo import DEMO_SOURCE
from bpo_portal.directory.models import Provider, ProviderService
from bpo_portal.portal.navigation import MAIN, MORE
from bpo_portal.sources.models import Source

# Each once, though a section may be in a menu and named here too.
LIST_PAGES = list(dict.fromkeys(["home", *(name for name, _ in MAIN + MORE), "changes"]))
PROBE = "sitemap-probe"


def has_own_page(model):
    """Whether each row of `model` has a page of its own: an address of its own (no `#anchor`
    on a list page, no `?filter`) that names the row by its slug (not its parent's page)."""
    try:
        model._meta.get_field("slug")
    except FieldDoesNotExist:
        return False
    if not hasattr(model, "get_absolute_url"):
        return False
    try:
        address = model(slug=PROBE).get_absolute_url()
    except (ObjectDoesNotExist, AttributeError, ValueError, NoReverseMatch):
        return False  # its address is another row's
    parts = urlsplit(address)
    if parts.query or parts.fragment:
        return False
    path = "/" + parts.path.removeprefix(get_script_prefix())
    try:
        return resolve(path).kwargs == {"slug": PROBE}
    except Resolver404:
        return False


@cache
def kinds_with_pages():
    return [kind for kind in kinds() if has_own_page(kind.model)]


def public_rows(model):
    """The rows of a model that are knowledge, leaving out generated demo data."""
    rows = model._default_manager.all()
    if any(field.name == "is_demo" for field in model._meta.get_fields()):
        rows = rows.filter(is_demo=False)
    if model is Source:
        rows = rows.exclude(slug=DEMO_SOURCE["slug"])
    return rows


class ListPages(Sitemap):
    """The site's sections: the home page, every page in the menus, and recent changes."""

    def items(self):
        return LIST_PAGES

    def location(self, item):
        return url_for(item)


class KindPages(Sitemap):
    """The page of every row of one kind."""

    def __init__(self, model):
        self.model = model

    def items(self):
        # In the model's own order (which its indexes serve), then by key, so pages are stable.
        order = [*self.model._meta.ordering, "pk"]
        return public_rows(self.model).only("pk", "slug", "modified").order_by(*order)

    def lastmod(self, item):
        return item.modified


class ServiceCityPages(Sitemap):
    """Each service line in each city where a provider of the knowledge base offers it."""

    def __init__(self):
        self._found = None

    def items(self):
        if self._found is None:
            latest = {}
            # Starting from the few providers of the knowledge base, not from every link.
            real = Provider.objects.real().values("pk")
            rows = ProviderService.objects.filter(
                provider__in=real, provider__city_links__isnull=False
            ).values_list(
                "service_line__slug",
                "provider__city_links__city__slug",
                "modified",
                "service_line__modified",
                "provider__modified",
                "provider__city_links__modified",
                "provider__city_links__city__modified",
            )
            for line, city, *changed in rows:
                latest[line, city] = max([latest.get((line, city)), *changed], key=_sortable)
            self._found = sorted(latest.items())
        return self._found

    def location(self, item):
        (line, city), _ = item
        return reverse("directory:service_city", kwargs={"slug": line, "city_slug": city})

    def lastmod(self, item):
        return item[1]


def _sortable(moment):
    """None sorts before any time."""
    return (moment is not None, moment)


def sections():
    """The sitemap's sections, made afresh for each request (their rows change)."""
    found = {"pages": ListPages()}
    found.update((kind.prefix, KindPages(kind.model)) for kind in kinds_with_pages())
    found["service-city"] = ServiceCityPages()
    return found


def rendered(response):
    """The finished response, so that it can be stored in the page cache."""
    if hasattr(response, "render"):
        response.render()
    return response


def not_a_page_to_index(view):
    """The sitemap files themselves are for crawlers, not search results (also when cached)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"
        return response

    return wrapper


@not_a_page_to_index
@require_safe
@cached_page
def sitemap_index(request):
    return rendered(sitemap_views.index(request, sections(), sitemap_url_name="sitemap_section"))


@not_a_page_to_index
@require_safe
@cached_page
def sitemap_section(request, section):
    return rendered(sitemap_views.sitemap(request, sections(), section=section))


@require_safe
def robots_txt(request):
    """Crawl everything but the admin and search results; the sitemap is at this address."""
    text = render_to_string(
        "robots.txt", {"sitemap_url": request.build_absolute_uri(reverse("sitemap"))}
    )
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
