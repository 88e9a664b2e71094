"""The production gunicorn settings: a worker reads what it keeps before its first request,
the garbage collector runs between requests, and a long download is not taken for a stuck
worker."""

import gc
import http.client
import runpy
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest

from tests.core import slow_download

ROOT = Path(__file__).resolve().parents[2]
CONF = runpy.run_path(str(ROOT / "gunicorn.conf.py"))


@pytest.fixture
def collections():
    """The generations collected, with automatic collection off and the thresholds restored."""
    collected, thresholds, enabled = [], gc.get_threshold(), gc.isenabled()

    def note(phase, info):
        if phase == "start":
            collected.append(info["generation"])

    gc.disable()
    gc.collect()
    gc.callbacks.append(note)
    try:
        yield collected
    finally:
        gc.callbacks.remove(note)
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        if enabled:
            gc.enable()


def a_worker():
    """What post_worker_init needs of a gunicorn worker: its application, its word to the
    arbiter (counted) and its log (kept)."""
    worker = SimpleNamespace(wsgi=lambda environ, start_response: [], notes=0, logged=[])
    worker.notify = lambda: setattr(worker, "notes", worker.notes + 1)
    worker.log = SimpleNamespace(
        exception=lambda message, *args: worker.logged.append(("traceback", message % args)),
        warning=lambda message, *args: worker.logged.append(("one line", message % args)),
    )
    return worker


def after_request():
    CONF["post_request"](None, None, {}, None)


def test_after_a_response_the_due_collection_runs_the_oldest_generation_due(collections):
    after_request()
    assert collections == []  # nothing allocated since the last collection: none is due

    kept = [[n] for n in range(CONF["COLLECT_BETWEEN"][0] + 100)]
    after_request()
    assert collections == [0] and gc.get_count()[0] < len(kept)

    for generation, younger in ((1, 0), (2, 1)):
        collections.clear()
        for _ in range(CONF["COLLECT_BETWEEN"][generation]):
            gc.collect(younger)
        collections.clear()
        after_request()
        assert collections == [generation]


@pytest.mark.django_db
def test_a_ready_worker_collects_during_a_request_only_when_it_makes_very_many_objects(
    collections,
):
    CONF["post_worker_init"](a_worker())
    assert gc.get_threshold()[0] == CONF["COLLECT_DURING"][0] >= 100_000
    assert gc.get_freeze_count() > 0


@pytest.mark.django_db
def test_a_ready_worker_has_read_and_compiled_what_pages_use(
    collections, django_assert_num_queries
):
    from django.forms.renderers import get_default_renderer
    from django.template import engines
    from django.urls import URLResolver, clear_url_caches, reverse

    from bpo_portal.background.templatetags.glossary import term_pattern
    from bpo_portal.core.caching import current_version, forget_per_version
    from bpo_portal.directory.selectors import reference_rows
    from bpo_portal.sector.selectors import figure_disagreements
    from bpo_portal.sector.templatetags.disputes import disputed_records
    from bpo_portal.sources.selectors import sources_by_pk

    (templates,) = engines["django"].engine.template_loaders
    (widgets,) = get_default_renderer().engine.engine.template_loaders
    forget_per_version()
    templates.reset()
    widgets.reset()
    clear_url_caches()
    CONF["post_worker_init"](a_worker())
    version = current_version()
    with django_assert_num_queries(0):
        for kept in (
            term_pattern,
            reference_rows,
            sources_by_pk,
            figure_disagreements,
            disputed_records,
        ):
            kept(version)
    assert {"sector/statistic_list.html", "includes/disagreement.html"} <= set(
        templates.get_template_cache
    )
    assert "django/forms/widgets/select.html" in widgets.get_template_cache
    with mock.patch.object(URLResolver, "_populate", side_effect=AssertionError("built late")):
        for name in ("home", "directory:provider_list", "admin:index", "admin:login"):
            reverse(name)


SLOW_SERVER = """
import runpy
production = runpy.run_path({conf!r})
bind = {bind!r}
workers = 1
timeout = 2
accesslog = None
"""
KEEPING_ALIVE = """
def post_worker_init(worker):
    worker.wsgi = production["alive_while_streaming"](worker.wsgi, worker.notify)
"""


def download_from_gunicorn(tmp_path, config):
    """The body of the slow download (tests/core/slow_download.py) served by gunicorn's sync
    worker with a 2-second timeout, or the error that cut it short."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    conf = tmp_path / "gunicorn.conf.py"
    conf.write_text(config.format(conf=str(ROOT / "gunicorn.conf.py"), bind=f"127.0.0.1:{port}"))
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [gunicorn, "-c", str(conf), "tests.core.slow_download:app"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", "/")
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        try:
            return connection.getresponse().read()
        except http.client.HTTPException as error:
            return error
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_download_longer_than_the_worker_timeout_is_sent_whole(tmp_path):
    body = download_from_gunicorn(tmp_path, SLOW_SERVER + KEEPING_ALIVE)
    assert body == b"x" * 1000 * slow_download.BLOCKS


def test_without_word_from_the_stream_the_worker_is_stopped_mid_download(tmp_path):
    """What the test above guards against: the same download, the streamed blocks telling the
    arbiter nothing, is cut off by the timeout."""
    body = download_from_gunicorn(tmp_path, SLOW_SERVER)
    assert isinstance(body, http.client.IncompleteRead | http.client.RemoteDisconnected) or (
        len(body) < 1000 * slow_download.BLOCKS
    )


@pytest.mark.django_db
def test_a_failed_start_up_step_is_logged_and_the_worker_starts_all_the_same(
    collections, monkeypatch
):
    from django.db import DatabaseError

    from bpo_portal.core import caching

    def unreachable(version):
        raise DatabaseError("the database went away")

    def broken(version):
        raise ValueError("a bug")

    monkeypatch.setattr(caching, "load_per_version", unreachable)
    monkeypatch.setattr(caching, "current_version", lambda: 1)
    monkeypatch.setattr("bpo_portal.directory.facets.provider_index", broken)
    worker = a_worker()
    CONF["post_worker_init"](worker)
    assert worker.logged == [
        (
            "traceback",
            "Worker start: building the facet index failed; its first requests will do it.",
        ),
        (
            "one line",
            "Worker start: reading the values kept per data version waits for the database "
            "(the database went away).",
        ),
    ]
    assert worker.notes == 4  # once after each step
    assert gc.get_freeze_count() > 0  # and on to the end
