"""FilterSets that never fail a page, and facets declared once, on the filters themselves.

A filter that mixes in `Facet` is offered as a list of clickable values with counts. It declares
its label (the filter's own), its values (`facet_choices`), how it is said in words
(`phrase`), and whether several values may be chosen at once. The FilterSet derives from them the
facet lists, the result in words ("3 providers offering technical support in Karachi") and the
hidden inputs that keep the chosen values when the sidebar form is sent.
"""

import functools
import json
from dataclasses import dataclass, field

import django_filters
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django_filters.fields import ModelChoiceField, ModelChoiceIterator, ModelMultipleChoiceField


@dataclass
class FacetValue:
    name: str
    value: str
    label: str
    count: int
    selected: bool
    toggled: object  # what the parameter becomes when this value is clicked
    href: str = ""  # the query string a click leads to


def toggle_links(query, name):
    """A function giving, for a value of `name` (a string, a list, or None to leave it out),
    the query string that `{% querystring query name=value page=None %}` writes: the other
    parameters are encoded once for all the links of a facet, not once per link."""
    before, after = QueryDict(mutable=True), QueryDict(mutable=True)
    side = before
    for key, values in query.lists():
        if key == name:
            side = after
        elif key != "page":
            side.setlist(key, values)
    before, after = before.urlencode(), after.urlencode()

    def link(value):
        own = QueryDict(mutable=True)
        if value is not None:
            own.setlist(name, value if isinstance(value, list) else [value])
        return "?" + "&".join(part for part in (before, own.urlencode(), after) if part)

    return link


@dataclass
class FacetList:
    name: str
    label: str
    values: list = field(default_factory=list)
    # Values with nothing in the current result: shown with their 0 and no link, since a click
    # could only lead to an empty page.
    empty: list = field(default_factory=list)


def lowerfirst(text):
    """'Technical support' -> 'technical support', but 'IT solutions' stays as it is."""
    text = str(text)
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


class Facet:
    """Mixed into a filter to offer it as a facet."""

    multiple = False
    template = "{}"  # how the chosen values are said, e.g. "offering {}"
    proper_names = False  # True: labels keep their capital ("in Karachi", not "in karachi")

    def facet_choices(self):
        """[(value, label)] of a facet declared with fixed `choices`."""
        return [(str(value), str(label)) for value, label in self.extra["choices"]]

    def phrase(self, value, data):
        """The chosen value(s) in words, or None when nothing is chosen."""
        if not value:
            return None
        chosen = list(value) if self.multiple else [value]
        labels = dict(self.facet_choices()) if not hasattr(chosen[0], "pk") else {}
        words = [str(getattr(v, "name", None) or labels.get(v, v)) for v in chosen]
        if not self.proper_names:
            words = [lowerfirst(word) for word in words]
        return self.template.format(" or ".join(words))

    def facet(self, name, counts, selected, choices, link):
        """The facet's values in the result, each with its count and `link(toggled)` as href;
        the values with none in the result apart, without a link."""
        values, empty = [], []
        for value, label in choices:
            count = counts.get(value, 0)
            is_selected = value in selected
            if not count and not is_selected:
                empty.append(FacetValue(name, value, label, 0, False, None))
                continue
            if self.multiple:
                toggled = [v for v in selected if v != value] if is_selected else [*selected, value]
            else:
                toggled = None if is_selected else value
            values.append(
                FacetValue(name, value, label, count, is_selected, toggled, link(toggled))
            )
        values.sort(key=lambda v: (not v.selected, -v.count, v.label))
        return FacetList(name, self.label, values, empty)


class FacetedFilterSet(django_filters.FilterSet):
    """A FilterSet whose `Facet` filters give the facet lists and the result in words."""

    noun = ("row", "rows")

    def facet_filters(self):
        return {name: f for name, f in self.filters.items() if isinstance(f, Facet)}

    def selected(self, name):
        """The chosen values of a facet, as strings (from a QueryDict or a plain dict). A facet
        of one value keeps the last one given, as the form that validates it does."""
        if hasattr(self.data, "getlist"):
            values = self.data.getlist(name)
        else:
            value = self.data.get(name)
            values = value if isinstance(value, (list, tuple)) else [value]
        values = [str(v) for v in values if v]
        return values if self.filters[name].multiple else values[-1:]

    def facets(self, counts, choices, query):
        """Facet lists: each facet's values (`choices`) with their counts in the result, and
        links that change the page's query string `query`."""
        return [
            f.facet(
                name,
                counts.get(name, {}),
                self.selected(name),
                choices[name],
                toggle_links(query, name),
            )
            for name, f in self.facet_filters().items()
        ]

    def kept_inputs(self):
        """(name, value) of every chosen facet value, for hidden inputs of the sidebar form."""
        return [(name, value) for name in self.facet_filters() for value in self.selected(name)]

    def describe(self, count):
        """The result in words, e.g. '1 provider offering technical support'."""
        data = self.form.cleaned_data
        parts = [f"{count:,} {self.noun[0] if count == 1 else self.noun[1]}"]
        for name, f in self.filters.items():
            if hasattr(f, "phrase") and (text := f.phrase(data.get(name), data)):
                parts.append(text)
        return " ".join(parts)


