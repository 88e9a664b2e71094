"""A budget per client for the requests the page cache cannot answer.

A download (`?format=csv` or `json` on a list) is computed on every request, and so is a page
requested with a `messages` cookie. A reader needs a few of each a minute; a client that sends
more gets a 429 page for its downloads, and its pages without the messages (so from the cache),
until the minute is over. The counts are kept in the cache shared by the workers; if it fails,
nobody is limited.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template import loader

from bpo_portal.core.caching import CACHE_ERRORS
from bpo_portal.core.exports import export_format
from bpo_portal.portal.selectors import client_address

logger = logging.getLogger(__name__)

PER_MINUTE = 30


def minute():
    return int(time.time() // 60)


def spent(request):
    """How many costly requests this client has sent in the current minute, this one included;
    0 if the cache cannot say."""
    address = client_address(request)
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:24]
    key = f"bpo:costly:{minute()}:{digest}"
    try:
        cache.add(key, 0, 120)
        return cache.incr(key)
    except (*CACHE_ERRORS, ValueError):  # ValueError: the count vanished (evicted, skipped)
        return 0


class CostlyRequestBudget:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            download = export_format(request) is not None
            if (download or "messages" in request.COOKIES) and spent(request) > PER_MINUTE:
                if download:
                    logger.warning("Download refused, over the budget: %s", request.path)
                    content = loader.render_to_string("429.html", {"per_minute": PER_MINUTE})
                    response = HttpResponse(content, status=429)
                    response["Retry-After"] = str(60 - int(time.time()) % 60)
                    return response
                del request.COOKIES["messages"]  # the page as everyone sees it, cached
        return self.get_response(request)
