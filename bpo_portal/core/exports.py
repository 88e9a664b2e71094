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


def object_rows(queryset, columns):
    """Rows of a (small) queryset as dicts, through `columns`: [(header, function of an object)]."""
    rows = queryset.iterator(chunk_size=CHUNK) if hasattr(queryset, "iterator") else queryset
    for obj in rows:
        yield {header: value(obj) for header, value in columns}


def _csv(rows, headers):
    writer = csv.writer(_Echo())
    yield writer.writerow(headers)
    for row in rows:
        yield writer.writerow(["" if v is None else v for v in row.values()])


def _json(rows):
    yield "["
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n" + json.dumps(row, ensure_ascii=False, default=str)
    yield "\n]\n"


def export_response(fmt, queryset, columns, name):
    """Stream `queryset` through `columns`, a list of (header, function of an object)."""
    return stream_rows(fmt, object_rows(queryset, columns), [h for h, _ in columns], name)


def stream_rows(fmt, rows, headers, name):
    """Stream dicts (keys in the order of `headers`) as a CSV or JSON download."""
    body = _csv(rows, headers) if fmt == "csv" else _json(rows)
    response = StreamingHttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
