from django.contrib import admin

from bpo_portal.background.models import Event, Statement, Technology, TechnologyServiceLine, Term
from bpo_portal.sources.admin import CitationInline, CitedAdmin, CitedRowInline


@admin.register(Event)
class EventAdmin(CitedAdmin):
    list_display = ["title", "date_text", "precision", "year", "scope"]
    list_filter = ["precision", "scope"]
    search_fields = ["title", "description", "date_text"]
    autocomplete_fields = ["incentive", "statistics"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Term)
class TermAdmin(CitedAdmin):
    list_display = ["term", "abbreviation", "definition_is_ours"]
    list_filter = ["definition_is_ours"]
    search_fields = ["term", "abbreviation", "definition"]
    prepopulated_fields = {"slug": ["term"]}


class TechnologyServiceLineInline(CitedRowInline):
    model = TechnologyServiceLine
    fields = ["service_line", *CitedRowInline.CITE_FIELDS]
    autocomplete_fields = ["service_line"]
    verbose_name = "service line it changes"
    verbose_name_plural = "service lines it changes (each with its citation)"


@admin.register(Technology)
class TechnologyAdmin(CitedAdmin):
    list_display = ["name", "abbreviation", "kind", "expansion_is_ours", "related_count"]
    count_column = ("line_links", "Service lines")
    list_filter = ["kind", "expansion_is_ours"]
    search_fields = ["name", "abbreviation", "description", "effect"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TechnologyServiceLineInline, CitationInline]


@admin.register(TechnologyServiceLine)
class TechnologyServiceLineAdmin(CitedAdmin):
    list_display = ["technology", "service_line"]
    list_select_related = ["technology", "service_line"]
    search_fields = ["technology__name", "service_line__name"]
    autocomplete_fields = ["technology", "service_line"]


@admin.register(Statement)
class StatementAdmin(CitedAdmin):
    list_display = ["text", "topic", "statistic"]
    list_filter = ["topic"]
    list_select_related = ["statistic"]
    search_fields = ["text"]
    autocomplete_fields = ["statistic"]
    prepopulated_fields = {"slug": ["text"]}
