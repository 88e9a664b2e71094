"""Streamed CSV and JSON downloads of list pages: every matching row, in constant memory.

The columns come from the kind's declaration (`Kind.export_columns()`); each is a field name, an
attribute of the row, or (header, field, attribute or function). A field is written as people
read it: a choice by its label, a foreign key by the related row's name, a many-to-many field as
the related rows' slugs joined by "; ". When every column is a field, rows are read as plain
values a chunk at a time (one query per chunk, and one more per many-to-many column), so even
a million providers stream with flat memory; otherwise rows are read as objects, with their
relations fetched per chunk.

A CSV file is written for a spreadsheet: a UTF-8 byte order mark first, the names of linked rows
in a column beside their slugs, an empty cell where the sources state nothing, and no cell a
spreadsheet would run as a formula. Both formats give full addresses, and the file's name says
what was filtered.
"""

import csv
import json
from collections import defaultdict
from contextvars import ContextVar
from decimal import Decimal
from functools import cached_property, wraps
from itertools import islice

from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import BooleanField, ForeignObjectRel
from django.db.models.expressions import RawSQL
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from bpo_portal.core.filtering import id_subquery

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
CHUNK = 2000
# What a spreadsheet reads as the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Cell values that only say the sources are silent: an empty cell says it in a CSV file.
NOT_STATED = {"not stated", "not stated in the sources"}
# Query parameters that choose how a list is shown or sent, not which rows.
NOT_FILTERS = {"format", "page", "sort"}
_download = ContextVar("download", default=None)


def spreadsheet_safe(text):
    """`text` with an apostrophe before it where a spreadsheet would otherwise run it as a
    formula; numbers are not text and are left alone."""
    if text and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_cell(value):
    """A value as a cell of a CSV download: empty for nothing or for "not stated", text safe
    from a spreadsheet's formulas."""
    if value is None:
        return ""
    if isinstance(value, str):
        if value.strip().lower() in NOT_STATED:
            return ""
        return spreadsheet_safe(value)
    return value


def export_format(request):
    fmt = request.GET.get("format", "")
    return fmt if fmt in FORMATS else None


def plain_number(value):
    """A stored decimal as the sources write it: 22, 1.5, 100000, not 22.000, 1.500, 1E+5."""
    return Decimal(format(value.normalize(), "f"))


def _plain(value):
    """A stored value as written out: a list joined by "; ", an empty string as nothing, a
    decimal without the zeros its column pads it with."""
    if isinstance(value, list):
        return "; ".join(map(str, value))
    if isinstance(value, Decimal):
        return plain_number(value)
    return None if value == "" else value


class Column:
    def __init__(self, model, spec):
        header, source = spec if isinstance(spec, tuple) else (spec, spec)
        self.header = header
        self.function = source if callable(source) else None
        self.field = None
        if self.function is None and source != "url":
            try:
                self.field = model._meta.get_field(source)
            except FieldDoesNotExist:
                self.attribute = source
        self.is_url = source == "url"
        if self.field is not None and getattr(self.field, "choices", None):
            self.labels = {value: str(label) for value, label in self.field.flatchoices}

    @property
    def reads_values(self):
        return self.field is not None or self.is_url

    @cached_property
    def is_many(self):
        return self.field is not None and self.field.many_to_many

    def link_table(self):
        """(through model, its column to this row, its column to the linked row) of a
        many-to-many field, declared here or on the other side."""
        if isinstance(self.field, ForeignObjectRel):
            forward = self.field.field
            through = forward.remote_field.through
            return through, forward.m2m_reverse_field_name(), forward.m2m_field_name()
        through = self.field.remote_field.through
        return through, self.field.m2m_field_name(), self.field.m2m_reverse_field_name()

    def accessor(self):
        if isinstance(self.field, ForeignObjectRel):
            return self.field.get_accessor_name()
        return self.field.name

    @cached_property
    def has_names(self):
        """Whether a many-to-many column's rows have names to write beside their slugs."""
        return self.is_many and any(f.name == "name" for f in self.field.related_model._meta.fields)

    def value_path(self):
        """The values() lookup of a field column."""
        if self.field.many_to_one:
            target = self.field.related_model._meta
            name = "name" if any(f.name == "name" for f in target.fields) else "slug"
            return f"{self.field.name}__{name}"
        return self.field.name

    def _related(self, obj):
        return getattr(obj, self.accessor()).all()

    def from_value(self, value):
        if self.field is not None and getattr(self.field, "choices", None):
            return self.labels.get(value, value)
        return _plain(value)

    def from_object(self, obj):
        if self.is_url:
            return obj.get_absolute_url()
        if self.function is not None:
            return self.function(obj)
        if self.field is None:
            return getattr(obj, self.attribute)
        if self.is_many:
            return sorted((row.slug, getattr(row, "name", None)) for row in self._related(obj))
        if self.field.many_to_one:
            related = getattr(obj, self.field.name)
            return getattr(related, self.value_path().split("__")[1]) if related else None
        return self.from_value(getattr(obj, self.field.attname))


