from django.contrib import admin

from bpo_portal.directory.models import (
    AlternativeGrouping,
    City,
    Industry,
    IndustryServiceLine,
    Market,
    Organisation,
    Provider,
    ProviderAlias,
    ProviderCity,
    ProviderIndustry,
    ProviderMarket,
    ProviderService,
    ServiceCategory,
    ServiceLine,
    ServiceTask,
)
from bpo_portal.sources.admin import CitationInline, CitedAdmin, CitedRowInline


@admin.register(Organisation)
class OrganisationAdmin(CitedAdmin):
    list_display = ["name", "abbreviation", "kind", "kind_is_ours"]
    list_filter = ["kind", "kind_is_ours"]
    search_fields = ["name", "abbreviation", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(CitedAdmin):
    list_display = ["name", "name_is_ours", "position", "related_count"]
    count_column = ("service_lines", "Service lines")
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


class ServiceTaskInline(CitedRowInline):
    model = ServiceTask
    fields = ["name", *CitedRowInline.CITE_FIELDS]


class AlternativeGroupingInline(CitedRowInline):
    model = AlternativeGrouping
    fields = ["category", "note", *CitedRowInline.CITE_FIELDS]
    autocomplete_fields = ["category"]


@admin.register(ServiceLine)
class ServiceLineAdmin(CitedAdmin):
    list_display = ["name", "category", "is_emerging", "related_count"]
    count_column = ("provider_links", "Providers")
    list_filter = ["category", "is_emerging"]
    list_select_related = ["category"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["category"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ServiceTaskInline, AlternativeGroupingInline, CitationInline]


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
    list_display = ["name", "province", "latitude", "longitude", "related_count"]
    count_column = ("provider_links", "Providers")
    list_filter = ["province"]
    search_fields = ["name", "province", "description"]
    prepopulated_fields = {"slug": ["name"]}


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


class ProviderMarketInline(CitedRowInline):
    model = ProviderMarket
    fields = ["market", *CitedRowInline.CITE_FIELDS]
    autocomplete_fields = ["market"]
    verbose_name = "market served"
    verbose_name_plural = "markets served (each with its citation)"


class ProviderIndustryInline(CitedRowInline):
    model = ProviderIndustry
    fields = ["industry", *CitedRowInline.CITE_FIELDS]
    autocomplete_fields = ["industry"]
    verbose_name = "industry served"
    verbose_name_plural = "industries served (each with its citation)"


class NotStated(admin.SimpleListFilter):
    title = "not stated in the sources"
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        return [(name, label) for name, (label, _) in Provider.NOT_STATED.items()]

    def queryset(self, request, queryset):
        if self.value() in Provider.NOT_STATED:
            return queryset.filter(Provider.NOT_STATED[self.value()][1]).distinct()
        return queryset


@admin.register(Provider)
class ProviderAdmin(CitedAdmin):
    list_display = ["name", "kind", "founded_year", "parent", "related_count", "is_demo"]
    count_column = ("service_links", "Service lines")
    list_filter = [
        NotStated,
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
    inlines = [
        ProviderAliasInline,
        ProviderServiceInline,
        ProviderCityInline,
        ProviderMarketInline,
        ProviderIndustryInline,
        CitationInline,
    ]


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


@admin.register(Market)
class MarketAdmin(CitedAdmin):
    list_display = ["name", "kind", "role", "region", "region_is_ours", "related_count"]
    count_column = ("provider_links", "Providers")
    list_filter = ["kind", "role", "region_is_ours"]
    list_select_related = ["region"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["region"]
    prepopulated_fields = {"slug": ["name"]}


class IndustryServiceLineInline(CitedRowInline):
    model = IndustryServiceLine
    fields = ["service_line", *CitedRowInline.CITE_FIELDS]
    autocomplete_fields = ["service_line"]
    verbose_name = "service line serving it"
    verbose_name_plural = "service lines serving it (each with its citation)"


class IndustryProviderInline(CitedRowInline):
    model = ProviderIndustry
    fields = ["provider", *CitedRowInline.CITE_FIELDS]
    autocomplete_fields = ["provider"]
    verbose_name = "provider serving it"
    verbose_name_plural = "providers serving it (each with its citation)"


@admin.register(Industry)
class IndustryAdmin(CitedAdmin):
    list_display = ["name", "related_count"]
    count_column = ("line_links", "Service lines")
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [IndustryServiceLineInline, IndustryProviderInline, CitationInline]


@admin.register(ProviderMarket)
class ProviderMarketAdmin(CitedAdmin):
    list_display = ["provider", "market"]
    list_filter = ["market"]
    list_select_related = ["provider", "market"]
    search_fields = ["provider__name", "market__name"]
    autocomplete_fields = ["provider", "market"]


@admin.register(IndustryServiceLine)
class IndustryServiceLineAdmin(CitedAdmin):
    list_display = ["industry", "service_line"]
    list_filter = ["industry"]
    list_select_related = ["industry", "service_line"]
    search_fields = ["industry__name", "service_line__name"]
    autocomplete_fields = ["industry", "service_line"]


@admin.register(ProviderIndustry)
class ProviderIndustryAdmin(CitedAdmin):
    list_display = ["provider", "industry"]
    list_filter = ["industry"]
    list_select_related = ["provider", "industry"]
    search_fields = ["provider__name", "industry__name"]
    autocomplete_fields = ["provider", "industry"]
