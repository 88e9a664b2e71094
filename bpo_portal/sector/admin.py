import re
from decimal import Decimal, InvalidOperation

from django.contrib import admin
from django.db.models import Q

from bpo_portal.directory.models import MAX_YEAR, MIN_YEAR
from bpo_portal.sector.models import (
    Advantage,
    Challenge,
    Disagreement,
    DisagreementSide,
    DisagreementSubject,
    Incentive,
    Metric,
    Solution,
    Statistic,
)
from bpo_portal.sources.admin import CitedAdmin, CitedRowInline, CuratedAdmin


@admin.register(Incentive)
class IncentiveAdmin(CitedAdmin):
    list_display = ["name", "kind", "status", "body", "year"]
    list_filter = ["kind", "status", "body"]
    list_select_related = ["body"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["body"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Metric)
class MetricAdmin(CuratedAdmin):
    list_display = ["name", "unit", "slug"]
    list_filter = ["unit"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


class StaleFigure(admin.SimpleListFilter):
    title = "newer figure needed"
    parameter_name = "stale"
    YEARS = 5

    def lookups(self, request, model_admin):
        return [("1", f"Period ended over {self.YEARS} years ago, nothing newer")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.stale(years=self.YEARS)
        return queryset


@admin.register(Statistic)
class StatisticAdmin(CitedAdmin):
    list_display = [
        "scope",
        "metric",
        "display_value",
        "display_period",
        "period_is_inferred",
        "origin",
        "is_forecast",
    ]
    list_filter = [StaleFigure, "metric", "origin", "unit", "period_kind", "is_forecast"]
    list_select_related = ["metric", "origin"]
    # Each word typed may also be the figure's value (3.2, US$3.2, 45%) or year (2022, FY2022):
    # see get_search_results.
    search_fields = [
        "slug",
        "scope",
        "metric__name",
        "origin__name",
        "citations__source__title",
        "citations__source__publisher",
    ]
    autocomplete_fields = ["metric", "origin", "supersedes"]
    prepopulated_fields = {"slug": ["scope", "year"]}
    fieldsets = [
        (None, {"fields": ["slug", "metric", "scope", "origin", "is_forecast", "supersedes"]}),
        ("Value", {"fields": ["qualifier", "value", "value_upper", "unit"]}),
        (
            "Period",
            {"fields": ["period_kind", "year", "months", "span_years", "period_is_inferred"]},
        ),
    ]

    def get_search_results(self, request, queryset, search_term):
        """Every word must match: a text field of the figure (its scope, metric, origin, or a
        source citing it), or its value or year when the word is a number."""
        words = search_term.split()
        if not words:
            return queryset, False
        for word in words:
            matches = Q()
            for field in self.search_fields:
                matches |= Q(**{f"{field}__icontains": word})
            number = figure_number(word)
            if number is not None:
                matches |= Q(value=number) | Q(value_upper=number)
                if number == number.to_integral_value() and MIN_YEAR <= number <= MAX_YEAR:
                    matches |= Q(year=int(number))
            queryset = queryset.filter(matches)
        return queryset, True  # a figure cited by two sources would match twice


def figure_number(word):
    """The number in a word as a curator types a figure (3.2, US$3.2bn, 45%, FY2022), or None."""
    text = re.sub(r"^(?:US\$|\$|FY)|(?:%|bn|billion)$", "", word.replace(",", ""), flags=re.I)
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    # Only what a figure's column can hold (14 digits, 3 after the point).
    if not number.is_finite() or abs(number) >= 10**11:
        return None
    return number.quantize(Decimal("0.001"))


class DisagreementSideInline(CitedRowInline):
    model = DisagreementSide
    fields = ["position", "claim", *CitedRowInline.CITE_FIELDS]


class DisagreementSubjectInline(admin.TabularInline):
    """The records the disagreement concerns; each one's page links to it."""

    model = DisagreementSubject
    fields = ["subject_kind", "subject_slug"]
    extra = 0


@admin.register(Disagreement)
class DisagreementAdmin(CitedAdmin):
    list_display = ["title", "kind", "implied_value"]
    list_filter = ["kind"]
    search_fields = ["title", "summary"]
    autocomplete_fields = ["statistics"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [DisagreementSideInline, DisagreementSubjectInline, *CitedAdmin.inlines]


@admin.register(DisagreementSide)
class DisagreementSideAdmin(CitedAdmin):
    list_display = ["claim", "disagreement", "position"]
    list_select_related = ["disagreement"]
    search_fields = ["claim", "disagreement__title"]
    autocomplete_fields = ["disagreement"]


class TopicAdmin(CitedAdmin):
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Challenge)
class ChallengeAdmin(TopicAdmin):
    list_display = ["name"]


@admin.register(Advantage)
class AdvantageAdmin(TopicAdmin):
    list_display = ["name", "scope"]
    list_filter = ["scope"]


@admin.register(Solution)
class SolutionAdmin(TopicAdmin):
    list_display = ["name", "actor"]
    list_filter = ["actor", "challenges"]
    autocomplete_fields = ["challenges"]


@admin.register(DisagreementSubject)
class DisagreementSubjectAdmin(CuratedAdmin):
    list_display = ["disagreement", "subject_kind", "subject_slug"]
    list_filter = ["subject_kind"]
    list_select_related = ["disagreement"]
    search_fields = ["subject_slug", "disagreement__title"]
    autocomplete_fields = ["disagreement"]
