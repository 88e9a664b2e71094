"""A server that blinks: the database away, a hung or damaged cache. Never a 500."""

import logging
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
from django.db import OperationalError, connection

from bpo_portal.portal.models import Suggestion

pytestmark = pytest.mark.django_db


def database_away(execute, sql, params, many, context):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: refused')


@pytest.mark.parametrize("url", ["/", "/statistics/", "/providers/ibex/", "/search/?q=ibex"])
def test_with_the_database_away_a_page_is_a_503_with_one_line_in_the_log(client, url, caplog):
    with caplog.at_level(logging.WARNING), connection.execute_wrapper(database_away):
        response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "BPO Portal is back in a moment" in response.text
    assert response["X-Frame-Options"] == "DENY"
    records = [r for r in caplog.records if "Database unavailable" in r.getMessage()]
    assert len(records) == 1 and records[0].exc_info is None
    assert "Traceback" not in caplog.text


def test_with_the_database_away_pages_in_the_cache_are_served(client):
    cached = client.get("/statistics/")
    with connection.execute_wrapper(database_away):
        again = client.get("/statistics/")
        other = client.get("/glossary/")
    assert (again.status_code, again.content) == (200, cached.content)
    assert again["Content-Type"] == cached["Content-Type"]
    assert other.status_code == 503


def test_kept_database_connections_are_checked_before_reuse(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_a_correction_sent_while_the_database_is_away_keeps_what_was_typed(client):
    typed = {
        "page": "/providers/ibex/",
        "wrong": "The head count given for Ibex is from 2019, not today.",
        "should_be": "About 5,000 people according to its 2024 report.",
        "source_url": "https://example.org/ibex-2024",
        "email": "reader@example.org",
    }
    with connection.execute_wrapper(database_away):
        response = client.post("/suggest/", typed)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.text
    assert "We could not save your correction just now" in html
    for value in ("from 2019, not today.", "About 5,000 people", "ibex-2024", "reader@example"):
        assert value in html
    assert not Suggestion.objects.exists()


def test_a_damaged_file_cache_entry_is_a_miss_and_is_removed(tmp_path):
    from bpo_portal.core.filecache import FileCache

    cache = FileCache(str(tmp_path), {})
    for damage in (b"", b"\x80\x04garbage", b"not a pickle at all", b"\x80\x04K\x01." + b"xx"):
        cache.set("page", ("html", "text/html", 1, frozenset()))
        (path,) = tmp_path.glob("*.djcache")
        path.write_bytes(damage)
        assert cache.get("page", "miss") == "miss"
        assert not cache.has_key("page")
        assert not path.exists()
    cache.set("page", "fine")
    assert cache.get("page") == "fine"


def test_a_damaged_page_in_the_cache_is_computed_again(client, settings, tmp_path):
    settings.CACHES = {
        "default": {"BACKEND": "bpo_portal.core.filecache.FileCache", "LOCATION": str(tmp_path)}
    }
    client.get("/statistics/")
    for path in tmp_path.glob("*.djcache"):
        path.write_bytes(path.read_bytes()[:40])  # cut short, as a full disk would
    response = client.get("/statistics/")
    assert response.status_code == 200 and response.context is not None
    assert client.get("/statistics/").context is None  # stored again, and served


# A real Redis server, started for these tests (redis-server is installed where CI runs).


@pytest.fixture
def redis_server(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server not found; CI needs it")
        pytest.skip("redis-server not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield process, f"redis://127.0.0.1:{port}/0"
    process.send_signal(signal.SIGCONT)
    process.terminate()
    process.wait(10)


def guarded_cache(location, skip_seconds=30):
    from bpo_portal.core.cachebackends import GuardedRedisCache, forget_failures

    forget_failures()
    options = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
    return GuardedRedisCache(location, {"OPTIONS": options, "SKIP_SECONDS": skip_seconds})


def timed(call):
    start = time.monotonic()
    value = call()
    return value, time.monotonic() - start


def test_a_hung_redis_is_waited_on_once_then_skipped(redis_server):
    process, location = redis_server
    cache = guarded_cache(location, skip_seconds=1)
    cache.set("page", "html")
    assert cache.get("page") == "html"
    process.send_signal(signal.SIGSTOP)  # hung: connections open, nothing answers
    try:
        value, first = timed(lambda: cache.get("page"))
        assert value is None and first < 1  # one socket timeout, then a miss
        waits = [timed(lambda: (cache.get("page"), cache.set("other", "x")))[1] for _ in range(5)]
        assert max(waits) < 0.05  # skipped: no page waits twice
        with pytest.raises(ValueError):
            cache.incr("count")  # a counter too reads as missing, at once
    finally:
        process.send_signal(signal.SIGCONT)
    time.sleep(1.1)
    assert cache.get("page") == "html"  # tried again after the pause


def test_a_stopped_redis_is_skipped_and_pages_are_computed(redis_server, client, settings):
    process, location = redis_server
    settings.CACHES = {
        "default": {
            "BACKEND": "bpo_portal.core.cachebackends.GuardedRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    from bpo_portal.core.cachebackends import forget_failures

    forget_failures()
    process.terminate()
    process.wait(10)
    for _ in range(3):
        response = client.get("/statistics/")
        assert response.status_code == 200 and response.context is not None
    forget_failures()


def test_a_damaged_redis_entry_is_a_miss_and_is_removed(redis_server):
    _, location = redis_server
    cache = guarded_cache(location)
    cache.set("page", ("html", "text/html", 1, frozenset()))
    client = cache._cache.get_client()
    (key,) = client.keys("*page")
    client.set(key, b"\x80\x04garbage")
    assert cache.get("page", "miss") == "miss"
    assert not client.exists(key)
    client.set(key, b"\x80\x04garbage")
    assert cache.get_many(["page"]) == {}


def test_the_pages_for_faults_and_limits_are_valid_html(client, tmp_path, monkeypatch):
    """The 503, 413 and 429 pages are rendered without the database or the site's base page:
    the Nu Html Checker finds no error in them."""
    from bpo_portal.portal import throttle
    from tests.portal.test_markup import checker

    with connection.execute_wrapper(database_away):
        pages = {"503": client.get("/statistics/")}
    pages["413"] = client.post("/suggest/", {"wrong": "x" * 40_000})
    monkeypatch.setattr(throttle, "minute", lambda: 29_000_000)
    for _ in range(throttle.PER_MINUTE + 1):
        pages["429"] = client.get("/providers/?format=json", REMOTE_ADDR="203.0.113.9")
    for status, response in pages.items():
        assert str(response.status_code) == status
        (tmp_path / f"{status}.html").write_bytes(response.content)
    result = subprocess.run(
        [*checker(), "--errors-only", *map(str, sorted(tmp_path.iterdir()))],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