def _url_maker(model):
    """The public address of a row from its pk and slug, reversing once: reversing (and making
    an instance) for every row took most of a large download's time."""
    pk, slug = 918273645, "slug-to-be-replaced"
    pattern = model(pk=pk, slug=slug).get_absolute_url()
    return lambda row_pk, row_slug: pattern.replace(slug, row_slug).replace(str(pk), str(row_pk))


def _links(through, source, ids):
    """The rows of a link table whose `source` column is one of `ids`, the ids passed as one
    parameter: an `__in` list converts and compiles every value, a large part of a large
    download's time (PostgreSQL: `= ANY(array)`, an index scan for the sorted ids)."""
    if connection.vendor != "postgresql":
        return through.objects.filter(**{f"{source}__in": id_subquery(ids)})
    quote = connection.ops.quote_name
    column = f"{quote(through._meta.db_table)}.{quote(through._meta.get_field(source).column)}"
    condition = RawSQL(f"{column} = ANY(%s)", [ids], output_field=BooleanField())
    return through.objects.filter(condition)


def _cell_readers(model, columns, plain, base):
    """For each column, a function of (row, links) giving its value; a row is (pk, slug, then
    the plain columns' values in order), links maps a many-to-many column to
    {pk: [(slug, name)]}."""
    url = _url_maker(model) if any(c.is_url for c in columns) else None
    place = {column: index for index, column in enumerate(plain, start=2)}
    readers = []
    for column in columns:
        if column.is_url:
            readers.append(lambda row, links: base + url(row[0], row[1]))
        elif column.is_many:
            readers.append(lambda row, links, c=column: sorted(links[c][row[0]]))
        elif getattr(column.field, "choices", None):
            readers.append(
                lambda row, links, i=place[column], c=column: c.labels.get(row[i], row[i])
            )
        else:
            readers.append(lambda row, links, i=place[column]: _plain(row[i]))
    return readers


def _value_rows(model, queryset, columns, base):
    plain = [c for c in columns if c.field is not None and not c.is_many]
    many = [c for c in columns if c.is_many]
    has_slug = any(f.name == "slug" for f in model._meta.fields)
    paths = ["pk", "slug" if has_slug else "pk", *(c.value_path() for c in plain)]
    readers = list(zip(columns, _cell_readers(model, columns, plain, base), strict=True))
    rows = queryset.values_list(*paths).iterator(chunk_size=CHUNK)
    while batch := list(islice(rows, CHUNK)):
        ids = [row[0] for row in batch]
        links = {}
        for column in many:
            through, source, target = column.link_table()
            links[column] = defaultdict(list)
            # Unordered: the slugs are sorted per row here, and sorting thousands of links in
            # the database first cost PostgreSQL a quarter of each query.
            pairs = _links(through, source, ids).order_by()
            name = f"{target}__name" if column.has_names else f"{target}__slug"
            for pk, slug, label in pairs.values_list(source, f"{target}__slug", name):
                links[column][pk].append((slug, label if column.has_names else None))
        for row in batch:
            yield {column: read(row, links) for column, read in readers}


def _object_rows(queryset, columns, base):
    related = [c.field.name for c in columns if c.field is not None and c.field.many_to_one]
    many = [c.accessor() for c in columns if c.is_many]
    if related:
        queryset = queryset.select_related(*related)
    queryset = queryset.prefetch_related(*many)
    for obj in queryset.iterator(chunk_size=CHUNK):
        row = {column: column.from_object(obj) for column in columns}
        for column in columns:
            if column.is_url:
                row[column] = base + row[column]
        yield row