class ChoicesReadAtOnce(ModelChoiceIterator):
    """A select's few choices: the rows its field knows (see ChoiceFromRows), or else read in
    one query. Django streams them with iterator(), which on PostgreSQL opens a server-side
    cursor: three round trips (declare, fetch, close) for a dozen rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        known = self.field.known_rows
        # A copy of the queryset: the filter's own keeps no rows.
        for obj in known().values() if known else self.queryset.all():
            yield self.choice(obj)


class ChoiceFromRows(ModelChoiceField):
    """One row chosen by its `to_field_name` value, offered and looked up among the rows
    `known_rows()` gives ({value: row}, in display order) when it is set, or else read."""

    iterator = ChoicesReadAtOnce
    known_rows = None

    def to_python(self, value):
        if (
            self.known_rows is None
            or value in self.empty_values
            or (self.null_label is not None and value == self.null_value)
        ):
            return super().to_python(value)
        self.validate_no_null_characters(value)
        if isinstance(value, self.queryset.model):
            value = getattr(value, self.to_field_name)
        row = self.known_rows().get(str(value))
        if row is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return row


class KnownRows:
    """Mixed into a filter of rows. Given `known_rows` (request -> {value: row}, the rows a
    process holds for the request's data version, in display order), a filter set made for a
    request offers and checks the values against them: no query, where Django's field reads
    the choices and the chosen rows."""

    def __init__(self, *args, known_rows=None, **kwargs):
        self.known_rows = known_rows
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        request = self.get_request()
        if self.known_rows is not None and request is not None:
            field.known_rows = functools.partial(self.known_rows, request)
        return field


class ModelChoiceFilter(KnownRows, django_filters.ModelChoiceFilter):
    """A choice of one row, offered in a select (ChoiceFromRows)."""

    field_class = ChoiceFromRows


def without_invalid(data, form_errors):
    """Query data with the parameters the form rejected left out, and a message for each."""
    cleaned = data.copy()
    notices = []
    for name, errors in form_errors.items():
        values = ", ".join(f"“{value}”" for value in data.getlist(name)) or "this value"
        notice = f"Ignored {name}={values}: {' '.join(errors)}"
        # A NUL shown as the replacement character, as an HTML parser would show it (a raw one
        # is not allowed in HTML).
        notices.append(notice.replace("\x00", "\ufffd"))
        cleaned.pop(name, None)
    return cleaned, notices


def apply_filter(filter_class, data, queryset, request=None):
    """Return (filterset, notices about values that were left out)."""
    filterset = filter_class(data, queryset=queryset, request=request)
    notices = []
    if not filterset.is_valid():
        data, notices = without_invalid(data, filterset.form.errors)
        filterset = filter_class(data, queryset=queryset, request=request)
        filterset.is_valid()
    return filterset, notices


def filter_request(request, filter_class, queryset):
    """Filter `queryset` by the request's query string, reporting ignored values on the page."""
    filterset, notices = apply_filter(filter_class, request.GET, queryset, request)
    for notice in notices:
        messages.warning(request, notice)
    return filterset


def text_param(request, name, max_length=200):
    """A free-text query parameter, stripped of NUL bytes (which databases refuse) and cut short."""
    text = request.GET.get(name, "").replace("\x00", "").strip()
    return text[:max_length] if max_length else text


def id_subquery(ids):
    """The given ids for an `__in` lookup, whatever their number. SQLite takes them as one JSON
    parameter (it limits the number of parameters); PostgreSQL as a plain list, which it plans
    as `= ANY(array)` knowing the array's length, so it looks the ids up by primary key."""
    ids = [int(pk) for pk in ids]
    if connection.vendor == "postgresql":
        return ids
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])


class ChosenAmongRows(ModelMultipleChoiceField):
    """Rows chosen by their `to_field_name` values, looked up in the rows `known_rows()` gives
    ({value: row}) when it is set, or else in a query."""

    known_rows = None

    def _check_values(self, value):
        if self.known_rows is None:
            return super()._check_values(value)
        rows = self.known_rows()
        for item in value:
            self.validate_no_null_characters(item)
            if item not in rows:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        chosen = set(value)
        return [row for key, row in rows.items() if key in chosen]


class ModelMultipleChoiceFilter(KnownRows, django_filters.ModelMultipleChoiceFilter):
    """A choice of rows, checked among the known rows where they are given (KnownRows)."""

    field_class = ChosenAmongRows
