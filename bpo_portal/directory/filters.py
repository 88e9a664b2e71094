import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef

from bpo_portal.directory.models import (
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


class LinkedFilter(django_filters.ModelMultipleChoiceFilter):
    """?key=slug&key=slug: providers linked to any of the named rows through a link table."""

    def __init__(self, *args, link_model, link_field, **kwargs):
        self.link_model = link_model
        self.link_field = link_field
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        pks = [v.pk for v in value]
        return queryset.filter(linked(self.link_model, **{f"{self.link_field}__in": pks}))


class ProviderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_text", max_length=200)
    service = LinkedFilter(
        label="Service line",
        queryset=ServiceLine.objects.all(),
        link_model=ProviderService,
        link_field="service_line",
    )
    category = django_filters.ModelChoiceFilter(
        label="Service category",
        to_field_name="slug",
        queryset=ServiceCategory.objects.all(),
        method="filter_category",
    )
    city = LinkedFilter(
        label="City", queryset=City.objects.all(), link_model=ProviderCity, link_field="city"
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=Provider.Kind.choices)
    founded_min = django_filters.NumberFilter(
        label="Founded from",
        field_name="founded_year",
        lookup_expr="gte",
        widget=forms.NumberInput(attrs={"min": 1800, "max": 2100}),
    )
    founded_max = django_filters.NumberFilter(
        label="Founded until",
        field_name="founded_year",
        lookup_expr="lte",
        widget=forms.NumberInput(attrs={"min": 1800, "max": 2100}),
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by", choices=SORT_CHOICES, method="filter_sort", empty_label=None
    )

    class Meta:
        model = Provider
        fields = []

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_category(self, queryset, name, value):
        lines = ServiceLine.objects.filter(category=value).values("pk")
        return queryset.filter(linked(ProviderService, service_line__in=lines))

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORT_FIELDS[value])
