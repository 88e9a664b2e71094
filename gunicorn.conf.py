"""gunicorn settings for `make serve`: the production configuration of BPO Portal."""

import gc
import multiprocessing
import os

wsgi_app = "bpo_portal.wsgi:application"
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = 60
graceful_timeout = 20
max_requests = 5000  # recycle workers now and then
max_requests_jitter = 500
limit_request_line = 8190  # longer request lines get a clean 414
limit_request_fields = 100
limit_request_field_size = 8190  # one header line; longer gets a 400
accesslog = os.environ.get("ACCESS_LOG", "-")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    """Refuse to start with an unsafe configuration (missing SECRET_KEY, no ALLOWED_HOSTS...)."""
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpo_portal.settings")
    django.setup()
    call_command("check", deploy=True, fail_level="ERROR")


# Python's own collection thresholds, applied between requests (see post_request); during a
# request only one that makes a hundred thousand objects triggers a collection.
COLLECT_BETWEEN = gc.get_threshold()
COLLECT_DURING = (100_000, *COLLECT_BETWEEN[1:])


def compile_templates(engine):
    """Compile the project's templates and the form widgets' into the engines' caches: the
    first page to use each would otherwise pay for parsing it, once in every worker."""
    from pathlib import Path

    import django.forms
    from django.forms.renderers import get_default_renderer

    for folder in engine.dirs:
        for path in Path(folder).rglob("*.html"):
            engine.get_template(path.relative_to(folder).as_posix())
    widgets = Path(django.forms.__file__).parent / "templates"
    renderer = get_default_renderer()
    for path in (widgets / "django" / "forms" / "widgets").glob("*.html"):
        renderer.get_template(path.relative_to(widgets).as_posix())


def prepare_reversing():
    """Build the tables `reverse()` searches, for the URLconf and for every namespace in it:
    the first `reverse()` into each would otherwise build them, in every worker (tens of
    milliseconds for the admin's hundreds of patterns)."""
    from contextlib import suppress

    from django.urls import NoReverseMatch, get_resolver, reverse

    def namespaces(resolver, prefix=""):
        for name, (_, inner) in resolver.namespace_dict.items():
            yield prefix + name
            yield from namespaces(inner, f"{prefix}{name}:")

    for namespace in namespaces(get_resolver()):
        with suppress(NoReverseMatch):  # no URL is named "-": the tables are built, then searched
            reverse(f"{namespace}:-")


class _Notifying:
    """A streamed response's blocks, telling the arbiter after each one that the worker is
    alive, as the sync worker itself does only between requests."""

    def __init__(self, response, notify):
        self.response, self.notify = response, notify

    def __iter__(self):
        for block in self.response:
            yield block  # resumed once the worker has written it
            self.notify()

    def close(self):
        self.response.close()


def alive_while_streaming(app, notify):
    """The WSGI application `app`, its streamed responses (downloads) calling `notify` after
    every block: `timeout` then stops a worker that has stopped making progress, not one
    sending a million-row CSV file. Other responses are passed on untouched (a file response
    keeps gunicorn's sendfile)."""

    def application(environ, start_response):
        response = app(environ, start_response)
        if getattr(response, "streaming", False):
            return _Notifying(response, notify)
        return response

    return application


def post_worker_init(worker):
    """Before the worker takes its first request: compile the templates, prepare the URL
    reversing, build the directory's facet index and read the other values kept per data
    version. Each step only spares the first requests some work, so one that fails (the
    database away for a moment, say) is logged and left to them, rather than stopping the
    worker, and with it gunicorn. Then set everything loaded so far aside from the garbage
    collector: it lives as long as the worker, and every full collection would walk it again
    (tens of milliseconds a time). From then on the collector runs between requests
    (post_request), not in the middle of one."""
    from importlib import import_module

    from django.conf import settings
    from django.db import DatabaseError
    from django.template import engines

    from bpo_portal.core import caching
    from bpo_portal.directory.facets import provider_index

    worker.wsgi = alive_while_streaming(worker.wsgi, worker.notify)
    import_module(settings.ROOT_URLCONF)  # imports the views and what they keep per data version
    steps = {
        "compiling the templates": lambda: compile_templates(engines["django"]),
        "preparing the URL reversing": prepare_reversing,
        "building the facet index": lambda: provider_index(caching.current_version()),
        "reading the values kept per data version": lambda: caching.load_per_version(
            caching.current_version()
        ),
    }
    for what, step in steps.items():
        try:
            step()
        except DatabaseError as error:  # the database away for a moment: one line, no traceback
            worker.log.warning("Worker start: %s waits for the database (%s).", what, error)
        except Exception:
            worker.log.exception("Worker start: %s failed; its first requests will do it.", what)
        worker.notify()  # a long step is no sign of a stuck worker
    gc.freeze()
    gc.set_threshold(*COLLECT_DURING)


def post_request(worker, req, environ, resp):
    """Run the collection Python would have run during the request, now that the response has
    been sent: the oldest generation whose count has reached its threshold (a collection of the
    younger ones counts towards it), as the collector itself chooses."""
    counts = gc.get_count()
    for generation in (2, 1, 0):
        if counts[generation] >= COLLECT_BETWEEN[generation]:
            gc.collect(generation)
            return
