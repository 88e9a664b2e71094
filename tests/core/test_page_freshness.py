"""A save leaves cached only the pages that do not show what it changed: after a change to any
kind of knowledge, every page still served from the cache is the page computed now."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from bpo_portal.core.caching import (
    cache_key,
    current_stamp,
    current_version,
    forget_per_version,
    load_per_version,
)
from bpo_portal.core.kinds import knowledge_models
from bpo_portal.directory.facets import forget_indexes, provider_index
from tests.pages import PUBLIC

pytestmark = pytest.mark.django_db

NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# One address of each page kind (no error pages, no second page of a list).
PAGES = [url for url in PUBLIC if url not in ("/providers/?page=2", "/no-such-page/")]
TEXT_FIELDS = ("name", "title", "term", "claim", "text", "scope", "section", "note")


def edit(model):
    """Change the first row of `model` as a curator would: a text shown on pages gets longer,
    or, for a row that only links others, the link goes (or is made, when there is none)."""
    row = model._default_manager.order_by("pk").first()
    fields = model._meta.concrete_fields
    field = next((name for name in TEXT_FIELDS if name in {f.name for f in fields}), None)
    if field is None:
        if row is not None:
            row.delete()
        else:
            first = {
                f.name: f.related_model.objects.order_by("pk").first()
                for f in fields
                if f.is_relation
            }
            model._default_manager.create(**first)
        return
    setattr(row, field, f"{getattr(row, field)} edited")
    row.save()


def get(client, url):
    client.cookies.clear()  # as a new visitor: no message carried over from the page before
    return client.get(url)


def served(client):
    return {url: get(client, url) for url in PAGES}


_first_served = {}  # url -> (the data's stamp, the page's cache entry, or None if not stored)


def serve_every_page(client, urls):
    """Every page of `urls` computed and cached, and the facet index and per-version values
    built, as in a process that has served them all. Every test starts from the same data
    (rolled back), so each page is computed once and put back in each later test's cache."""
    stamp = repr(current_stamp())
    keys = {url: cache_key("page", ("http", "testserver", url)) for url in urls}
    for url in urls:
        if _first_served.get(url, (None,))[0] != stamp:
            get(client, url)
            _first_served[url] = (stamp, cache.get(keys[url]))
    cache.set_many({keys[url]: _first_served[url][1] for url in urls if _first_served[url][1]})
    version = current_version()
    provider_index(version)
    load_per_version(version)


@pytest.mark.parametrize(
    "model", sorted(knowledge_models(), key=lambda m: m._meta.label), ids=lambda m: m._meta.label
)
def test_no_page_served_from_the_cache_is_stale_after_a_save(
    client, model, django_capture_on_commit_callbacks
):
    serve_every_page(client, PAGES)
    with django_capture_on_commit_callbacks(execute=True):
        edit(model)
    kept = {url: r.content for url, r in served(client).items() if r.context is None}
    assert kept  # some pages do not show what changed (else this would check nothing)
    forget_indexes()  # as a fresh process: nothing kept in memory from before the save
    forget_per_version()
    with override_settings(CACHES=NO_CACHE):
        now = {url: get(client, url).content for url in kept}
    assert [url for url in kept if kept[url] != now[url]] == []
