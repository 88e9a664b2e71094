"""The /api/ page: what the JSON downloads of the list pages return, worked out from the code.

Every list page answers `?format=json` (and `?format=csv`) with every matching row; its view is
marked with `@list_download(model, filterset)`. For each marked page among the site's addresses
this module names its address, the filters it accepts (its FilterSet's), the fields of each
JSON object (from its kind's export columns: name, JSON type, meaning) and an example: the first
row the page returns right now. Nothing is copied by hand, so the page stays right when a field,
a filter or a list page is added.
"""

import inspect
import json
import logging
from dataclasses import dataclass, field
from textwrap import indent

import django_filters
from django.contrib.messages.middleware import MessageMiddleware
from django.db import models
from django.http import HttpRequest, QueryDict
from django.urls import URLResolver, get_resolver, reverse
from django.utils.text import capfirst

from bpo_portal.core.exports import Column
from bpo_portal.core.kinds import kind_for
from bpo_portal.portal.navigation import MAIN, MORE

logger = logging.getLogger(__name__)
EXAMPLE_VALUES = 3  # example values shown for a filter that takes a record's slug
INTEGER_FIELDS = (
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
)
COMPUTED = {
    "url": "The full address of the record's page on this site.",
}
SLUG = "Identifies the record in the site's addresses and in the other downloads."


@dataclass
class Filter:
    name: str
    label: str
    takes: str
    examples: list = field(default_factory=list)


@dataclass
class Field:
    name: str
    type: str
    meaning: str
    example: object = None


@dataclass
class Endpoint:
    url_name: str
    path: str
    title: str
    kind: object
    filters: list
    fields: list
    example: dict = None
    failed: bool = False  # the download raised an error instead of answering

    @property
    def anchor(self):
        return self.url_name.replace(":", "-").replace("_", "-")

    @property
    def example_json(self):
        if self.example is None:
            return "[]"
        row = json.dumps(self.example, ensure_ascii=False, indent=2)
        return "[\n" + indent(row, "  ") + "\n]"


def _routes(patterns=None, namespace=""):
    """(URL name, view) of every address that takes no parameters, the admin's apart."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, inner)
        elif pattern.name and not pattern.pattern.regex.groups:
            yield f"{namespace}{pattern.name}", pattern.callback


def _first_row(request, path, view):
    """The first object the page's JSON download returns now, or None when it has no rows."""
    inner = HttpRequest()
    inner.method = "GET"
    inner.path = inner.path_info = path
    inner.META = {**request.META, "QUERY_STRING": "format=json"}
    inner.GET = QueryDict("format=json")
    inner.COOKIES = {}
    MessageMiddleware(view).process_request(inner)  # a filter notice goes somewhere, unseen
    if hasattr(request, "_data_version"):
        inner._data_version = request._data_version
    response = view(inner)
    if not response.streaming:
        return None
    # Read until the first row is whole and drop the rest: the generator is closed (its query
    # with it) when the last reference goes. Not response.close(), which would signal the end of
    # a request and could close the database connection in the middle of this page.
    text, decoder = "", json.JSONDecoder()
    for block in response.streaming_content:
        text += block.decode()
        rows = text.lstrip("[ \n")
        if rows.startswith("]"):
            return None
        try:
            return decoder.raw_decode(rows)[0]
        except json.JSONDecodeError:
            continue  # the first row goes on in the next block
    return None


def _filters(filterset):
    found = [
        Filter(
            "format",
            "Format",
            "json for JSON, csv for CSV (without it, the page itself).",
            ["json", "csv"],
        )
    ]
    if filterset is None:
        return found
    for name, flt in filterset.base_filters.items():
        label = str(flt.label or capfirst(name))
        examples = []
        if isinstance(
            flt, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter
        ):
            queryset = getattr(flt, "queryset", None)
            if callable(queryset) and not isinstance(queryset, models.QuerySet):
                queryset = None
            key = flt.extra.get("to_field_name") or "pk"
            model = queryset.model if queryset is not None else None
            what = str(model._meta.verbose_name) if model is not None else "record"
            takes = f"the {key} of {_a(what)}"
            if isinstance(flt, django_filters.ModelMultipleChoiceFilter):
                takes += "; repeat it to choose several (rows matching any of them)"
            if queryset is not None:
                examples = [str(v) for v in queryset.values_list(key, flat=True)[:EXAMPLE_VALUES]]
        elif isinstance(flt, django_filters.ChoiceFilter | django_filters.MultipleChoiceFilter):
            choices = flt.extra.get("choices", [])
            choices = choices() if callable(choices) else choices
            takes = "one of: " + "; ".join(f"{value} ({label})" for value, label in choices)
            examples = [str(value) for value, _ in choices[:EXAMPLE_VALUES]]
        elif isinstance(flt, django_filters.NumberFilter):
            bound = {"gte": "at least", "lte": "at most", "gt": "above", "lt": "below"}
            takes = "a number" + (
                f": rows whose {flt.field_name.replace('_', ' ')} is {bound[flt.lookup_expr]} it"
                if flt.lookup_expr in bound
                else ""
            )
        else:
            takes = "words to look for"
        found.append(Filter(name, label, _sentence(takes), examples))
    return found


