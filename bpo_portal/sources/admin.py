from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, RelatedFieldWidgetWrapper
from django.contrib.contenttypes.admin import GenericStackedInline
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.dispatch import Signal
from django.forms.models import BaseInlineFormSet
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ExportForm
from simple_history.admin import SimpleHistoryAdmin

from bpo_portal.core.conflicts import EditConflictMixin, PreviewedImportMixin
from bpo_portal.sources.imports import OwnPreviewsOnly
from bpo_portal.sources.models import Citation, Source
from bpo_portal.sources.resources import resource_for

# The box beside a reader's correction in which the curator says the record's citations hold.
CITATIONS_HOLD = "_citations_hold"


def changed_fields(obj):
    """The verbose names of the fields whose values in `obj` differ from its saved row."""
    fields = [f for f in obj._meta.concrete_fields if f.editable and not f.primary_key]
    saved = type(obj)._base_manager.filter(pk=obj.pk).values(*(f.attname for f in fields)).first()
    if saved is None:
        return []
    return [str(f.verbose_name) for f in fields if saved[f.attname] != f.value_from_object(obj)]


class CitationFormSet(BaseGenericInlineFormSet):
    """A record's citations. Saved from a reader's correction with new values, the record must
    say where they come from: a citation edited or added in the same save, or the curator's
    word (the box beside the correction) that the citations there support them as they stand.
    Otherwise the page would go on citing a source for values it never stated."""

    def __init__(self, *args, correction=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.correction = correction

    def clean(self):
        super().clean()
        if not self.correction or self.has_changed() or self.data.get(CITATIONS_HOLD):
            return
        if changed := changed_fields(self.instance):
            raise ValidationError(
                f"This correction changes {', '.join(changed)}: say where the new value comes "
                "from. Edit a citation below or add one (a source not recorded yet, such as the "
                "reader's, is added with the + beside the source), or tick “The citations below "
                "support the new values” beside the correction."
            )


class CitationInline(GenericStackedInline):
    """Citations of any cited row, edited on that row's page. At least one is required; a source
    not recorded yet can be added from here (the + beside the source). Stacked, so that the
    place and the note fit the page beside the source."""

    model = Citation
    formset = CitationFormSet
    fieldsets = [
        (None, {"fields": [("source", "field"), ("section", "page", "table"), "locator", "note"]})
    ]
    autocomplete_fields = ["source"]
    extra = 0
    min_num = 1
    validate_min = True
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}


CITE_PLACE = ("cite_section", "cite_page", "cite_locator")


class NewRowCitationForm(forms.ModelForm):
    """An inline form for a cited child row (a service link, an alias, a city link).

    A new row must say where it comes from: the citation is entered in the same row and saved
    with it. For an existing row these fields are optional and add one more citation.
    """

    cite_source = forms.ModelChoiceField(
        queryset=Source.objects.none(), required=False, label="Source"
    )
    cite_section = forms.CharField(required=False, label="Section heading")
    cite_page = forms.CharField(required=False, max_length=20, label="Page")
    cite_locator = forms.CharField(required=False, max_length=200, label="Or where else")
    cite_note = forms.CharField(required=False, label="Citation note (our words)")

    def citation(self, fact=None):
        data = self.cleaned_data
        return Citation(
            fact=fact,
            source=data.get("cite_source"),
            section=data.get("cite_section") or "",
            page=data.get("cite_page") or "",
            locator=data.get("cite_locator") or "",
            note=data.get("cite_note") or "",
        )

    def clean(self):
        cleaned = super().clean()
        given = [cleaned.get(name) for name in ("cite_source", *CITE_PLACE, "cite_note")]
        is_new = self.instance.pk is None
        if not any(given) and not (is_new and self.has_changed()):
            return cleaned
        place = any(cleaned.get(name) for name in CITE_PLACE)
        if not (cleaned.get("cite_source") and cleaned.get("cite_note") and place):
            raise forms.ValidationError(
                "Give the source, where in it (a section heading, a page or a locator) and a "
                "note: every fact needs its citation."
            )
        existing = self.instance if self.instance.pk else None
        citation = self.citation(existing)
        try:
            citation.clean()
            if existing is not None:  # the same place cited twice for one fact
                citation.validate_constraints()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error("cite_section" if name == "section" else None, messages)
        return cleaned

    def save_citation(self, obj):
        if self.cleaned_data.get("cite_source"):
            citation = self.citation(obj)
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
        # A + beside the menu adds a source in a pop-up window, as for any related field.
        field.widget = RelatedFieldWidgetWrapper(
            field.widget,
            Citation._meta.get_field("source").remote_field,
            admin.site,
            can_add_related=True,
            can_change_related=False,
            can_view_related=False,
        )

    def save(self, commit=True):
        saved = super().save(commit=commit)
        for form in self.forms:
            if form.instance.pk and form not in self.deleted_forms:
                form.save_citation(form.instance)
        return saved


class CitedRowInline(admin.TabularInline):
    """Base for inlines of cited child rows; subclasses list their fields before CITE_FIELDS."""

    CITE_FIELDS = ["cite_source", *CITE_PLACE, "cite_note"]
    form = NewRowCitationForm
    formset = NewRowCitationFormSet
    extra = 0
    show_change_link = True


