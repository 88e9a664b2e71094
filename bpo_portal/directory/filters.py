import functools
import operator

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef
from pyroaring import BitMap

from bpo_portal.core import search
from bpo_portal.core.caching import request_version
from bpo_portal.core.filtering import Facet, FacetedFilterSet, ModelMultipleChoiceFilter
from bpo_portal.core.kinds import kind_for
from bpo_portal.directory.facets import DIMENSIONS
from bpo_portal.directory.models import MAX_YEAR, MIN_YEAR, Provider, ProviderService
from bpo_portal.directory.selectors import reference_rows

# Up to this many matching providers (and fewer than half of all), a page is sorted in the worker
# by the index's ranks (a partial sort). Beyond that the database walks its sort index, which
# stops after a page when most rows match; below it, with a founded range, SQLite would sort
# every row in the range instead (docs/benchmarks.md, Notes).
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
    """request -> {slug: row} of `model` among the reference rows of the request's version (read
    from the database if they do not hold it)."""

    def rows(request):
        reference = reference_rows(request_version(request))
        rows = reference[model] if model in reference else model.objects.in_bulk()
        return {row.slug: row for row in rows.values()}

    return rows


class DimensionFilter(Facet):
    """A facet filter made from a `Dimension`: counted and chosen in the facet index, and
    filtered in SQL where the database walks the list (see `ordered_ids`)."""

    def __init__(self, *args, dimension, **kwargs):
        self.dimension = dimension
        self.multiple = dimension.multiple
        self.template = dimension.template
        self.proper_names = dimension.proper_names
        super().__init__(*args, label=dimension.label, **kwargs)

    def bitmap(self, index, slugs):
        return index.bitmap(self.dimension.name, slugs)

    def counts(self, index, matching):
        return index.counts_of(self.dimension.name, matching)

    def index_choices(self, index):
        return index.choices(self.dimension.name)


class RowsFilter(DimensionFilter):
    """Providers linked to any of the chosen rows, or offering one of their service lines."""

    def filter(self, queryset, value):
        if not value:
            return queryset
        d, pks = self.dimension, [row.pk for row in (value if self.multiple else [value])]
        conditions = []
        if d.link:
            conditions.append(linked(d.link, **{f"{d.link_fields()[1].name}__in": pks}))
        if d.lines:
            model, field, line = d.lines
            lines = model.objects.filter(**{f"{field}__in": pks}).values(line)
            conditions.append(linked(ProviderService, service_line__in=lines))
        return queryset.filter(functools.reduce(operator.or_, conditions))


class ManyRowsFilter(RowsFilter, ModelMultipleChoiceFilter):
    pass


class OneRowFilter(RowsFilter, django_filters.ModelChoiceFilter):
    pass


class ColumnFilter(DimensionFilter, django_filters.ChoiceFilter):
    pass


def dimension_filter(dimension):
    if dimension.column:
        choices = Provider._meta.get_field(dimension.column).choices
        return ColumnFilter(dimension=dimension, field_name=dimension.column, choices=choices)
    if not dimension.multiple:
        return OneRowFilter(
            dimension=dimension, to_field_name="slug", queryset=dimension.values.objects.all()
        )
    return ManyRowsFilter(
        dimension=dimension,
        to_field_name="slug",
        queryset=dimension.values.objects.all(),
        known_rows=by_slug(dimension.values),
    )


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


class DirectoryFilterSet(FacetedFilterSet):
    """The directory's filters: made by `provider_filter` from the facet dimensions."""

    noun = ("provider", "providers")

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


def provider_filter(dimensions):
    """The directory's FilterSet: text, one facet filter per dimension, founding years, sort."""
    filters = {
        "q": TextFilter(label="Search", method="filter_text", max_length=200),
        **{d.name: dimension_filter(d) for d in dimensions},
        "founded_min": FoundedFilter(label="Founded from", lookup_expr="gte", other="founded_max"),
        "founded_max": FoundedFilter(label="Founded until", lookup_expr="lte", other="founded_min"),
        "sort": django_filters.ChoiceFilter(
            label="Sort by",
            choices=SORT_CHOICES,
            method="filter_sort",
            empty_label=None,
            widget=forms.Select(attrs={"class": "auto-submit"}),
        ),
    }
    return type(DirectoryFilterSet)("ProviderFilter", (DirectoryFilterSet,), filters)


ProviderFilter = provider_filter(DIMENSIONS)
