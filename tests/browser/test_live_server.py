"""The browser tests' live server runs one request at a time, and a test's end waits for the
requests its pages left in flight."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test.testcases import QuietWSGIRequestHandler

from .conftest import OneRequestAtATime


@pytest.fixture
def server():
    httpd = OneRequestAtATime(("127.0.0.1", 0), QuietWSGIRequestHandler)
    yield httpd
    httpd.server_close()


def test_requests_that_arrive_together_are_answered_one_at_a_time(server):
    inside, most = 0, 0
    counting = threading.Lock()

    def application(environ, start_response):
        nonlocal inside, most
        with counting:
            inside += 1
            most = max(most, inside)
        time.sleep(0.02)
        with counting:
            inside -= 1
        start_response("200 OK", [])
        return iter([b"answered ", environ["PATH_INFO"].encode()])

    server.set_app(application)
    serve = server.get_app()
    with ThreadPoolExecutor(max_workers=4) as pool:
        bodies = list(pool.map(lambda n: serve({"PATH_INFO": f"/{n}"}, print), range(8)))
    assert bodies == [[f"answered /{n}".encode()] for n in range(8)]
    assert most == 1


def test_the_end_of_a_test_waits_for_the_request_in_flight(server):
    started, answered = threading.Event(), threading.Event()

    def application(environ, start_response):
        started.set()
        time.sleep(0.2)
        answered.set()
        start_response("200 OK", [])
        return [b""]

    server.set_app(application)
    request = threading.Thread(target=server.get_app(), args=({}, lambda *_: None))
    request.start()
    started.wait(5)
    server.finish_requests()
    assert answered.is_set()
    request.join()


def test_the_browser_tests_use_it(live_server):
    assert isinstance(live_server.thread.httpd, OneRequestAtATime)