def _sentence(text):
    text = str(text).strip()
    return capfirst(text if not text or text[-1] in ".!?" else text + ".")


def _a(noun):
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def _json_type(model_field):
    """The JSON type a model field's value takes in the download."""
    nullable = model_field.null or getattr(model_field, "blank", False)
    if isinstance(model_field, models.BooleanField):
        kind = "boolean"
    elif isinstance(model_field, INTEGER_FIELDS):
        kind = "integer"
    elif isinstance(model_field, models.DecimalField):
        kind = "string (a decimal number)"
    elif isinstance(model_field, models.DateField):
        kind = "string (a date, YYYY-MM-DD)"
    elif isinstance(model_field, models.JSONField) and model_field.default is list:
        kind = "string (the values joined by “; ”, empty when there are none)"
        nullable = model_field.null
    else:
        kind = "string"
    if getattr(model_field, "choices", None) and not model_field.null:
        nullable = False
    return f"{kind} or null" if nullable else kind


def _example_type(value):
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    return "string or null" if value is None else "string"


def _meaning(model_field, extra=""):
    parts = [_sentence(getattr(model_field, "verbose_name", model_field.name))]
    if getattr(model_field, "help_text", ""):
        parts.append(_sentence(model_field.help_text))
    if extra:
        parts.append(_sentence(extra))
    return " ".join(parts)


def _field(kind, column, example):
    value = example.get(column.header) if example else None
    model_field = column.field
    if column.is_url:
        return Field(column.header, "string", COMPUTED["url"], value)
    if model_field is None:
        source = column.function or getattr(kind.model, column.attribute, None)
        if isinstance(source, property):
            source = source.fget
        named = callable(source) and getattr(source, "__name__", "") != "<lambda>"
        doc = (inspect.getdoc(source) or "") if named else ""
        meaning = doc.split("\n\n")[0].replace("\n", " ")
        meaning = meaning or _sentence(
            column.header.replace("_", " ") + ", worked out by the site from the other data"
        )
        return Field(column.header, _example_type(value), meaning, value)
    related = model_field.related_model
    if column.is_many:
        plural = related._meta.verbose_name_plural
        meaning = f"The slugs of the linked {plural}, joined by “; ” (empty when there are none)."
        return Field(column.header, "string", meaning, value)
    if model_field.many_to_one:
        attribute = column.value_path().split("__")[1]
        extra = f"The {attribute} of the {related._meta.verbose_name} it points to"
        kind_name = "string or null" if model_field.null else "string"
        return Field(column.header, kind_name, _meaning(model_field, extra), value)
    extra = SLUG if model_field.name == "slug" else ""
    if getattr(model_field, "choices", None):
        extra = "Written as its label, one of: " + "; ".join(
            f"“{label}”" for _, label in model_field.flatchoices
        )
    return Field(column.header, _json_type(model_field), _meaning(model_field, extra), value)


def _titles():
    return dict(MAIN + MORE)


def _endpoint(request, url_name, view, model, filterset):
    kind = kind_for(model)
    path = reverse(url_name)
    try:
        example, failed = _first_row(request, path, view), False
    except Exception:  # a broken download must not take its documentation down with it
        logger.exception("The JSON download of %s failed", path)
        example, failed = None, True
    columns = [Column(kind.model, spec) for spec in kind.export_columns()]
    return Endpoint(
        url_name=url_name,
        path=path,
        title=_titles().get(url_name) or capfirst(kind.label_plural),
        kind=kind,
        filters=_filters(filterset),
        fields=[_field(kind, column, example) for column in columns],
        example=example,
        failed=failed,
    )


def endpoints(request):
    """Every list page with a JSON download, in the order of the site's addresses."""
    return [
        _endpoint(request, url_name, view, *view.download)
        for url_name, view in _routes()
        if hasattr(view, "download")
    ]
