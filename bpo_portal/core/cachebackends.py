"""Django's Redis cache, given up on quickly when the server fails.

A Redis server that is down refuses at once, but one that hangs (stopped, swapping, a network
that drops packets) makes every call wait out the socket timeout. After a call fails, this
backend skips Redis for SKIP_SECONDS in the whole process: reads are misses and writes are
dropped, so a page waits for a failing server at most once, and the next call after the pause
tries it again. An entry that cannot be unpickled is a miss, and is deleted.
"""

import contextlib
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import RedisError

from bpo_portal.core.filecache import DAMAGED

logger = logging.getLogger(__name__)

SKIP_SECONDS = 5

_skip_until = {}  # server location -> time.monotonic() before which it is skipped
_lock = threading.Lock()


class CheckedClient(RedisCacheClient):
    """Reads that drop an entry they cannot unpickle instead of failing on it."""

    def _load(self, client, key, value):
        try:
            return self._serializer.loads(value)
        except DAMAGED as error:
            logger.warning("Damaged cache entry %s deleted: %s", key, error)
            client.delete(key)
            raise LookupError(key) from error

    def get(self, key, default):
        client = self.get_client(key)
        value = client.get(key)
        if value is None:
            return default
        try:
            return self._load(client, key, value)
        except LookupError:
            return default

    def get_many(self, keys):
        client = self.get_client(None)
        found = {}
        for key, value in zip(keys, client.mget(keys), strict=True):
            if value is not None:
                with contextlib.suppress(LookupError):
                    found[key] = self._load(client, key, value)
        return found


def _guarded(failed):
    """Run the method unless its server is being skipped; on a Redis error, start skipping it.
    `failed(args, kwargs)` is what the method gives instead."""

    def decorate(method):
        def wrapper(self, *args, **kwargs):
            if time.monotonic() < _skip_until.get(self._location, 0):
                return failed(args, kwargs)
            try:
                return method(self, *args, **kwargs)
            except RedisError as error:
                self._skip(error)
                return failed(args, kwargs)

        wrapper.__name__ = method.__name__
        wrapper.__doc__ = method.__doc__
        return wrapper

    return decorate


def _default(args, kwargs):
    return kwargs.get("default", args[1] if len(args) > 1 else None)


def _missing(args, kwargs):
    raise ValueError(f"Key {args[0]!r} not found: the cache server is being skipped.")


class GuardedRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = CheckedClient
        self._location = server if isinstance(server, str) else ",".join(server)
        self.skip_seconds = params.get("SKIP_SECONDS", SKIP_SECONDS)

    def _skip(self, error):
        with _lock:
            if time.monotonic() < _skip_until.get(self._location, 0):
                return
            _skip_until[self._location] = time.monotonic() + self.skip_seconds
        logger.warning(
            "Cache server failed (%s: %s); skipping it for %d s",
            type(error).__name__,
            error,
            self.skip_seconds,
        )

    get = _guarded(_default)(RedisCache.get)
    get_many = _guarded(lambda args, kwargs: {})(RedisCache.get_many)
    has_key = _guarded(lambda args, kwargs: False)(RedisCache.has_key)
    add = _guarded(lambda args, kwargs: False)(RedisCache.add)
    set = _guarded(lambda args, kwargs: None)(RedisCache.set)
    set_many = _guarded(lambda args, kwargs: [])(RedisCache.set_many)
    touch = _guarded(lambda args, kwargs: False)(RedisCache.touch)
    delete = _guarded(lambda args, kwargs: False)(RedisCache.delete)
    delete_many = _guarded(lambda args, kwargs: None)(RedisCache.delete_many)
    incr = _guarded(_missing)(RedisCache.incr)


def forget_failures():
    """Try every server again at once (tests)."""
    _skip_until.clear()
