"""A reader's correction sent while the database is away: the form again, with what they typed."""

import logging
from functools import wraps

from django.contrib import messages
from django.db import DatabaseError
from django.shortcuts import render

from bpo_portal.core.middleware import RETRY_AFTER
from bpo_portal.portal.forms import SuggestionForm
from bpo_portal.portal.selectors import local_page

logger = logging.getLogger(__name__)


def keeps_typed_text(view):
    """Decorator for the correction view: a POST the database fails is answered with a 503 that
    shows the form again, filled in with what the reader sent, and asks them to send it again.
    The page reads nothing from the database."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DatabaseError as error:
            if request.method != "POST":
                raise  # nothing typed to keep: the site's 503 page (core/middleware.py)
            logger.warning("Database unavailable, correction form shown again: %s", error)
        messages.error(
            request,
            "We could not save your correction just now. Nothing you typed is lost: it is "
            "still below. Please send it again in a minute.",
        )
        page = local_page(request.POST.get("page") or "")
        form = SuggestionForm(request.POST)
        fact = request.POST.get("fact", "")[:100]
        context = {"form": form, "page": page, "record": None, "fact": fact}
        response = render(request, "portal/suggest.html", context, status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response

    return wrapper
