"""Middleware that keeps faults and oversized requests from becoming 500s.

`DatabaseUnavailable` answers a request whose database went away with a 503 page that needs no
database, a `Retry-After` and one line in the log, instead of a traceback per request.
`BodyLimit` refuses a request whose declared body is larger than its path allows with a 413
page, before anything reads it.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)

RETRY_AFTER = 30  # seconds: a restart of the database usually takes less


def plain_page(template, status, context=None):
    """An error page from a template that reads nothing from the database."""
    return HttpResponse(loader.render_to_string(template, context), status=status)


def unavailable():
    response = plain_page("503.html", 503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


class DatabaseUnavailable:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        first_line = str(exception).strip().splitlines()[:1]
        logger.warning(
            "Database unavailable, answered 503: %s %s (%s: %s)",
            request.method,
            request.path,
            type(exception).__name__,
            first_line[0] if first_line else "",
        )
        return unavailable()


def body_limit(path):
    """The largest body, in bytes, accepted for a request to `path`."""
    for prefix, limit in settings.REQUEST_BODY_LIMITS.items():
        if path.startswith(prefix):
            return limit
    return settings.REQUEST_BODY_LIMIT


class BodyLimit:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body it cannot measure
        limit = body_limit(request.path_info)
        if length > limit:
            logger.warning(
                "Body too large, answered 413: %s %s (%d bytes, limit %d)",
                request.method,
                request.path,
                length,
                limit,
            )
            return plain_page("413.html", 413, {"limit_kb": limit // 1024})
        return self.get_response(request)
