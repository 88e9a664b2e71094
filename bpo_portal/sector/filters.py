import django_filters
from django.db.models import Q

from bpo_portal.core.filtering import ModelChoiceFilter
from bpo_portal.directory.models import Organisation
from bpo_portal.sector.models import Incentive, Metric, Statistic


class IncentiveFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_text", max_length=200)
    kind = django_filters.ChoiceFilter(label="Kind", choices=Incentive.Kind.choices)
    body = ModelChoiceFilter(
        label="Responsible body",
        to_field_name="slug",
        queryset=Organisation.objects.filter(incentives__isnull=False).distinct(),
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
    metric = ModelChoiceFilter(label="Metric", to_field_name="slug", queryset=Metric.objects.all())
    origin = ModelChoiceFilter(
        label="Origin",
        to_field_name="slug",
        queryset=Organisation.objects.filter(statistics__isnull=False).distinct(),
    )
    year = django_filters.NumberFilter(label="Year", field_name="year")

    class Meta:
        model = Statistic
        fields = []