def _headers(columns, names):
    """The header of each column, and with `names` a "<header>_names" one beside each
    many-to-many column whose rows have names."""
    headers = []
    for column in columns:
        headers.append(column.header)
        if names and column.has_names:
            headers.append(f"{column.header}_names")
    return headers


def _flat(row, names):
    """A row of column values as the values of its headers (see _headers): the slugs of linked
    rows joined by "; ", and with `names` their names beside them, in the same order."""
    values = []
    for column, value in row.items():
        if column.is_many:
            values.append("; ".join(slug for slug, _ in value))
            if names and column.has_names:
                values.append("; ".join(name for _, name in value))
        else:
            values.append(value)
    return values


def kind_rows(kind, queryset, *, base="", names=False):
    """(rows, headers): every row of `queryset` as a list of the kind's public export columns
    (with `names`, the names of linked rows beside their slugs); addresses start with `base`."""
    columns = [Column(kind.model, spec) for spec in kind.export_columns()]
    if all(column.reads_values for column in columns):
        rows = _value_rows(kind.model, queryset, columns, base)
    else:
        rows = _object_rows(queryset, columns, base)
    return (_flat(row, names) for row in rows), _headers(columns, names)


class _Echo:
    def write(self, value):
        return value


def _buffered(pieces, size=1 << 16):
    """Join small pieces into blocks of about `size` characters: the response encodes every
    block it is given, which per row cost as much as writing the row."""
    block, length = [], 0
    for piece in pieces:
        block.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(block)
            block, length = [], 0
    if block:
        yield "".join(block)


def _csv(rows, headers):
    writer = csv.writer(_Echo())
    # The byte order mark tells a spreadsheet the file is UTF-8 (Excel guesses otherwise).
    yield "\ufeff" + writer.writerow(headers)
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def _json(rows, headers):
    yield "["
    for index, row in enumerate(rows):
        text = json.dumps(dict(zip(headers, row, strict=True)), ensure_ascii=False, default=str)
        yield ("," if index else "") + "\n" + text
    yield "\n]\n"


def stream_rows(fmt, rows, headers, name):
    """Stream rows (lists of values in the order of `headers`) as a CSV or JSON download."""
    body = _buffered(_csv(rows, headers) if fmt == "csv" else _json(rows, headers))
    response = StreamingHttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.{fmt}")
    return response


def list_download(model, filterset=None):
    """Mark a list view that answers ?format=csv and ?format=json with rows of `model`, filtered
    by `filterset` where it has one: the /api/ page documents every view so marked. Put it next
    to the view (innermost), so that the decorators around it carry the mark on. While the view
    runs, export_response knows the request (for full addresses and the file's name)."""

    def mark(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            token = _download.set((request, filterset))
            try:
                return view(request, *args, **kwargs)
            finally:
                _download.reset(token)

        wrapper.download = (model, filterset)
        return wrapper

    return mark


def filtered_name(name, request, filterset):
    """The download's file name: `name`, then each filter the request applies and its values,
    e.g. "providers_service-call-centres_city-karachi". Values the filters refuse are left
    out, as the list leaves them out."""
    if request is None or filterset is None:
        return name
    data = request.GET
    checked = filterset(data, queryset=filterset._meta.model.objects.none(), request=request)
    refused = checked.form.errors if not checked.is_valid() else {}
    parts = [name]
    for key in filterset.base_filters:
        values = [value for value in data.getlist(key) if value.strip()]
        if key in NOT_FILTERS or key in refused or not values:
            continue
        parts.append(slugify(f"{key} {' or '.join(values)}"))
    return "_".join(part for part in parts if part)[:150]


def export_response(fmt, kind, queryset, name):
    """Stream `queryset` with the kind's public export columns as a download."""
    request, filterset = _download.get() or (None, None)
    base = request.build_absolute_uri("/")[:-1] if request is not None else ""
    rows, headers = kind_rows(kind, queryset, base=base, names=fmt == "csv")
    return stream_rows(fmt, rows, headers, filtered_name(name, request, filterset))
