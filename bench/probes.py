"""In-process measurements for bench/run.py, run inside `manage.py shell` on the database
under test (DATABASE_URL). Each writes its result as JSON to the file named by its argument.

    manage.py shell --no-imports -c "import sys; sys.path.insert(0, 'bench'); import probes; \
        probes.main('index_stats', '/tmp/out.json')"

`saver` is different: a curator's process that stays up, reads one line per save from stdin
(`slug number`), saves that provider through the ORM and answers `saved VERSION` once the save
has committed and the data version has been bumped.
"""

import gc
import json
import re
import sys
import time
from pathlib import Path

from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

DUMMY_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
KINDS = ["local", "multinational", "subsidiary"]
PROFILE = "demo-000042"
ID_ARRAY = re.compile(r"'\{\d+(?:,\d+){20,}\}'")
# The index build's whole-table reads (facets._rows): no WHERE, no ORDER BY.
SCAN = re.compile(r'SELECT [^;]+ FROM "?(directory_provider(?:service|city)?)"?')


def rss_kib(field="VmRSS"):
    text = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", text).group(1))


def reset_peak_rss():
    """Make VmHWM start again from the current RSS (Linux 4.0 and later)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


# Query counts


def query_counts(paths):
    """Queries per request: "cached" the second request (the page from the page cache, as for
    visitors between saves), "computed" with no cache at all (after a save)."""
    client, counts = Client(), {"cached": {}, "computed": {}}

    def count(path):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
            if response.streaming:
                b"".join(response.streaming_content)
        return len(ctx.captured_queries)

    for name, path in paths:
        client.get(path)  # the first request fills the caches, as under load
        counts["cached"][name] = count(path)
    with override_settings(CACHES=DUMMY_CACHE):
        for name, path in paths:
            counts["computed"][name] = count(path)
    return counts


# The facet index: build time and memory


def all_bitmaps(index):
    """Every bitmap the index holds, once: all providers, each facet value's, each year's."""
    yield index.providers
    seen = set()
    for per_value in (*index.own.values(), *index.bitmaps.values(), index.by_year):
        for bitmap in per_value.values():
            if id(bitmap) not in seen:
                seen.add(id(bitmap))
                yield bitmap


def index_stats(_args=None):
    from bpo_portal.core.caching import current_version
    from bpo_portal.directory.facets import ProviderIndex, forget_indexes, provider_index

    version = current_version()
    connection.ensure_connection()
    gc.collect()
    peak_reset = reset_peak_rss()
    before = rss_kib()
    started = time.perf_counter()
    index = provider_index(version)  # the first build of this process, as a worker's start
    first = time.perf_counter() - started
    peak = rss_kib("VmHWM")
    gc.collect()
    after = rss_kib()
    bitmaps = list(all_bitmaps(index))
    serialized = sum(len(bitmap.serialize()) for bitmap in bitmaps)
    again = []
    for _ in range(2):
        started = time.perf_counter()
        ProviderIndex().build(version)
        again.append(time.perf_counter() - started)
    forget_indexes()
    return {
        "providers": len(index.providers),
        "bitmaps": len(bitmaps),
        "serialized_bytes": serialized,
        "first_build_seconds": round(first, 3),
        "best_build_seconds": round(min([first, *again]), 3),
        "rss_growth_mb": round((after - before) / 1024, 1),
        "rss_peak_growth_mb": round((peak - before) / 1024, 1) if peak_reset else None,
    }


# EXPLAIN of the key queries


class Recorder:
    """An execute wrapper that keeps every statement with its parameters."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params))
        return execute(sql, params, many, context)


def recorded(action):
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        action()
    return recorder.statements


def explain(sql, params):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN ANALYZE " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            # The id list, written into the plan, shortened (as in the statement shown).
            return ID_ARRAY.sub(lambda m: f"'{{<{m.group(0).count(',') + 1:,} ids>}}'", plan)
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        rows = cursor.fetchall()
    depth, lines = {0: -1}, []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return "\n".join(lines)


def shown(sql, params, limit=300):
    """The statement with its parameters, long ones (id lists) shortened."""
    values = []
    for value in params or ():
        text = repr(value)
        if len(text) > 80:
            count = len(value) if isinstance(value, list | tuple) else len(json.loads(value))
            text = f"<{count:,} ids>"
        values.append(text)
    sql = sql if len(sql) <= 4000 else sql[:4000] + " …"
    return f"{sql}\n-- parameters: [{', '.join(values)}]" if values else sql


def entry(title, statement):
    sql, params = statement
    started = time.perf_counter()
    plan = explain(sql, params)
    return {
        "title": title,
        "sql": shown(sql, params),
        "plan": plan,
        "explain_seconds": round(time.perf_counter() - started, 3),
    }


