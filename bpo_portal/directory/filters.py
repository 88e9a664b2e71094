import django_filters
from django import forms
from django.db.models import F, Q

from bpo_portal.directory.models import City, Provider, ServiceCategory, ServiceLine

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


class SlugMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Repeatable ?key=slug&key=slug matching any of the values."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("distinct", True)
        super().__init__(*args, **kwargs)

    def get_filter_predicate(self, value):
        # The URL names rows by slug; the query compares keys, with no join to the named table.
        return {self.field_name: value.pk}


class ProviderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_text", max_length=200)
    service = SlugMultipleChoiceFilter(
        label="Service line",
        field_name="service_links__service_line",
        queryset=ServiceLine.objects.all(),
    )
    category = django_filters.ModelChoiceFilter(
        label="Service category",
        field_name="service_links__service_line__category",
        to_field_name="slug",
        queryset=ServiceCategory.objects.all(),
        distinct=True,
    )
    city = SlugMultipleChoiceFilter(
        label="City", field_name="city_links__city", queryset=City.objects.all()
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
        value = value.strip()
        if not value:
            return queryset
        matches = Provider.objects.filter(
            Q(name__icontains=value)
            | Q(aliases__name__icontains=value)
            | Q(description__icontains=value)
        ).values("pk")
        return queryset.filter(pk__in=matches)

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORT_FIELDS[value])
