from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db import models
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from bpo_portal.sources.models import Citation, Source
from bpo_portal.sources.resources import resource_for


class CitationInline(GenericTabularInline):
    """Citations of any cited row, edited on that row's page. At least one is required."""

    model = Citation
    fields = ["source", "section", "field", "note"]
    autocomplete_fields = ["source"]
    extra = 0
    min_num = 1
    validate_min = True
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}


class NewRowCitationForm(forms.ModelForm):
    """An inline form for a cited child row (a service link, an alias, a city link).

    A new row must say where it comes from: the citation is entered in the same row and saved
    with it. For an existing row these fields are optional and add one more citation.
    """

    cite_source = forms.ModelChoiceField(
        queryset=Source.objects.none(), required=False, label="Source"
    )
    cite_section = forms.CharField(required=False, label="Section heading")
    cite_note = forms.CharField(required=False, label="Citation note (our words)")

    def clean(self):
        cleaned = super().clean()
        values = [cleaned.get(name) for name in ("cite_source", "cite_section", "cite_note")]
        is_new = self.instance.pk is None
        if (is_new and self.has_changed() and not all(values)) or (any(values) and not all(values)):
            raise forms.ValidationError(
                "Give the source, the section heading and a note: every fact needs its citation."
            )
        source, section = values[0], values[1]
        if source and section and section not in source.headings:
            self.add_error("cite_section", f"“{section}” is not a section heading of {source}.")
        return cleaned

    def save_citation(self, obj):
        if self.cleaned_data.get("cite_source"):
            citation = Citation(
                fact=obj,
                source=self.cleaned_data["cite_source"],
                section=self.cleaned_data["cite_section"],
                note=self.cleaned_data["cite_note"],
            )
            citation.full_clean()
            citation.save()


class NewRowCitationFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        # Called for every row, the empty "add another" template row included; the sources are
        # read once and shared by all of them.
        super().add_fields(form, index)
        if not hasattr(self, "_source_choices"):
            sources = Source.objects.all()
            self._source_choices = [("", "---------")] + [(s.pk, s.title) for s in sources]
        field = form.fields["cite_source"]
        field.queryset = Source.objects.all()
        field.choices = self._source_choices

    def save(self, commit=True):
        saved = super().save(commit=commit)
        for form in self.forms:
            if form.instance.pk and form not in self.deleted_forms:
                form.save_citation(form.instance)
        return saved


class CitedRowInline(admin.TabularInline):
    """Base for inlines of cited child rows; subclasses list their fields before CITE_FIELDS."""

    CITE_FIELDS = ["cite_source", "cite_section", "cite_note"]
    form = NewRowCitationForm
    formset = NewRowCitationFormSet
    extra = 0
    show_change_link = True


class CuratedAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """Admin for curated data: every change kept and revertible (History), and CSV export and
    import with a preview of what will change and a line-by-line error report."""

    count_column = None  # (relation to count, column heading), shown as the `related_count` column

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.count_column:
            heading = cls.count_column[1]
            cls.related_count = admin.display(ordering="related_count", description=heading)(
                lambda self, obj: obj.related_count
            )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not self.count_column:
            return queryset
        # Counting groups the rows, which drops Meta.ordering (the changelist orders again, but
        # the autocomplete paginates this queryset as it is): keep the model's order.
        counted = queryset.annotate(related_count=Count(self.count_column[0], distinct=True))
        return counted.order_by(*self.model._meta.ordering)

    def get_resource_classes(self, request):
        return [resource_for(self.model)]


class CitedAdmin(CuratedAdmin):
    """Admin for a cited model: its citations are edited inline."""

    inlines = [CitationInline]


@admin.register(Source)
class SourceAdmin(CuratedAdmin):
    list_display = ["title", "file_name", "title_is_ours", "related_count"]
    count_column = ("citations", "Citations")
    search_fields = ["title", "summary", "file_name"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Citation)
class CitationAdmin(CuratedAdmin):
    list_display = ["section", "source", "content_type", "fact_label", "field"]
    list_filter = ["source", "content_type"]
    list_select_related = ["source", "content_type"]
    search_fields = ["section", "note"]
    autocomplete_fields = ["source"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("fact")

    @admin.display(description="Fact")
    def fact_label(self, obj):
        return str(obj.fact) if obj.fact is not None else "(deleted)"
