"""The data version: one bump per committed transaction that changes knowledge, none otherwise."""

import pytest
from django.db import transaction

from bpo_portal.core.caching import current_stamp, current_version
from bpo_portal.core.models import DataVersion
from bpo_portal.directory.models import Provider
from bpo_portal.sector.models import Statistic
from tests.factories import ProviderServiceFactory

pytestmark = pytest.mark.django_db


def test_a_transaction_that_saves_many_rows_bumps_once(django_capture_on_commit_callbacks):
    before = current_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        ProviderServiceFactory()  # a provider, a service line, a category, a link, citations
        Provider.objects.filter(slug="ibex").first().save()  # and its history row
    assert len(callbacks) == 1
    assert current_version() == before + 1


def test_a_rolled_back_transaction_does_not_bump(django_capture_on_commit_callbacks):
    before = current_version()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        Provider.objects.filter(slug="ibex").first().save()
        raise RuntimeError("the save fails")
    assert callbacks == []
    assert current_version() == before


def test_a_bump_names_the_tables_its_transaction_wrote(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        ibex = Provider.objects.get(slug="ibex")
        ibex.description += " Edited."
        ibex.save()
    version, changed = current_stamp()
    assert changed["directory_provider"] == version
    assert changed["core_change"] == version  # the public change log its receivers wrote
    assert changed.get("sector_statistic", 0) < version
    assert DataVersion._meta.db_table not in changed


def test_rows_that_are_not_knowledge_do_not_bump(django_capture_on_commit_callbacks):
    from django.contrib.auth.models import User

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        User.objects.create_user("someone")
    assert callbacks == []


@pytest.fixture
def dead_cache_server(settings):
    """A Redis cache whose server is gone: nothing listens on the port."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
        }
    }


@pytest.mark.parametrize("url", ["/", "/providers/?service=call-centres", "/providers/ibex/"])
def test_losing_the_cache_server_never_breaks_a_page(client, dead_cache_server, url, caplog):
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200
        assert response.context is not None  # computed, as there is no cache to serve it
    assert "Cache unavailable" in caplog.text


def test_pages_are_shared_through_the_configured_cache(client, settings):
    """With CACHE_URL set (`make test-redis`) this runs against a real Redis server."""
    client.get("/statistics/")
    response = client.get("/statistics/")
    assert response.context is None  # the second request was served from the cache
    if settings.CACHE_URL:
        from django.core.cache import cache

        assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
        assert cache._cache.get_client().dbsize() > 0  # the page is stored in Redis


def test_the_file_cache_counts_its_files_on_one_write_in_many(tmp_path, monkeypatch):
    from bpo_portal.core.filecache import CULL_EVERY, FileCache

    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 2}})
    listings = []
    real = FileCache._list_cache_files
    monkeypatch.setattr(
        FileCache, "_list_cache_files", lambda self: listings.append(1) or real(self)
    )
    for n in range(3 * CULL_EVERY):
        cache.set(f"page-{n}", "html")
    assert len(listings) == 3  # not one per write
    assert len(list(tmp_path.glob("*.djcache"))) <= 10 + CULL_EVERY  # still bounded


def test_per_version_computes_once_per_data_version(django_capture_on_commit_callbacks):
    from bpo_portal.core.caching import per_version

    calls = []

    @per_version
    def rows():
        calls.append(1)
        return list(Provider.objects.values_list("slug", flat=True))

    version = current_version()
    assert rows(version) is rows(version) and len(calls) == 1
    with django_capture_on_commit_callbacks(execute=True):
        Provider.objects.filter(slug="ibex").update(slug="ibex-renamed")
        Provider.objects.get(slug="ibex-renamed").save()
    assert "ibex-renamed" in rows(current_version()) and len(calls) == 2


def test_a_providers_save_keeps_the_pages_that_do_not_show_providers(
    client, django_capture_on_commit_callbacks
):
    client.get("/statistics/")
    client.get("/providers/")
    with django_capture_on_commit_callbacks(execute=True):
        provider = Provider.objects.get(slug="ibex")
        provider.name = "Ibex Global"
        provider.save()
    assert client.get("/statistics/").context is None  # still served from the cache
    response = client.get("/providers/")
    assert response.context is not None and "Ibex Global" in response.text


def test_a_figures_save_computes_the_statistics_page_again(
    client, django_capture_on_commit_callbacks
):
    client.get("/statistics/")
    statistic = Statistic.objects.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        statistic.scope = "the figure's edited scope"
        statistic.save()
    response = client.get("/statistics/")
    assert response.context is not None and "edited scope" in response.text
