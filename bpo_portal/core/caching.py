"""Caching of expensive aggregates and rendered pages, invalidated by any change to curated data.

Every save or delete in the knowledge apps bumps one DataVersion row; cache keys carry the
version, so after a change every worker recomputes instead of serving stale counts.
"""

import hashlib

from django.core.cache import cache
from django.db.models import F
from django.utils.functional import SimpleLazyObject

from bpo_portal.core.models import DataVersion

KNOWLEDGE_APPS = {"sources", "directory", "sector"}
TIMEOUT = 60 * 60


def current_version():
    row = DataVersion.objects.filter(pk=1).values_list("number", flat=True).first()
    return row or 0


def bump_version(**kwargs):
    if not DataVersion.objects.filter(pk=1).update(number=F("number") + 1):
        DataVersion.objects.create(pk=1, number=1)


def request_version(request):
    """The data version, read once per request."""
    if not hasattr(request, "_data_version"):
        request._data_version = current_version()
    return request._data_version


def data_version(request):
    """Context processor: `data_version` for {% cache %} keys, read only if a template uses it."""
    return {"data_version": SimpleLazyObject(lambda: request_version(request))}


def cached(request, name, parts, compute):
    """compute(), cached under `name` and `parts` for the data version seen by this request."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"bpo:{request_version(request)}:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def on_change(sender, **kwargs):
    if sender._meta.app_label in KNOWLEDGE_APPS:
        bump_version()
