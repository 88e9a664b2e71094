import os
import shutil
import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread
from pytest_django.live_server_helper import LiveServer

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


# Journeys of curators, who write and meet each other's edits: `make test` runs them on the
# PostgreSQL leg (production's engine), the readers' journeys on the SQLite leg.
CURATORS = {"test_curation_journeys.py", "test_edit_conflict.py"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if item.path.name in CURATORS:
                item.add_marker(pytest.mark.curators)


def chromium_path():
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Chromium is not installed (apt-get install chromium); browser tests need it."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API refuses to start inside a running event loop; Django's async-unsafe
    # checks would then trip in the live server thread, so allow them while the browser runs.
    # Playwright starts Chromium with a fresh, temporary profile of its own on every launch.
    # The tests then run in a context of Playwright's, where Django opens connections anew:
    # the ones open now are closed first, or PostgreSQL's test database would still have one
    # when it is dropped at the end of the run (SQLite's in-memory one is never closed).
    connections.close_all()
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()
        connections.close_all()  # those opened in Playwright's context, as above


class OneRequestAtATime(ThreadedWSGIServer):
    """Django's threaded test server, running one request's view at a time (each response is
    read whole inside the lock). On SQLite the test database lives in memory, shared by the
    connections of the request threads, and two requests at once (a search suggestion still in
    flight when the search page is asked for) have failed there with "bad parameter or other
    API misuse". Waiting for the lock also lets a test's end wait for the requests its pages
    left in flight, before the tables are emptied and put back."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.serving = threading.Lock()

    def set_app(self, application):
        def one_at_a_time(environ, start_response):
            with self.serving:
                response = application(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    if hasattr(response, "close"):
                        response.close()

        super().set_app(one_at_a_time)

    def finish_requests(self):
        with self.serving:
            pass


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, on `OneRequestAtATime`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LiveServerThread, "server_class", OneRequestAtATime)
        server = LiveServer(request.config.getvalue("liveserver") or "localhost")
    yield server
    server.stop()


@pytest.fixture
def site(live_server, transactional_db):
    """The live server with the knowledge base. The test's pages are closed when it ends (each
    `page` fixture before this one); what they left in flight is answered before the tables are
    emptied."""
    yield live_server.url
    live_server.thread.httpd.finish_requests()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def page_at(browser, site):
    """Opens pages at a given viewport (`page_at(PHONE)`), each in a context of its own."""
    contexts = []

    def open_at(viewport):
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_at
    for context in contexts:
        context.close()
