"""The one cache mechanism: pages and values kept while the tables they were computed from
are unchanged since the data version the journal moves (README, Caching). A failing cache
counts as empty.
"""

import contextvars
import functools
import hashlib
import logging
import re
import time
from contextlib import contextmanager, nullcontext
from functools import wraps

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse

from bpo_portal.core.exports import export_format
from bpo_portal.core.journal import EVERYTHING, record_everything
from bpo_portal.core.models import DataVersion

TIMEOUT = 60 * 60
logger = logging.getLogger(__name__)

try:
    from redis import RedisError
except ImportError:  # the Redis client is only needed when CACHE_URL names a Redis server
    RedisError = OSError
CACHE_ERRORS = (OSError, EOFError, RedisError)

_stamps = {}  # database alias -> the latest current_stamp() read in this process


def current_stamp():
    """(version, {table: version of its last change}), in one plain query, not a queryset."""
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number, changed FROM {table} WHERE id = 1")
        row = cursor.fetchone()
    changed = DataVersion._meta.get_field("changed")
    stamp = (row[0], changed.from_db_value(row[1], None, connection)) if row else (0, {})
    _stamps[connection.alias] = stamp
    return stamp


def current_version():
    return current_stamp()[0]


def request_stamp(request):
    """current_stamp(), read once per request."""
    if not hasattr(request, "_data_stamp"):
        request._data_stamp = current_stamp()
    return request._data_stamp


def request_version(request):
    return request_stamp(request)[0]


# Which tables a page or a per-version value read.

_TOKEN = re.compile(r"[a-z][a-z0-9]*_[a-z0-9_]+")
_reading = contextvars.ContextVar("bpo_reading", default=None)


@functools.cache
def data_tables():
    """The names of the tables that hold data, the version's own row apart."""
    from django.apps import apps

    from bpo_portal.core.search import FTS_FEW_TABLE, FTS_TABLE

    names = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    return frozenset(names | {FTS_TABLE, FTS_FEW_TABLE}) - {DataVersion._meta.db_table}


def _note_reads(execute, sql, params, many, context):
    tables = _reading.get()
    if tables is not None:
        tables.update(data_tables().intersection(_TOKEN.findall(str(sql))))
    return execute(sql, params, many, context)


@contextmanager
def reading():
    """Collect into the set it gives the tables read inside the block; they count as read by
    the block around it too."""
    outermost = _reading.get() is None
    token = _reading.set(tables := set())
    try:
        with connection.execute_wrapper(_note_reads) if outermost else nullcontext():
            yield tables
    finally:
        _reading.reset(token)
        note_read(tables)


def note_read(tables):
    """Tell the page being computed that it shows what `tables` hold."""
    if (outer := _reading.get()) is not None:
        outer.update(tables)


def depends_on_everything():
    """For a store that follows the data version as a whole: its page is stale after any save."""
    note_read((EVERYTHING,))


_per_version = {}  # (function, database alias) -> (version, value, tables read)
_loaders = []  # every function made by per_version


def per_version(load):
    """Decorator: `load()` computed once per data version in this process, called as
    `function(version)`, and kept for later versions while the tables it read are unchanged."""

    @wraps(load)
    def wrapper(version):
        key = (load, connection.alias)
        found = _per_version.get(key)
        if found is not None and found[0] != version:
            stamp = _stamps.get(connection.alias)
            if stamp is not None and stamp[0] == version and still_fresh(found[0], found[2], stamp):
                found = _per_version[key] = (version, *found[1:])
        if found is None or found[0] != version:
            with reading() as tables:
                value = load()
            # Replaced whole, never changed in place: another thread never sees it half-made.
            found = _per_version[key] = (version, value, frozenset(tables))
        note_read(found[2])
        return found[1]

    _loaders.append(wrapper)
    return wrapper


def load_per_version(version):
    """Compute every `per_version` value imported so far (a worker, before its first request)."""
    for wrapper in _loaders:
        wrapper(version)


def forget_per_version():
    """Drop every value kept by `per_version` (tests roll the version back)."""
    _per_version.clear()
    _stamps.clear()


def after_restore(using="default"):
    """After a restore from a backup, whose version may be lower than one already cached: jump
    past any number reached before (the clock in microseconds); every derived store restarts."""
    with transaction.atomic(using=using):
        DataVersion.objects.using(using).update_or_create(
            pk=1, defaults={"number": time.time_ns() // 1000, "first_entry": None}
        )
        record_everything(using)


def still_fresh(computed, tables, stamp):
    """Whether what was computed at version `computed` from `tables` still shows `stamp`."""
    version, changed = stamp
    if computed > version:
        return False  # computed from another history of the database (a restore)
    if EVERYTHING in tables:
        return computed >= version
    return all(changed.get(table, 0) <= computed for table in (EVERYTHING, *tables))


def cache_key(name, parts):
    return f"bpo:{name}:{hashlib.sha256(repr(parts).encode()).hexdigest()[:32]}"


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
    depends_on_everything()
    key = cache_key(f"{request_version(request)}:{name}", parts)
    value = cache_get(key)
    if value is None:
        value = compute()
        cache_set(key, value)
    return value


def shares_nothing_personal(request, response):
    """Whether a page may be served to everyone: a plain 200 that shows no message, holds no
    CSRF token and does not ask not to be stored."""
    return (
        response.status_code == 200
        and not response.streaming
        and "no-store" not in response.get("Cache-Control", "")
        and not response.cookies
        and not len(get_messages(request))
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def cached_page(view):
    """Serve a public page from the cache, before any other query, while the tables it was
    computed from are unchanged. A request bringing messages, and a download, are computed."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if (
            request.method not in ("GET", "HEAD")
            or export_format(request)  # streamed, never stored
            or ("messages" in request.COOKIES and len(get_messages(request)))
        ):
            return view(request, *args, **kwargs)
        # The host and scheme are part of a page (its canonical address, its links).
        key = cache_key("page", (request.scheme, request.get_host(), request.get_full_path()))
        away = None
        try:
            stamp = request_stamp(request)
        except DatabaseError as error:
            # The database is away, so nobody can have changed the data since the last version
            # this process read: a page fresh then is fresh now. Any other page: a 503.
            away, stamp = error, _stamps.get(connection.alias)
        hit = cache_get(key) if stamp is not None else None
        if hit is not None and still_fresh(hit[2], hit[3], stamp):
            return HttpResponse(hit[0], headers=hit[1])
        if away:
            raise away
        with reading() as tables:
            response = view(request, *args, **kwargs)
        if shares_nothing_personal(request, response):
            cache_set(key, (response.content, dict(response.items()), stamp[0], tables))
        return response

    return wrapper