def explain_queries(_args=None):
    from bpo_portal.core.caching import current_version
    from bpo_portal.directory.facets import ProviderIndex, provider_index
    from bpo_portal.directory.filters import SELECTIVE

    results = []
    client = Client()
    with override_settings(CACHES=DUMMY_CACHE):  # every request computed, none from the cache
        provider_index(current_version())  # built before, so its build is not in the request
        client.get("/providers/?service=call-centres&city=karachi&founded_min=1960")
        client.get(f"/providers/{PROFILE}/")  # the process's own caches (content types) filled
        # (a) the directory's ids query for a selective filter: the earliest year (the most
        # providers) that still has the ids read by id list (at most SELECTIVE matches).
        for year in (2000, 2010, 2015, 2018, 2021):
            path = f"/providers/?service=call-centres&city=karachi&founded_min={year}"
            statements = recorded(lambda path=path: client.get(path))
            by_ids = [s for s in statements if "json_each" in s[0] or "unnest" in s[0]]
            if by_ids:
                results.append(
                    entry(
                        f"(a) Directory ids query, `{path}` ({len(statements)} statements in "
                        f"the request; a selective filter, at most {SELECTIVE:,} matching "
                        "providers, has the database sort the ids the facet index found)",
                        by_ids[0],
                    )
                )
                break
        else:
            results.append({"title": "(a) Directory ids query", "sql": "", "plan": "not found"})
        # (b) the profile's main query (the provider by slug) and the one reading the citations
        # of the provider and all its links
        path = f"/providers/{PROFILE}/"
        statements = recorded(lambda: client.get(path))
        main = [s for s in statements if PROFILE in [str(p) for p in s[1] or ()]]
        cited = [s for s in statements if "sources_citation" in s[0]]
        count = len(statements)
        if main:
            results.append(entry(f"(b) Profile main query, `{path}` ({count} statements)", main[0]))
        if cited:
            results.append(
                entry("(b) Profile, the citations of the provider and its links", cited[0])
            )
    # (c) the index build's table scans
    statements = recorded(lambda: ProviderIndex().build(current_version()))
    for sql, params in statements:
        scan = SCAN.fullmatch(sql.strip())
        if scan:
            results.append(entry(f"(c) Index build, scan of {scan.group(1)}", (sql, params)))
    return {"vendor": connection.vendor, "queries": results}


# The open-data package at this size


def data_package(_args=None):
    """Build the downloadable data package with every provider in it, and time it.

    The package leaves generated demo data out, so the demo providers and their source are first
    made ordinary curated rows (this is the probe's last use of the database). The build runs
    in this process, so the peak of its resident memory above the start is the build's own."""
    import tempfile

    from bpo_portal.directory.demo import DEMO_SOURCE
    from bpo_portal.directory.models import Provider
    from bpo_portal.portal import downloads
    from bpo_portal.sources.models import Source

    with transaction.atomic():
        Provider.objects.filter(is_demo=True).update(is_demo=False)
        Source.objects.filter(slug=DEMO_SOURCE["slug"]).update(slug="generated-providers")
    with (
        tempfile.TemporaryDirectory(prefix="bench-downloads-") as folder,
        override_settings(DOWNLOADS_DIR=folder),
    ):
        connection.ensure_connection()
        gc.collect()
        peak_reset = reset_peak_rss()
        before = rss_kib()
        started = time.perf_counter()
        built = downloads.package()
        seconds = time.perf_counter() - started
        peak = rss_kib("VmHWM")
        resources = built.descriptor()["resources"]
        rows = {resource["name"]: resource["rows"] for resource in resources}
        files = {entry.name: entry.stat().st_size for entry in built.folder.iterdir()}
    return {
        "seconds": round(seconds, 2),
        "providers": rows.get("providers"),
        "rows": sum(rows.values()),
        "tables": len(rows),
        "zip_bytes": files.get(downloads.ZIP),
        "sqlite_bytes": files.get(downloads.SQLITE),
        "total_bytes": sum(files.values()),
        "rss_before_mb": round(before / 1024, 1),
        "rss_peak_growth_mb": round((peak - before) / 1024, 1) if peak_reset else None,
    }


# The curator's process for "first request after a save"


def saver():
    from bpo_portal.core.caching import current_version
    from bpo_portal.directory.models import Provider
    from bpo_portal.sector.models import Statistic

    print("ready", flush=True)
    for line in sys.stdin:
        what, slug, number = line.split()
        with transaction.atomic():
            if what == "statistic":
                # The first figure: its scope gains or loses a closing full stop, which the
                # page shows and which keeps the figure in the same chart.
                figure = Statistic.objects.select_for_update().order_by("pk").first()
                scope = figure.scope.rstrip(".")
                figure.scope = scope if figure.scope.endswith(".") else f"{scope}."
                figure.save()
            else:
                provider = Provider.objects.select_for_update().get(slug=slug)
                provider.description = f"Benchmark edit {number}: a curator's correction."
                now = KINDS.index(provider.kind) if provider.kind in KINDS else -1
                provider.kind = KINDS[(now + 1) % len(KINDS)]
                provider.save()
        # The journal moved the data version in the same transaction.
        print("saved", current_version(), flush=True)


def main(name, out, args=None):
    if name == "saver":
        saver()
        return
    functions = {
        "query_counts": query_counts,
        "index_stats": index_stats,
        "explain": explain_queries,
        "data_package": data_package,
    }
    Path(out).write_text(json.dumps(functions[name](args), indent=2))