# Sent as a record opened from a reader's suggestion (?_suggestion=<id>) is saved, just before
# it is written, in the same transaction.
suggested_edit_saving = Signal()


class LabelledAutocompleteSelect(AutocompleteSelect):
    """The admin's type-to-find menu for a field that may be empty, its empty choice labelled
    (an empty <option> with no label is invalid HTML); the menu still shows it blank."""

    def optgroups(self, name, value, attr=None):
        groups = super().optgroups(name, value, attr)
        for option in groups[0][1]:
            if option["value"] == "":
                option["attrs"]["label"] = "None"
        return groups


class CuratedAdmin(
    OwnPreviewsOnly,
    EditConflictMixin,
    PreviewedImportMixin,
    ImportExportModelAdmin,
    SimpleHistoryAdmin,
):
    """Admin for curated data: every change kept and revertible (History), and CSV export and
    import with a preview of what will change and a line-by-line error report."""

    count_column = None  # (relation to count, column heading), shown as the `related_count` column
    export_form_class = ExportForm  # every curated field, no per-field checkboxes

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.count_column:
            heading = cls.count_column[1]
            cls.related_count = admin.display(ordering="related_count", description=heading)(
                lambda self, obj: obj.related_count
            )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget", LabelledAutocompleteSelect(db_field, self.admin_site, kwargs.get("using"))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

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

    def save_model(self, request, obj, form, change):
        # Opened from a reader's correction: the record's history names it, and the portal marks
        # the correction accepted with the edit.
        suggestion = request.GET.get("_suggestion", "")
        if suggestion.isdigit():
            obj._change_reason = f"Correction suggested by a reader (suggestion #{suggestion})"
            suggested_edit_saving.send(
                sender=type(obj), request=request, record=obj, suggestion_id=int(suggestion)
            )
        super().save_model(request, obj, form, change)


class SingleCitation(admin.SimpleListFilter):
    title = "citations"
    parameter_name = "citations"

    def lookups(self, request, model_admin):
        return [("1", "Only one")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.annotate(citation_total=Count("citations", distinct=True)).filter(
                citation_total=1
            )
        return queryset


class CitedAdmin(CuratedAdmin):
    """Admin for a cited model: its citations are edited inline."""

    inlines = [CitationInline]

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, CitationInline):
            kwargs["correction"] = request.GET.get("_suggestion", "").isdigit()
        return kwargs

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), SingleCitation]


class CitedByNothing(admin.SimpleListFilter):
    title = "use"
    parameter_name = "cited"

    def lookups(self, request, model_admin):
        return [("no", "Cited by nothing")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(citations__isnull=True)
        return queryset


HEADING_LENGTH = Citation._meta.get_field("section").max_length


class HeadingsField(forms.CharField):
    """A source's section headings, typed one per line as a person writes them."""

    widget = forms.Textarea(attrs={"rows": 6})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value  # the text as typed, shown again beside a message

    def to_python(self, value):
        lines = (line.strip() for line in super().to_python(value).splitlines())
        headings = []
        for line in lines:
            if line and line not in headings:
                headings.append(line)
        return headings

    def validate(self, value):
        super().validate(value)
        too_long = [h for h in value if len(h) > HEADING_LENGTH]
        if too_long:
            raise ValidationError(
                f"A heading can be at most {HEADING_LENGTH} characters (a citation names it): "
                f"“{too_long[0][:40]}…” is longer."
            )

    def has_changed(self, initial, data):
        return (initial or []) != self.to_python(data)


class SourceForm(forms.ModelForm):
    headings = HeadingsField(
        required=False,
        help_text="One heading per line, in the order they appear, where the source has them; "
        "a citation of a section must then name one of them.",
    )


@admin.register(Source)
class SourceAdmin(CuratedAdmin):
    form = SourceForm
    list_display = ["title", "kind", "publisher", "published", "related_count"]
    count_column = ("citations", "Citations")
    list_filter = ["kind", CitedByNothing]
    search_fields = ["title", "summary", "publisher", "authors", "url", "file_name"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["kind", "title", "title_is_ours", "slug", "summary"]}),
        (
            "Where it was published",
            {
                "fields": [
                    "publisher",
                    "authors",
                    ("published", "published_precision"),
                    "url",
                    "accessed",
                    "archive_url",
                    "language",
                    "what_is_known",
                ]
            },
        ),
        (
            "Parts",
            {
                "fields": ["headings", "file_name"],
                "description": "Section headings, if the source has them, let citations name "
                "a section; otherwise citations give a page, a table or a locator.",
            },
        ),
    ]


@admin.register(Citation)
class CitationAdmin(CuratedAdmin):
    list_display = ["place", "source", "content_type", "fact_label", "field"]
    list_filter = ["source", "content_type"]
    list_select_related = ["source", "content_type"]
    search_fields = ["section", "page", "locator", "note"]
    autocomplete_fields = ["source"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("fact")

    @admin.display(description="Fact")
    def fact_label(self, obj):
        return str(obj.fact) if obj.fact is not None else "(deleted)"
