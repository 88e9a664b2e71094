"""Streamed CSV and JSON exports of list pages: every matching row, in constant memory."""

import csv
import json

from django.http import StreamingHttpResponse

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
CHUNK = 2000


class _Echo:
    def write(self, value):
        return value


def export_format(request):
    fmt = request.GET.get("format", "")
    return fmt if fmt in FORMATS else None


def _rows(queryset, columns):
    rows = queryset.iterator(chunk_size=CHUNK) if hasattr(queryset, "iterator") else queryset
    for obj in rows:
        yield {header: value(obj) for header, value in columns}


def _csv(rows, columns):
    writer = csv.writer(_Echo())
    yield writer.writerow([header for header, _ in columns])
    for row in rows:
        yield writer.writerow(["" if v is None else v for v in row.values()])


def _json(rows):
    yield "["
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n" + json.dumps(row, ensure_ascii=False, default=str)
    yield "\n]\n"


def export_response(fmt, queryset, columns, name):
    """`columns` is a list of (header, function of a row)."""
    rows = _rows(queryset, columns)
    body = _csv(rows, columns) if fmt == "csv" else _json(rows)
    response = StreamingHttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def joined(values):
    return "; ".join(values)
