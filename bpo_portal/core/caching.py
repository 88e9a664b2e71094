"""The one cache mechanism: everything cached is keyed by the data version.

One `DataVersion` row counts changes to the knowledge base: a transaction that saves, deletes or
relinks knowledge rows bumps it once, when it commits. Cache keys carry the version, so after a
save nothing cached before it is read again: there is nothing to delete.

`cached_page` caches a whole public page; `versioned` caches one value. Both read the version
first (one query) and compute only on a miss. `per_version` keeps a small value in the process
itself, computed again when the version moves on. A cache that fails (a Redis server gone away,
a full disk) is treated as empty: pages are computed instead, never broken.
"""

import hashlib
import logging
from functools import wraps

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpResponse

from bpo_portal.core.kinds import knowledge_models
from bpo_portal.core.models import DataVersion

TIMEOUT = 60 * 60
logger = logging.getLogger(__name__)

try:
    from redis import RedisError
except ImportError:  # the Redis client is only needed when CACHE_URL names a Redis server
    RedisError = OSError
CACHE_ERRORS = (OSError, EOFError, RedisError)


def current_version():
    return DataVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


_per_version = {}  # (function, database alias) -> (version, value)


def per_version(load):
    """Decorator: `load()` computed once per data version in this process and shared by its
    requests, called as `function(version)`. For the small tables that many pages show beside
    their own rows: reading them once per save is cheaper than once per page."""

    @wraps(load)
    def wrapper(version):
        key = (load, connection.alias)
        found = _per_version.get(key)
        if found is None or found[0] != version:
            # Replaced whole, never changed in place: another thread never sees it half-made.
            found = _per_version[key] = (version, load())
        return found[1]

    return wrapper


def forget_per_version():
    """Drop every value kept by `per_version` (tests roll the version back)."""
    _per_version.clear()


def bump_version():
    if not DataVersion.objects.filter(pk=1).update(number=F("number") + 1):
        DataVersion.objects.create(pk=1, number=1)


def bump_after_commit():
    """Bump the version once the current transaction commits, once however much it saved.

    Outside a transaction (autocommit) the change is already committed: bump now.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        bump_version()
        return
    pending = getattr(connection, "bpo_pending_bump", None)
    if pending and any(func is pending for _, func, _ in connection.run_on_commit):
        return  # already to run when this transaction commits

    def bump():
        connection.bpo_pending_bump = None
        bump_version()

    connection.bpo_pending_bump = bump
    transaction.on_commit(bump)


def on_save_or_delete(sender, **kwargs):
    """Signal receiver: a row was saved or deleted."""
    if sender in knowledge_models():
        bump_after_commit()


def on_links_changed(sender, instance, action, **kwargs):
    """Signal receiver: a many-to-many field of a row changed."""
    if action.startswith("post_") and type(instance) in knowledge_models():
        bump_after_commit()


def request_version(request):
    """The data version, read once per request."""
    if not hasattr(request, "_data_version"):
        request._data_version = current_version()
    return request._data_version


def cache_key(version, name, parts):
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"bpo:{version}:{name}:{digest}"


def cache_get(key):
    try:
        return cache.get(key)
    except CACHE_ERRORS as error:
        logger.warning("Cache unavailable, computing instead: %s", error)
        return None


def cache_set(key, value):
    try:
        cache.set(key, value, TIMEOUT)
    except CACHE_ERRORS as error:
        logger.warning("Cache unavailable, not stored: %s", error)


def versioned(request, name, parts, compute):
    """compute(), cached under `name` and `parts` for the data version this request sees."""
    key = cache_key(request_version(request), name, parts)
    value = cache_get(key)
    if value is None:
        value = compute()
        cache_set(key, value)
    return value


def shares_nothing_personal(request, response):
    """Whether a computed page may be served to everyone: a plain 200 page that shows no message
    (one carried over, or one about this request's input) and holds no CSRF token."""
    messages = getattr(request, "_messages", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not (messages is not None and len(messages))
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def cached_page(view):
    """Serve a public page from the cache for the current data version, before any other query.

    A request bringing a message with it is always computed, and only pages that share nothing
    personal are stored (see shares_nothing_personal)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        downloads = "format" in request.GET  # streamed, never stored
        if request.method not in ("GET", "HEAD") or "messages" in request.COOKIES or downloads:
            return view(request, *args, **kwargs)
        # The host and scheme are part of a page (its canonical address, its links).
        where = (request.scheme, request.get_host(), request.get_full_path())
        key = cache_key(request_version(request), "page", where)
        hit = cache_get(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if shares_nothing_personal(request, response):
            cache_set(key, (response.content, response["Content-Type"]))
        return response

    return wrapper
