"""A WSGI application whose one response streams for longer than the worker timeout the
serving tests give gunicorn (tests/core/test_serving.py)."""

import time

BLOCKS = 10
PAUSE = 0.5  # seconds before each block: 5 s in all


class Streamed:
    streaming = True  # as Django's streamed responses say

    def __iter__(self):
        for _ in range(BLOCKS):
            time.sleep(PAUSE)
            yield b"x" * 1000

    def close(self):
        pass


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return Streamed()
