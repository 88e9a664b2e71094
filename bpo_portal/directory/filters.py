import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef
from pyroaring import BitMap

from bpo_portal.core import search
from bpo_portal.core.caching import request_version
from bpo_portal.core.filtering import Facet, FacetedFilterSet, ModelMultipleChoiceFilter
from bpo_portal.core.kinds import kind_for
from bpo_portal.directory.models import (
    MAX_YEAR,
    MIN_YEAR,
    City,
    Industry,
    IndustryServiceLine,
    Provider,
    ProviderCity,
    ProviderIndustry,
    ProviderService,
    ServiceCategory,
    ServiceLine,
)
from bpo_portal.directory.selectors import reference_rows

# Up to this many matching providers (and fewer than half of all), a page is sorted in the worker
# by the index's ranks: a partial sort, about 30 ms for 60,000 ids. Beyond that the database
# walks its sort index, which stops after a page when most rows match; with a founded range,
# SQLite sorts every row in the range instead (1.3 s at 1,000,000 providers).
SELECTIVE = 200_000
SORT_CHOICES = [
    ("name", "Name (A–Z)"),
    ("-name", "Name (Z–A)"),
    ("founded", "Founded (oldest first)"),
    ("-founded", "Founded (newest first)"),
]
SORT_FIELDS = {
    "name": ["name", "id"],
    "-name": ["-name", "-id"],
    # Providers whose founding year the sources do not state come last either way, on every
    # database (PostgreSQL would put them first in descending order).
    "founded": [F("founded_year").asc(nulls_last=True), "name", "id"],
    "-founded": [F("founded_year").desc(nulls_last=True), "name", "id"],
}


def linked(link_model, **lookups):
    """Providers with a row in `link_model` matching `lookups`, as a correlated EXISTS.

    The (provider, other) unique index answers each check, so a page sorted by name walks the
    name index and stops after one page, and no DISTINCT is needed over the directory.
    """
    return Exists(link_model.objects.filter(provider=OuterRef("pk"), **lookups))


def by_slug(model):
    """request -> {slug: row} of `model` among the reference rows of the request's version."""

    def rows(request):
        return {row.slug: row for row in reference_rows(request_version(request))[model].values()}

    return rows


class LinkedFilter(Facet, ModelMultipleChoiceFilter):
    """?key=slug&key=slug: providers linked to any of the named rows through a link table."""

    multiple = True

    def __init__(
        self, *args, link_model, link_field, dimension, template, proper_names=False, **kwargs
    ):
        self.link_model = link_model
        self.link_field = link_field
        self.dimension = dimension  # "lines" or "cities" of the facet index
        self.template = template
        self.proper_names = proper_names
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("known_rows", by_slug(kwargs["queryset"].model))
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        pks = [v.pk for v in value]
        return queryset.filter(linked(self.link_model, **{f"{self.link_field}__in": pks}))

    def bitmap(self, index, slugs):
        return getattr(index, self.dimension)(slugs)

    def counts(self, index, matching):
        return index.counts_of(self.dimension, matching)

    def index_choices(self, index):
        return index.choices(self.dimension)


class CategoryFilter(Facet, django_filters.ModelChoiceFilter):
    template = "in {}"

    def filter(self, queryset, value):
        if not value:
            return queryset
        lines = ServiceLine.objects.filter(category=value).values("pk")
        return queryset.filter(linked(ProviderService, service_line__in=lines))

    def bitmap(self, index, slugs):
        return index.category(slugs[0])

    def counts(self, index, matching):
        return index.counts_of("categories", matching)

    def index_choices(self, index):
        return index.choices("categories")


class IndustryFilter(Facet, ModelMultipleChoiceFilter):
    """Providers a source names for the industry, or offering a service line tied to it."""

    multiple = True
    # Through service lines the count is our inference: no source says these providers serve it.
    template = "serving {} by our inference from their service lines"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("known_rows", by_slug(Industry))
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        lines = IndustryServiceLine.objects.filter(industry__in=value).values("service_line")
        return queryset.filter(
            linked(ProviderIndustry, industry__in=value)
            | linked(ProviderService, service_line__in=lines)
        )

    def bitmap(self, index, slugs):
        return index.industries(slugs)

    def counts(self, index, matching):
        return index.counts_of("industries", matching)

    def index_choices(self, index):
        return index.choices("industries")


