import django_filters
from django import forms
from django.db.models import Q

from bpo_portal.core.caching import per_version, request_version
from bpo_portal.core.filtering import ModelChoiceFilter
from bpo_portal.directory.models import Organisation
from bpo_portal.sector.models import Incentive, Metric, Statistic


def choice_filter(label, queryset, empty_label):
    """A select of the rows of `queryset`, by slug, read once per data version; `empty_label`
    names the choice of none."""

    @per_version
    def rows():
        return {row.slug: row for row in queryset.all()}

    return ModelChoiceFilter(
        label=label,
        empty_label=empty_label,
        to_field_name="slug",
        queryset=queryset,
        known_rows=lambda request: rows(request_version(request)),
    )


class IncentiveFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_text", max_length=200)
    kind = django_filters.ChoiceFilter(
        label="Kind",
        choices=Incentive.Kind.choices,
        empty_label="Any kind",
        widget=forms.Select(attrs={"class": "auto-submit"}),
    )
    body = choice_filter(
        "Responsible body",
        Organisation.objects.filter(incentives__isnull=False).distinct(),
        "Any body",
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=Incentive.Status.choices, empty_label="Any status"
    )

    class Meta:
        model = Incentive
        fields = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))


class StatisticFilter(django_filters.FilterSet):
    metric = choice_filter("Metric", Metric.objects.all(), "Any metric")
    origin = choice_filter(
        "Origin", Organisation.objects.filter(statistics__isnull=False).distinct(), "Any origin"
    )
    year = django_filters.NumberFilter(label="Year", field_name="year")

    class Meta:
        model = Statistic
        fields = []
