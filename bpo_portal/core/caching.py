"""The one cache mechanism.

One `DataVersion` row counts changes to the knowledge base: the change journal
(core/journal.py) moves it once per transaction that writes knowledge, in that transaction, and
records there which tables it wrote.

`cached_page` stores a public page with the tables read to compute it and serves it while none
of them has changed since: a provider's save leaves the statistics page cached. What a page
takes from a store kept outside the database tables says what it stands for: `per_version`
values bring the tables they were read from, the stores that follow the data version as a whole
(`depends_on_everything`) make the page stale on any save. `versioned` caches one value under
the data version. Both read the version first (one query) and compute only on a miss. A cache
that fails (a Redis server gone away, a full disk) is treated as empty: pages are computed
instead, never broken.
"""

import contextvars
import functools
import hashlib
import logging
import re
import time
from contextlib import contextmanager
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


def current_version():
    return DataVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


_stamps = {}  # database alias -> the latest current_stamp() read in this process


def current_stamp():
    """(version, {table: version of its last change}), in one plain query: every request reads
    it, and building a queryset costs more than running the query."""
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number, changed FROM {table} WHERE id = 1")
        row = cursor.fetchone()
    changed = DataVersion._meta.get_field("changed")
    stamp = (row[0], changed.from_db_value(row[1], None, connection)) if row else (0, {})
    _stamps[connection.alias] = stamp
    return stamp


# Which tables statements read and write.

_TOKEN = re.compile(r"[a-z][a-z0-9]*_[a-z0-9_]+")
_reading = contextvars.ContextVar("bpo_reading", default=None)


@functools.cache
def data_tables():
    """The names of the tables that hold data, the version's own row apart."""
    from django.apps import apps

    from bpo_portal.core.search import FTS_FEW_TABLE, FTS_TABLE

    names = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    return frozenset(names | {FTS_TABLE, FTS_FEW_TABLE}) - {DataVersion._meta.db_table}


def tables_in(sql):
    return data_tables().intersection(_TOKEN.findall(sql))


def _note_reads(execute, sql, params, many, context):
    """Execute wrapper, while a page or a per-version value is computed: note the tables each
    statement names as read."""
    tables = _reading.get()
    if tables is not None:
        tables.update(tables_in(sql if isinstance(sql, str) else str(sql)))
    return execute(sql, params, many, context)


@contextmanager
def reading():
    """Collect the tables read inside the block (also by blocks within it) into the set it
    gives; they count as read by the block around it too."""
    tables = set()
    outermost = _reading.get() is None
    token = _reading.set(tables)
    try:
        if outermost:
            with connection.execute_wrapper(_note_reads):
                yield tables
        else:
            yield tables
    finally:
        _reading.reset(token)
        note_read(tables)


def note_read(tables):
    """Tell the page being computed that it shows what `tables` hold."""
    outer = _reading.get()
    if outer is not None:
        outer.update(tables)


def depends_on_everything():
    """For a store in the process that follows the data version as a whole: whatever page uses
    it is computed again after any save."""
    note_read((EVERYTHING,))


_per_version = {}  # (function, database alias) -> (version, value, tables read)
_loaders = []  # every function made by per_version, for load_per_version


def per_version(load):
    """Decorator: `load()` computed once per data version in this process and shared by its
    requests, called as `function(version)`, and kept for later versions while the tables it
    read are unchanged. For the small tables that many pages show beside their own rows:
    reading them once per change is cheaper than once per page."""

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
    """Compute every `per_version` value of the modules imported so far for `version`, as a
    worker does before its first request: otherwise the first page to need each one pays for
    it, in whichever worker it lands on."""
    for wrapper in _loaders:
        wrapper(version)


def forget_per_version():
    """Drop every value kept by `per_version` (tests roll the version back)."""
    _per_version.clear()
    _stamps.clear()


def after_restore(using="default"):
    """Call after a database is restored from a backup: the version it brings may be lower
    than what this or another process has cached, so it jumps past any number reached before
    (the clock in microseconds) and every derived store starts again."""
    with transaction.atomic(using=using):
        DataVersion.objects.using(using).update_or_create(
            pk=1, defaults={"number": time.time_ns() // 1000, "first_entry": None}
        )
        record_everything(using)


def request_stamp(request):
    """The data version and the tables' last changes, read once per request."""
    if not hasattr(request, "_data_stamp"):
        request._data_stamp = current_stamp()
    return request._data_stamp


def request_version(request):
    return request_stamp(request)[0]


def cache_key(name, parts):
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"bpo:{name}:{digest}"


def still_fresh(computed, tables, stamp):
    """Whether what was computed at version `computed` from `tables` (a page, a per-version
    value) still shows the data of `stamp`."""
    version, changed = stamp
    if computed > version:
        return False  # computed from another history of the database (a restore)
    if EVERYTHING in tables:
        return computed >= version
    return all(changed.get(table, 0) <= computed for table in (EVERYTHING, *tables))


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
    """Whether a computed page may be served to everyone: a plain 200 page that shows no message
    (one carried over, or one about this request's input), holds no CSRF token and does not ask
    not to be stored."""
    return (
        response.status_code == 200
        and not response.streaming
        and "no-store" not in response.get("Cache-Control", "")
        and not response.cookies
        and not len(get_messages(request))
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def brings_messages(request):
    """Whether the request carries messages to show (a cookie that holds none does not count)."""
    return "messages" in request.COOKIES and bool(len(get_messages(request)))


def cached_page(view):
    """Serve a public page from the cache while the tables it was computed from are unchanged,
    before any other query, with the headers it was computed with.

    A request bringing a message with it, and a download, are always computed; only pages
    that share nothing personal are stored (see shares_nothing_personal)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if (
            request.method not in ("GET", "HEAD")
            or export_format(request)  # streamed, never stored
            or brings_messages(request)
        ):
            return view(request, *args, **kwargs)
        # The host and scheme are part of a page (its canonical address, its links).
        where = (request.scheme, request.get_host(), request.get_full_path())
        key = cache_key("page", where)
        try:
            stamp = request_stamp(request)
        except DatabaseError:
            # The database is away, so nobody can have changed the data since the last version
            # this process read: a page fresh then is fresh now. Any other page: a 503.
            last = _stamps.get(connection.alias)
            hit = cache_get(key) if last is not None else None
            if hit is not None and still_fresh(hit[2], hit[3], last):
                return HttpResponse(hit[0], headers=hit[1])
            raise
        hit = cache_get(key)
        if hit is not None:
            content, headers, computed, tables = hit
            if still_fresh(computed, tables, stamp):
                return HttpResponse(content, headers=headers)
        with reading() as tables:
            response = view(request, *args, **kwargs)
        if shares_nothing_personal(request, response):
            cache_set(key, (response.content, dict(response.items()), stamp[0], tables))
        return response

    return wrapper