class KindFilter(Facet, django_filters.ChoiceFilter):
    template = "of kind “{}”"

    def bitmap(self, index, kinds):
        return index.kind(kinds[0])

    def counts(self, index, matching):
        return index.kind_counts(matching)

    def index_choices(self, index):
        return self.facet_choices()


class FoundedFilter(django_filters.NumberFilter):
    """One end of the founding-year range; the pair is said in words together."""

    def __init__(self, *args, other, **kwargs):
        self.other = other
        kwargs["widget"] = forms.NumberInput(attrs={"min": MIN_YEAR, "max": MAX_YEAR})
        super().__init__(*args, field_name="founded_year", **kwargs)

    def bitmap(self, index, value):
        year = int(value)
        return index.founded(low=year) if self.lookup_expr == "gte" else index.founded(high=year)

    def phrase(self, value, data):
        other = data.get(self.other)
        if value is None:
            return None
        if self.lookup_expr == "gte":
            return (
                f"founded {int(value)}–{int(other)}"
                if other is not None
                else (f"founded in or after {int(value)}")
            )
        return None if other is not None else f"founded in or before {int(value)}"


class TextFilter(django_filters.CharFilter):
    def bitmap(self, index, value):
        """The providers whose search documents match, straight from the search index (the
        matching set is intersected with the index's providers, so no id outlives its row)."""
        if not value.strip():
            return index.providers
        return BitMap(search.matching_ids(value, kind=kind_for(Provider), version=index.version))

    def phrase(self, value, data):
        value = (value or "").strip()
        return f"matching “{value}”" if value else None


class ProviderFilter(FacetedFilterSet):
    noun = ("provider", "providers")

    q = TextFilter(label="Search", method="filter_text", max_length=200)
    service = LinkedFilter(
        label="Service line",
        queryset=ServiceLine.objects.all(),
        link_model=ProviderService,
        link_field="service_line",
        dimension="lines",
        template="offering {}",
    )
    category = CategoryFilter(
        label="Service category", to_field_name="slug", queryset=ServiceCategory.objects.all()
    )
    city = LinkedFilter(
        label="City",
        queryset=City.objects.all(),
        link_model=ProviderCity,
        link_field="city",
        dimension="cities",
        template="in {}",
        proper_names=True,
    )
    industry = IndustryFilter(
        label="Industry served (our inference)", queryset=Industry.objects.all()
    )
    kind = KindFilter(label="Kind (our reading for some)", choices=Provider.Kind.choices)
    founded_min = FoundedFilter(label="Founded from", lookup_expr="gte", other="founded_max")
    founded_max = FoundedFilter(label="Founded until", lookup_expr="lte", other="founded_min")
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        choices=SORT_CHOICES,
        method="filter_sort",
        empty_label=None,
        widget=forms.Select(attrs={"class": "auto-submit"}),
    )

    class Meta:
        model = Provider
        fields = []

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORT_FIELDS[value])

    def matching(self, index):
        """The providers the filters select, as a bitmap of the facet index."""
        result = index.providers
        for name, f in self.filters.items():
            if not hasattr(f, "bitmap"):
                continue
            # Facets by their (validated) slugs, which the index knows; the rest as cleaned.
            value = (
                self.selected(name) if isinstance(f, Facet) else self.form.cleaned_data.get(name)
            )
            if value not in (None, "", []):
                result = result & f.bitmap(index, value)
        return result

    def ordered_ids(self, index, matching):
        """The ids of the matching providers in the chosen order, to slice a page from.

        A selective filter is sorted by the index's ranks; a broad one keeps the SQL filters,
        so that walking the database's sort index stops after a page.
        """
        sort = self.form.cleaned_data.get("sort") or "name"
        if len(matching) <= SELECTIVE and 2 * len(matching) < len(index.providers):
            return index.in_order(matching, sort)
        return self.qs.order_by(*SORT_FIELDS[sort]).values_list("pk", flat=True)

    def index_facets(self, index, matching, query):
        """Facet lists with counts within `matching`, values and counts from the index, linked
        from the page's query string `query`."""
        filters = self.facet_filters()
        return self.facets(
            {name: f.counts(index, matching) for name, f in filters.items()},
            {name: f.index_choices(index) for name, f in filters.items()},
            query,
        )
