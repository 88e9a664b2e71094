import django_filters
from django.db.models import Q

from bpo_portal.core.caching import per_version, request_version
from bpo_portal.core.filtering import ModelChoiceFilter
from bpo_portal.directory.models import Organisation
from bpo_portal.sector.models import Incentive, Metric, Statistic


def choice_filter(label, queryset):
    """A select of the rows of `queryset`, by slug, read once per data version."""

    @per_version
    def rows():
        return {row.slug: row for row in queryset.all()}

    return ModelChoiceFilter(
        label=label,
        to_field_name="slug",
        queryset=queryset,
        known_rows=lambda request: rows(request_version(request)),
    )


class IncentiveFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_text", max_length=200)
    kind = django_filters.ChoiceFilter(label="Kind", choices=Incentive.Kind.choices)
    body = choice_filter(
        "Responsible body", Organisation.objects.filter(incentives__isnull=False).distinct()
    )
    status = django_filters.ChoiceFilter(label="Status", choices=Incentive.Status.choices)

    class Meta:
        model = Incentive
        fields = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))


class StatisticFilter(django_filters.FilterSet):
    metric = choice_filter("Metric", Metric.objects.all())
    origin = choice_filter(
        "Origin", Organisation.objects.filter(statistics__isnull=False).distinct()
    )
    year = django_filters.NumberFilter(label="Year", field_name="year")

    class Meta:
        model = Statistic
        fields = []
