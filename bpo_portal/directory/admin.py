from django.contrib import admin
from django.db.models import Count

from bpo_portal.directory.models import (
    AlternativeGrouping,
    City,
    Organisation,
    Provider,
    ProviderAlias,
    ProviderCity,
    ProviderService,
    ServiceCategory,
    ServiceLine,
    ServiceTask,
)
from bpo_portal.sources.admin import CitationInline, CitedRowInline, CuratedAdmin


class CitedAdmin(CuratedAdmin):
    """Admin for a cited model: its citations are edited inline."""

    inlines = [CitationInline]


@admin.register(Organisation)
class OrganisationAdmin(CitedAdmin):
    list_display = ["name", "abbreviation", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "abbreviation", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(CitedAdmin):
    ordering = ["position", "name"]  # explicit: annotated querysets lose Meta.ordering
    list_display = ["name", "position", "line_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(line_count=Count("service_lines"))

    @admin.display(ordering="line_count", description="Service lines")
    def line_count(self, obj):
        return obj.line_count


class ServiceTaskInline(CitedRowInline):
    model = ServiceTask
    fields = ["name", *CitedRowInline.CITE_FIELDS]


class AlternativeGroupingInline(CitedRowInline):
    model = AlternativeGrouping
    fields = ["category", "note", *CitedRowInline.CITE_FIELDS]
    autocomplete_fields = ["category"]


@admin.register(ServiceLine)
class ServiceLineAdmin(CitedAdmin):
    ordering = ["name"]  # explicit: annotated querysets lose Meta.ordering
    list_display = ["name", "category", "is_emerging", "provider_count"]
    list_filter = ["category", "is_emerging"]
    list_select_related = ["category"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["category"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ServiceTaskInline, AlternativeGroupingInline, CitationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_provider_counts()

    @admin.display(ordering="provider_count", description="Providers")
    def provider_count(self, obj):
        return obj.provider_count


@admin.register(ServiceTask)
class ServiceTaskAdmin(CitedAdmin):
    list_display = ["name", "service_line"]
    list_filter = ["service_line__category"]
    list_select_related = ["service_line"]
    search_fields = ["name", "service_line__name"]
    autocomplete_fields = ["service_line"]


@admin.register(AlternativeGrouping)
class AlternativeGroupingAdmin(CitedAdmin):
    list_display = ["service_line", "category"]
    list_select_related = ["service_line", "category"]
    search_fields = ["service_line__name", "note"]
    autocomplete_fields = ["service_line", "category"]


@admin.register(City)
class CityAdmin(CitedAdmin):
    ordering = ["name"]  # explicit: annotated querysets lose Meta.ordering
    list_display = ["name", "province", "latitude", "longitude", "provider_count"]
    list_filter = ["province"]
    search_fields = ["name", "province", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(provider_count=Count("provider_links"))

    @admin.display(ordering="provider_count", description="Providers")
    def provider_count(self, obj):
        return obj.provider_count


class ProviderAliasInline(CitedRowInline):
    model = ProviderAlias
    fields = ["name", "kind", *CitedRowInline.CITE_FIELDS]


class ProviderServiceInline(CitedRowInline):
    model = ProviderService
    fields = ["service_line", *CitedRowInline.CITE_FIELDS]
    autocomplete_fields = ["service_line"]
    verbose_name = "service line offered"
    verbose_name_plural = "service lines offered (each with its citation)"


class ProviderCityInline(CitedRowInline):
    model = ProviderCity
    fields = ["city", *CitedRowInline.CITE_FIELDS]
    autocomplete_fields = ["city"]
    verbose_name = "city of operation"
    verbose_name_plural = "cities of operation (each with its citation)"


@admin.register(Provider)
class ProviderAdmin(CitedAdmin):
    ordering = ["name"]  # explicit: annotated querysets lose Meta.ordering
    list_display = ["name", "kind", "founded_year", "parent", "service_count", "is_demo"]
    list_filter = [
        "kind",
        "is_demo",
        "founded_year_ambiguous",
        "services__category",
        "services",
        "cities",
    ]
    list_select_related = ["parent"]
    search_fields = ["name", "aliases__name", "description"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProviderAliasInline, ProviderServiceInline, ProviderCityInline, CitationInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "description"]}),
        ("Facts", {"fields": ["founded_year", "founded_year_ambiguous", "parent", "headcount"]}),
        ("Data set", {"fields": ["is_demo"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(service_count=Count("service_links"))

    @admin.display(ordering="service_count", description="Service lines")
    def service_count(self, obj):
        return obj.service_count


@admin.register(ProviderAlias)
class ProviderAliasAdmin(CitedAdmin):
    list_display = ["name", "kind", "provider"]
    list_filter = ["kind"]
    list_select_related = ["provider"]
    search_fields = ["name", "provider__name"]
    autocomplete_fields = ["provider"]


@admin.register(ProviderService)
class ProviderServiceAdmin(CitedAdmin):
    list_display = ["provider", "service_line"]
    list_filter = ["service_line__category", "service_line"]
    list_select_related = ["provider", "service_line"]
    search_fields = ["provider__name", "service_line__name"]
    autocomplete_fields = ["provider", "service_line"]


@admin.register(ProviderCity)
class ProviderCityAdmin(CitedAdmin):
    list_display = ["provider", "city"]
    list_filter = ["city"]
    list_select_related = ["provider", "city"]
    search_fields = ["provider__name", "city__name"]
    autocomplete_fields = ["provider", "city"]
