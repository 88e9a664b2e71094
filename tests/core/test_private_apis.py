"""The few private attributes of Django the site still relies on (the README lists them, with
why): each checked here, so that an upgrade that changes one fails loudly in this file rather
than quietly on a page."""

import inspect

import pytest
from django.core.cache.backends.filebased import FileBasedCache
from django.db.models.query import QuerySet
from django.forms import ModelMultipleChoiceField
from django.urls import URLPattern, URLResolver, get_resolver


def test_a_queryset_keeps_its_rows_and_prefetch_state_where_prefetching_stores_them():
    # core/prefetching.py stores related rows as prefetch_related does, without a queryset each.
    source = inspect.getsource(QuerySet)
    assert "self._result_cache = None" in source
    assert "self._prefetch_done = False" in source
    from django.db.models.fields.related_descriptors import create_reverse_many_to_one_manager

    assert "_prefetched_objects_cache" in inspect.getsource(create_reverse_many_to_one_manager)


def test_the_multiple_choice_field_checks_its_values_in_one_overridable_method():
    # core/filtering.py checks chosen values against rows kept in memory instead of a query.
    assert "def _check_values(self, value)" in inspect.getsource(ModelMultipleChoiceField)
    assert "self._check_values(value)" in inspect.getsource(ModelMultipleChoiceField.clean)


@pytest.mark.parametrize(
    "name", ["_cull", "_key_to_file", "_delete", "_list_cache_files", "_cull_frequency"]
)
def test_the_file_cache_has_what_our_file_cache_builds_on(tmp_path, name):
    # core/filecache.py culls by age and reads entries with its own damage handling.
    cache = FileBasedCache(str(tmp_path), {})
    assert hasattr(cache, name)
    assert cache._max_entries == 300


def test_url_patterns_expose_their_regex_and_namespaces():
    # portal/api.py lists the addresses without parameters; gunicorn.conf.py builds the
    # reversing tables of every namespace before the first request.
    resolver = get_resolver()
    patterns = [p for p in resolver.url_patterns if isinstance(p, URLPattern)]
    assert all(hasattr(p.pattern.regex, "groups") for p in patterns)
    assert all(isinstance(inner, URLResolver) for _, inner in resolver.namespace_dict.values())


def test_the_postgresql_cursor_copies_from_a_file():
    # directory/demo.py loads demo rows with COPY on PostgreSQL (psycopg2's copy_expert).
    psycopg2 = pytest.importorskip("psycopg2")
    assert hasattr(psycopg2.extensions.cursor, "copy_expert")
