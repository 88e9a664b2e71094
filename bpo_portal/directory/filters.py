import django_filters
from django import forms
from django.db.models import Count, Exists, F, OuterRef

from bpo_portal.core.filtering import Facet, FacetedFilterSet
from bpo_portal.directory.models import (
    MAX_YEAR,
    MIN_YEAR,
    City,
    Provider,
    ProviderCity,
    ProviderService,
    ServiceCategory,
    ServiceLine,
)

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
    "founded": [F("founded_year").asc(nulls_last=True), "name"],
    "-founded": [F("founded_year").desc(nulls_last=True), "name"],
}


def linked(link_model, **lookups):
    """Providers with a row in `link_model` matching `lookups`, as a correlated EXISTS.

    The (provider, other) unique index answers each check, so a page sorted by name walks the
    name index and stops after one page, and no DISTINCT is needed over the directory.
    """
    return Exists(link_model.objects.filter(provider=OuterRef("pk"), **lookups))


def provider_ids(result):
    return result.order_by().values("pk")


class LinkedFilter(Facet, django_filters.ModelMultipleChoiceFilter):
    """?key=slug&key=slug: providers linked to any of the named rows through a link table."""

    multiple = True

    def __init__(self, *args, link_model, link_field, template, proper_names=False, **kwargs):
        self.link_model = link_model
        self.link_field = link_field
        self.template = template
        self.proper_names = proper_names
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        pks = [v.pk for v in value]
        return queryset.filter(linked(self.link_model, **{f"{self.link_field}__in": pks}))

    def count(self, result, unfiltered):
        """Providers per value: a provider has one link to a value at most, so rows count."""
        links = self.link_model.objects.all()
        if not unfiltered:
            links = links.filter(provider__in=provider_ids(result))
        return dict(links.values_list(f"{self.link_field}__slug").annotate(n=Count("pk")))


class CategoryFilter(Facet, django_filters.ModelChoiceFilter):
    template = "in {}"

    def filter(self, queryset, value):
        if not value:
            return queryset
        lines = ServiceLine.objects.filter(category=value).values("pk")
        return queryset.filter(linked(ProviderService, service_line__in=lines))

    def count(self, result, unfiltered):
        """A category is reached through several lines of a provider: count providers."""
        links = ProviderService.objects.all()
        if not unfiltered:
            links = links.filter(provider__in=provider_ids(result))
        return dict(
            links.values_list("service_line__category__slug").annotate(
                n=Count("provider", distinct=True)
            )
        )


class KindFilter(Facet, django_filters.ChoiceFilter):
    template = "of kind “{}”"

    def count(self, result, unfiltered):
        return dict(result.order_by().values_list("kind").annotate(n=Count("pk")))


class FoundedFilter(django_filters.NumberFilter):
    """One end of the founding-year range; the pair is said in words together."""

    def __init__(self, *args, other, **kwargs):
        self.other = other
        kwargs["widget"] = forms.NumberInput(attrs={"min": MIN_YEAR, "max": MAX_YEAR})
        super().__init__(*args, field_name="founded_year", **kwargs)

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
        template="in {}",
        proper_names=True,
    )
    kind = KindFilter(label="Kind", choices=Provider.Kind.choices)
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

    def facet_counts(self):
        """{facet name: {value: providers}} within the current result: one query per facet."""
        result = self.qs
        unfiltered = not result.query.where
        return {name: f.count(result, unfiltered) for name, f in self.facet_filters().items()}
