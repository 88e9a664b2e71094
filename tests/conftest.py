import pytest
from django.contrib.auth.models import Group, User


def load_knowledge():
    from django.conf import settings

    from bpo_portal.portal.knowledge import KnowledgeLoader, read_knowledge

    KnowledgeLoader(read_knowledge(settings.KNOWLEDGE_FILE)).load()


_loaded = {}  # model -> (columns, rows) of every table once the knowledge base is loaded


def _tables():
    from django.apps import apps

    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _full_text_tables():
    from django.db import connection

    from bpo_portal.core.search import FTS_FEW_TABLE, FTS_TABLE

    return (FTS_TABLE, FTS_FEW_TABLE) if connection.vendor == "sqlite" else ()


def remember_loaded():
    """Read every row of every table (the knowledge base just loaded), to put back later."""
    from django.db import connection

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in _tables():
            columns = [field.column for field in model._meta.concrete_fields]
            cursor.execute(
                f"SELECT {', '.join(map(quote, columns))} FROM {quote(model._meta.db_table)}"
            )
            _loaded[model._meta.db_table] = (columns, cursor.fetchall())
        for table in _full_text_tables():
            cursor.execute(f"SELECT rowid, title, names, body, kind FROM {table}")
            _loaded[table] = (["rowid", "title", "names", "body", "kind"], cursor.fetchall())


def put_back_loaded():
    """Every table as remember_loaded() found it, in one transaction, in a second or so (loading
    the knowledge base again takes many): what a transactional test emptied or changed."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from bpo_portal.core.caching import forget_per_version
    from bpo_portal.directory.facets import forget_indexes

    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table in _loaded:
            cursor.execute(f"DELETE FROM {quote(table)}")
        for table, (columns, rows) in _loaded.items():
            if rows:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "
                    f"VALUES ({marks})",
                    rows,
                )
        for sql in connection.ops.sequence_reset_sql(no_style(), _tables()):
            cursor.execute(sql)
    ContentType.objects.clear_cache()
    forget_indexes()
    forget_per_version()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the real knowledge base, loaded once per session."""
    with django_db_blocker.unblock():
        load_knowledge()
        remember_loaded()


def empties_tables(item):
    """Whether the test is transactional (asked for by fixture or by marker, or by using the live
    server, which asks for it): its end flushes."""
    marker = item.get_closest_marker("django_db")
    by_marker = marker is not None and (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    fixtures = getattr(item, "fixturenames", ())
    return bool(by_marker) or "transactional_db" in fixtures or "live_server" in fixtures


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (browser tests among them) empties every table when it ends: put
    the knowledge base back, so that no other test depends on running before it."""
    result = yield
    # After the last test the test database is gone already: nothing follows to need it.
    if nextitem is not None and empties_tables(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            put_back_loaded()
    return result


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Serve static files without the hashed manifest that `collectstatic` builds."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def empty_cache(settings):
    """Each test starts with an empty cache (a rolled-back test leaves the version as it was):
    an in-memory one, or the Redis server named by CACHE_URL (`make test-redis`)."""
    if not settings.CACHE_URL:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    from bpo_portal.core.caching import forget_per_version
    from bpo_portal.directory.facets import forget_indexes

    cache.clear()
    forget_indexes()  # the journal it read may be rolled back with the last test
    forget_per_version()


@pytest.fixture
def worker_ready(db):
    """What each worker holds for the current data version before its first request: the
    directory's facet index (built before the first request) and the reference rows (read by
    the first page that needs them). A page's query bound is then the page's own; the queries
    of these are pinned in tests/directory/test_facets.py and test_views.py."""
    from bpo_portal.core.caching import current_version
    from bpo_portal.directory.facets import provider_index
    from bpo_portal.directory.selectors import reference_rows

    reference_rows(current_version())
    return provider_index(current_version())


@pytest.fixture
def curator(db):
    user = User.objects.create_user("curator", password="curator-pass-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Curators"))
    return user


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def many_providers(db):
    """120 extra providers, each with service lines, a city and citations: enough that a query
    per row on any page would break its query bound."""
    from tests.factories import bulk_providers

    return bulk_providers(120)


def pytest_addoption(parser):
    parser.addoption(
        "--screenshots",
        action="store_true",
        help="Write screenshots of the main pages to docs/screenshots/ (make screenshots).",
    )


def pytest_ignore_collect(collection_path, config):
    if collection_path.name == "test_screenshots.py":
        return not config.getoption("--screenshots")
    return None
