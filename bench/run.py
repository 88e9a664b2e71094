"""The BPO Portal benchmark (`make bench`).

    python bench/run.py sqlite      build 1k/10k/100k SQLite databases and measure them
    python bench/run.py postgres    the same on the PostgreSQL server in DATABASE_URL
    python bench/run.py report      write docs/benchmarks.md from the results

Each database gets the knowledge base plus N generated demo providers (BENCH_SIZES, default
1000,10000,100000). The app runs under gunicorn (gunicorn.conf.py with 2 workers, DEBUG off;
see bench/gunicorn_bench.py) on 127.0.0.1. For each size:

- warm pages: wrk, a separate process, sends a bounded load (BENCH_SECONDS per measurement) to
  one URL at a time, after 20 warm-up requests, so pages come from the page cache;
- cold pages: lists of distinct URLs (COLD_MIXES), each requested exactly once by a threaded
  Python client, so no page is ever served from the page cache;
- the first request to each key page after a curator's save (a separate process saving
  through the ORM, which bumps the data version and writes the facet journal), and to the
  statistics page after a save of a figure it shows;
- the facet index's build time and memory, query counts, the CSV export, and at the largest
  size the EXPLAIN output of the key queries;
- Datasette and the Django admin on the same SQLite file in the same run;
- the README's backup command, then its restore command into an empty database, each timed.
"""

import contextlib
import http.client
import json
import math
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = ROOT / ".venv" / "bin"
DATASETTE = ROOT / ".venv-bench" / "bin" / "datasette"
LUA = ROOT / "bench" / "percentiles.lua"
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
# Warm pages come from the page cache in about a millisecond: 2 s gives thousands of requests,
# and keeps the default run (three sizes, both databases) within 15 minutes on 2 cores.
SECONDS = int(os.environ.get("BENCH_SECONDS", "2"))
WORKERS = 2
START_SECONDS = 900  # a worker builds its facet index before serving: long at 1,000,000
COMPARE_8 = "-vs-".join(f"demo-{n:06d}" for n in range(1, 9))
KEY = "directory_service_city"
ENDPOINTS = {
    "directory": ("Directory, unfiltered", "/providers/"),
    "directory_service": ("Directory, one service line", "/providers/?service=call-centres"),
    KEY: (
        "Directory, service line + city, with facet counts",
        "/providers/?service=call-centres&city=karachi",
    ),
    "directory_deep_page": (
        "Directory, service line + city, page 100",
        "/providers/?service=call-centres&city=karachi&page=100",
    ),
    "search": ("Text search", "/providers/?q=indus+data"),
    "profile": ("Profile", "/providers/demo-000042/"),
    "compare": ("Compare of 8 providers", f"/compare/{COMPARE_8}/"),
    "statistics": ("Statistics page", "/statistics/"),
}
BUDGETS_MS = {KEY: 20, "profile": 10, "compare": 25, "search": 30, "statistics": 20}

# Cold mixes: URLs requested once each. p50/p95 at 1 connection over one set of URLs, then
# requests per second at COLD_CONNECTIONS over another, never reusing a URL in one server run.
COLD_LATENCY_URLS = 300
COLD_THROUGHPUT_URLS = 300
COLD_CONNECTIONS = 4
COLD_SEED = 20260901
COLD_LIMIT_SECONDS = int(os.environ.get("BENCH_COLD_LIMIT_SECONDS", "300"))  # per phase

# The first request to each of these after a curator's save, SAVE_ROUNDS times each. The save
# is a provider's, but for the statistics page once more after a save of a figure it shows: a
# provider's save leaves that page cached, as it shows no provider.
SAVE_ROUNDS = int(os.environ.get("BENCH_SAVE_ROUNDS", "10"))
PROFILE_SLUG = "demo-000042"
AFTER_SAVE_PAGES = {
    KEY: ENDPOINTS[KEY],
    "profile": ("Profile", f"/providers/{PROFILE_SLUG}/"),
    "home": ("Home", "/"),
    "statistics": ("Statistics page", "/statistics/"),
    "statistics_figure": ("Statistics page, a figure on it saved", "/statistics/"),
    "compare": ENDPOINTS["compare"],
    "site_search": ("Site search", "/search/?q=indus"),
}


# Cold URL mixes. A mix turns the database's values (service line and city slugs with their
# primary keys, from database_values) into every combination, in a stable order; the benchmark
# shuffles them with a fixed seed and takes the first COLD_LATENCY_URLS + COLD_THROUGHPUT_URLS.
# Adding a mix is one entry in COLD_MIXES, e.g. for the site search
#
#     "search": ColdMix(
#         label="Site search", url_pattern="/search/?q=W",
#         combinations=lambda values: sorted(values["words"]),  # 600 or more distinct
#         path=lambda word, values: "/search/?" + urllib.parse.urlencode({"q": word}),
#     ),
#
# and the report shows it beside the directory's. To time a list of paths directly:
# cold_mix(server.url, latency_paths, throughput_paths) or cold_load(url, paths, connections).


@dataclass
class ColdMix:
    label: str
    url_pattern: str
    combinations: object  # values -> [combination, ...]
    path: object  # (combination, values) -> "/path?query"
    datasette_path: object = None  # (combination, values, database name) -> "/db/table?query"


def directory_combinations(values):
    return [
        (line, city, year)
        for line in sorted(values["lines"])
        for city in sorted(values["cities"])
        for year in range(1960, 2021)
    ]


def directory_path(combination, values):
    line, city, year = combination
    return "/providers/?" + urllib.parse.urlencode(
        {"service": line, "city": city, "founded_min": year}
    )


def datasette_through(line_pk, city_pk):
    """Datasette's many-to-many filters (`_through`) for a service line and a city."""
    return [
        ("_through", json.dumps(through))
        for through in (
            {"table": "directory_providerservice", "column": "service_line_id", "value": line_pk},
            {"table": "directory_providercity", "column": "city_id", "value": city_pk},
        )
    ]


def datasette_directory_path(combination, values, database):
    line, city, year = combination
    query = datasette_through(values["lines"][line], values["cities"][city]) + [
        ("founded_year__gte", year),
        ("_facet", "kind"),
        ("_facet", "founded_year"),
        ("_sort", "name"),
    ]
    return f"/{database}/directory_provider?{urllib.parse.urlencode(query)}"


def typed(name, rng):
    """How a reader might type a name: whole, lower case, half-typed, with one letter swapped,
    one word of it, or in the other spelling."""
    words = re.findall(r"[A-Za-z]+", name)
    if not words:
        return name
    word = rng.choice(words)
    choice = rng.randrange(6)
    if choice == 0:
        return name.lower()
    if choice == 1:
        return name[: max(3, len(name) // 2)]  # half typed
    if choice == 2 and len(word) >= 5:
        i = rng.randrange(1, len(word) - 2)
        return name.replace(word, word[:i] + word[i + 1] + word[i] + word[i + 2 :], 1)  # swapped
    if choice == 3:
        return word
    if choice == 4:
        return name.replace("centre", "center").replace("isation", "ization").replace("ise", "ize")
    return " ".join(words[:2]).upper() if len(words) > 1 else word.lower()


# Questions and many-word queries as new readers type them, for every service line and city.
QUESTIONS_OF_A_LINE = [
    "who offers {line}?",
    "which providers do {line}",
    "{line} outsourcing pakistan",
    "how many people work in {line}",
]
QUESTIONS_OF_A_LINE_AND_CITY = [
    "who offers {line} in {city}?",
    "{line} companies in {city}",
    "{line} {city}",
]


def question_queries(values):
    lines = [slug.replace("-", " ") for slug in values["lines"]]
    cities = [slug.replace("-", " ") for slug in values["cities"]]
    queries = {shape.format(line=line) for shape in QUESTIONS_OF_A_LINE for line in lines}
    queries |= {
        shape.format(line=line, city=city)
        for shape in QUESTIONS_OF_A_LINE_AND_CITY
        for line in lines
        for city in cities
    }
    return sorted(queries)


def search_words(values):
    """Distinct queries a reader might type: the names in the database as typed, and for a
    third of them, questions and many-word queries (question_queries)."""
    rng = random.Random(COLD_SEED)
    queries = set()
    for _ in range(20):
        for name in values["names"]:
            queries.add(typed(name, rng).strip())
    names = sorted(q for q in queries if len(q) >= 2)
    questions = question_queries(values)
    return sorted({*rng.sample(names, min(len(names), 2 * len(questions))), *questions})


def suggestion_prefixes(values):
    """What the box holds as a reader types each name: its first 3 to 8 letters."""
    return sorted(
        {name[:n].strip() for name in values["names"] for n in range(3, 9) if len(name) > n}
    )


COLD_MIXES = {
    "directory": ColdMix(
        label="Directory, service line × city × founded from",
        url_pattern="/providers/?service=S&city=C&founded_min=Y (Y in 1960–2020)",
        combinations=directory_combinations,
        path=directory_path,
        datasette_path=datasette_directory_path,
    ),
    "search": ColdMix(
        label="Site search, names as readers type them (typos, prefixes, spellings), "
        "a third questions and many-word queries",
        url_pattern="/search/?q=W",
        combinations=search_words,
        path=lambda query, values: "/search/?" + urllib.parse.urlencode({"q": query}),
    ),
    "suggest": ColdMix(
        label="Suggestions as you type",
        url_pattern="/search/suggest/?q=P",
        combinations=suggestion_prefixes,
        path=lambda prefix, values: "/search/suggest/?" + urllib.parse.urlencode({"q": prefix}),
    ),
}


def cold_sample(mix, values):
    """The mix's combinations for one server run: (latency set, throughput set), disjoint."""
    combinations = mix.combinations(values)
    random.Random(COLD_SEED).shuffle(combinations)
    wanted = COLD_LATENCY_URLS + COLD_THROUGHPUT_URLS
    if len(combinations) < wanted:
        raise RuntimeError(f"only {len(combinations)} distinct combinations, {wanted} needed")
    return combinations[:COLD_LATENCY_URLS], combinations[COLD_LATENCY_URLS:wanted]


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def cold_load(base_url, paths, connections):
    """Request each path once, from `connections` threads with one connection each.

    Returns latency percentiles (ms, over every request), requests per second (all requests
    over the wall time from the first request to the last response) and the errors: responses
    other than 2xx, and failed connections. Bounded by the number of paths and by
    COLD_LIMIT_SECONDS; a phase cut off by the limit says so (`complete`).
    """
    parts = urllib.parse.urlsplit(base_url)
    pending = iter(list(paths))
    lock = threading.Lock()
    latencies, failures = [], []
    deadline = time.monotonic() + COLD_LIMIT_SECONDS
    started = []
    barrier = threading.Barrier(connections, action=lambda: started.append(time.perf_counter()))

    def take():
        with lock:
            return next(pending, None)

    def client():
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        barrier.wait()
        while time.monotonic() < deadline and (path := take()) is not None:
            began = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                status = f"{type(error).__name__}: {error}"
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                latencies.append(elapsed)
                if not (isinstance(status, int) and 200 <= status < 300):
                    failures.append(f"{status} {path}")
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(COLD_LIMIT_SECONDS + 120)
    wall = time.perf_counter() - started[0]
    ordered = sorted(latencies)
    return {
        "urls": len(paths),
        "requests": len(ordered),
        "complete": len(ordered) == len(paths),
        "connections": connections,
        "seconds": round(wall, 2),
        "p50": round(percentile(ordered, 0.50), 2) if ordered else None,
        "p95": round(percentile(ordered, 0.95), 2) if ordered else None,
        "max": round(ordered[-1], 2) if ordered else None,
        "rps": round(len(ordered) / wall, 1) if wall > 0 else None,
        "errors": len(failures),
        "error_samples": failures[:5],
    }


def cold_mix(base_url, latency_paths, throughput_paths):
    """p50/p95 at 1 connection over one list of URL paths, req/s at COLD_CONNECTIONS over
    another: the measurement of any cold mix."""
    return {
        "latency": cold_load(base_url, latency_paths, 1),
        "throughput": cold_load(base_url, throughput_paths, COLD_CONNECTIONS),
    }


def cold_mixes(base_url, values, datasette_database=None):
    results = {}
    for name, mix in COLD_MIXES.items():
        latency, throughput = cold_sample(mix, values)
        if datasette_database is None:
            paths = [[mix.path(c, values) for c in chosen] for chosen in (latency, throughput)]
        elif mix.datasette_path:
            paths = [
                [mix.datasette_path(c, values, datasette_database) for c in chosen]
                for chosen in (latency, throughput)
            ]
        else:
            continue
        results[name] = {"label": mix.label, "urls": mix.url_pattern, **cold_mix(base_url, *paths)}
    return results


# Servers and processes


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cache_dir(database_url):
    return OUT / "cache" / re.sub(r"\W+", "-", database_url)


def app_env(database_url):
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "benchmark-only-key-" + "x" * 40,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
        # A fresh cache for each database, shared by the workers serving it.
        "CACHE_DIR": str(cache_dir(database_url)),
    }


def manage(env, *args, capture=False):
    result = subprocess.run(
        [BIN / "python", "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
    )
    return result.stdout


def django_shell(env, code):
    return manage(env, "shell", "--no-imports", "-c", code, capture=True).strip().splitlines()[-1]


def probe_code(name, out="", args=None):
    return (
        f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); import probes; "
        f"probes.main({name!r}, {out!r}, {args!r})"
    )


def probe(env, name, args=None):
    """Run one of bench/probes.py in a `manage.py shell` on the database; its JSON result."""
    out = OUT / f"probe-{os.getpid()}-{name}.json"
    env = {**env, "ALLOWED_HOSTS": "testserver,127.0.0.1"}
    manage(env, "shell", "--no-imports", "-c", probe_code(name, str(out), args))
    result = json.loads(out.read_text())
    out.unlink()
    return result


def build(env, size):
    started = time.monotonic()
    shutil.rmtree(env["CACHE_DIR"], ignore_errors=True)  # no page of an earlier run survives
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_knowledge")
    manage(env, "generate_demo_data", "--providers", str(size), "--seed", "1")
    django_shell(
        env,
        "from django.contrib.auth.models import User; "
        "User.objects.filter(username='bench').exists() or "
        "User.objects.create_superuser('bench', 'bench@example.org', 'bench-pass-123'); print('ok')",
    )
    return round(time.monotonic() - started, 1)


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status < 500:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


class Server:
    def __init__(self, args, env, url, ready_dir=None, workers=0):
        self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        self.url = url
        deadline = time.monotonic() + START_SECONDS
        while ready_dir and len(list(ready_dir.iterdir())) < workers:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{url}: the workers did not become ready")
            time.sleep(0.2)
        wait_for(url)

    def worker_pids(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def gunicorn(env, workers=WORKERS, recycle=False):
    """gunicorn.conf.py with `workers` workers; see bench/gunicorn_bench.py for what differs.
    Returns once every worker has built its facet index."""
    port = free_port()
    ready = OUT / "ready" / str(port)
    shutil.rmtree(ready, ignore_errors=True)
    ready.mkdir(parents=True)
    server_env = {
        **env,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "BENCH_READY_DIR": str(ready),
        "BENCH_RECYCLE": "1" if recycle else "0",
    }
    args = [BIN / "gunicorn", "-c", str(ROOT / "bench" / "gunicorn_bench.py")]
    return Server(args, server_env, f"http://127.0.0.1:{port}/", ready, workers)


def datasette(path):
    port = free_port()
    args = [
        DATASETTE, "serve", path, "--host", "127.0.0.1", "--port", str(port),
        "--setting", "suggest_facets", "off",
        # Let facets and counts finish, as ours do, instead of being cut off after 200 ms.
        "--setting", "facet_time_limit_ms", "60000",
        "--setting", "sql_time_limit_ms", "60000",
    ]  # fmt: skip
    return Server(args, os.environ, f"http://127.0.0.1:{port}/")


# Warm measurements (wrk on one URL)


def wrk(url, connections, headers=()):
    args = ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{SECONDS}s"]
    args += ["--timeout", "30s", "-s", str(LUA)]
    for header in headers:
        args += ["-H", header]
    output = subprocess.run(
        [*args, url], capture_output=True, text=True, timeout=SECONDS + 60, check=True
    ).stdout
    return json.loads(re.search(r"RESULT (\{.*\})", output).group(1))


def warm(url, headers=(), count=20):
    request = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in headers))
    for _ in range(count):
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()


def measure(url, headers=()):
    warm(url, headers)
    single = wrk(url, 1, headers)
    eight = wrk(url, 8, headers)
    return {
        "p50": single["p50"],
        "p95": single["p95"],
        "rps": eight["rps"],
        "errors": single["non_2xx_3xx"] + eight["non_2xx_3xx"] + eight["socket_errors"],
    }


def query_counts(env):
    return probe(env, "query_counts", [(name, path) for name, (_, path) in ENDPOINTS.items()])


def timed_get(url):
    """(status or error, milliseconds) of one GET on a new connection."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    began = time.perf_counter()
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        response = connection.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        status = f"{type(error).__name__}: {error}"
    finally:
        connection.close()
    return status, (time.perf_counter() - began) * 1000


class Saver:
    """A curator's `manage.py shell` process that saves a provider (or a figure) through the ORM
    on request."""

    def __init__(self, env):
        self.process = subprocess.Popen(
            [BIN / "python", "manage.py", "shell", "--no-imports", "-c", probe_code("saver")],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.reply("ready")

    def reply(self, word):
        while line := self.process.stdout.readline():
            if line.startswith(word):
                return line.split()
        raise RuntimeError(f"the saving process ended (exit {self.process.wait(timeout=30)})")

    def save(self, what, slug, number):
        """Save; return once it has committed and the data version has been bumped."""
        self.process.stdin.write(f"{what} {slug} {number}\n")
        self.process.stdin.flush()
        return int(self.reply("saved")[1])

    def close(self):
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def after_save(env, server):
    """For each key page, SAVE_ROUNDS times: a save in another process, then one request."""
    saver = Saver(env)
    results, number = {}, 0
    try:
        for name, (_, path) in AFTER_SAVE_PAGES.items():
            timed_get(server.url + path.lstrip("/"))  # opened once before, as a visitor had
            times, failures = [], []
            for _ in range(SAVE_ROUNDS):
                number += 1
                # The profile's own provider when the profile is measured, so the page changes.
                slug = PROFILE_SLUG if name == "profile" else f"demo-{100 + number:06d}"
                saver.save("statistic" if name == "statistics_figure" else "provider", slug, number)
                status, ms = timed_get(server.url + path.lstrip("/"))
                times.append(round(ms, 2))
                if not (isinstance(status, int) and 200 <= status < 300):
                    failures.append(f"{status} {path}")
            results[name] = {
                "median": round(statistics.median(times), 2),
                "max": max(times),
                "times": times,
                "errors": len(failures),
                "error_samples": failures[:5],
            }
    finally:
        saver.close()
    return results


def rss_kib(pid, field):
    match = re.search(rf"{field}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(match.group(1))


def csv_export(server):
    """Time the CSV export of every provider; the worker's peak RSS against its RSS before.
    A worker's peak is reset to its current RSS first (Linux's clear_refs), so that the
    growth is the download's, not an earlier peak such as building the facet index.
    A download cut off (say by gunicorn's worker timeout) is recorded, not raised."""
    pids = server.worker_pids()
    for pid in pids:
        # Without clear_refs (an old kernel) the growth may include an earlier peak.
        with contextlib.suppress(OSError):
            Path(f"/proc/{pid}/clear_refs").write_text("5")
    before = {pid: rss_kib(pid, "VmRSS") for pid in pids}
    started = time.perf_counter()
    size, error = 0, None
    try:
        with urllib.request.urlopen(server.url + "providers/?format=csv", timeout=300) as response:
            while chunk := response.read(1 << 16):
                size += len(chunk)
    except (OSError, http.client.HTTPException) as failure:
        error = f"{type(failure).__name__}: {failure}"
    seconds = time.perf_counter() - started
    alive = [pid for pid in pids if Path(f"/proc/{pid}").exists()]
    growth = max(((rss_kib(pid, "VmHWM") - before[pid]) / 1024 for pid in alive), default=None)
    return {
        "seconds": round(seconds, 2),
        "megabytes": round(size / 1e6, 1),
        "rss_growth_mb": round(growth, 1) if growth is not None else None,
        "error": error,
    }


def admin_cookie(env):
    code = (
        "from django.test import Client; c = Client(); "
        "from django.contrib.auth.models import User; "
        "c.force_login(User.objects.get(username='bench')); print(c.cookies['sessionid'].value)"
    )
    return f"Cookie: sessionid={django_shell(env, code)}"


def database_values(env):
    """{"lines": {slug: pk}, "cities": {slug: pk}, "names": [...]} of the database: the names
    are what readers search for (service lines, terms, industries, markets, providers)."""
    code = (
        "import json; from bpo_portal.directory.models import ServiceLine, City, Industry, "
        "Market, Provider; from bpo_portal.background.models import Term, Technology; "
        "names = [*ServiceLine.objects.values_list('name', flat=True), "
        "*Term.objects.values_list('term', flat=True), "
        "*Industry.objects.values_list('name', flat=True), "
        "*Market.objects.values_list('name', flat=True), "
        "*Technology.objects.values_list('name', flat=True), "
        "*Provider.objects.order_by('pk').values_list('name', flat=True)[:400]]; "
        "print(json.dumps({'lines': dict(ServiceLine.objects.values_list('slug', 'pk')), "
        "'cities': dict(City.objects.values_list('slug', 'pk')), 'names': names}))"
    )
    return json.loads(django_shell(env, code))


class Phases:
    """Wall time of each phase, printed as it starts, to keep the whole run's time in view."""

    def __init__(self, label):
        self.label, self.seconds, self.current, self.started = label, {}, None, 0.0

    def start(self, name):
        self.stop()
        print(f"[{self.label}] {name}", flush=True)
        self.current, self.started = name, time.monotonic()

    def stop(self):
        if self.current:
            self.seconds[self.current] = round(time.monotonic() - self.started, 1)
            self.current = None


def run_size(kind, database_url, size, sqlite_path=None, largest=False):
    env = app_env(database_url)
    phases = Phases(f"{kind} {size:,}")
    phases.start("build")
    result = {"size": size, "build_seconds": build(env, size), "endpoints": {}}
    manage(env, "collectstatic", "--noinput", "-v0")
    phases.start("query counts")
    result["queries"] = query_counts(env)
    phases.start("facet index build and memory")
    result["index"] = probe(env, "index_stats")
    values = database_values(env)
    result["cold_values"] = {"lines": len(values["lines"]), "cities": len(values["cities"])}
    phases.start("gunicorn start (workers build their index)")
    server = gunicorn(env)
    try:
        for name, (_, path) in ENDPOINTS.items():
            phases.start(f"warm {name}")
            result["endpoints"][name] = measure(server.url + path.lstrip("/"))
        phases.start("cold mixes")
        result["cold"] = cold_mixes(server.url, values)
        phases.start("first request after a save")
        result["after_save"] = after_save(env, server)
        phases.start("CSV export")
        result["csv"] = csv_export(server)
        line, city = values["lines"]["call-centres"], values["cities"]["karachi"]
        admin_path = (
            f"admin/directory/provider/?services__id__exact={line}&cities__id__exact={city}"
        )
        phases.start("admin changelist")
        result["admin"] = measure(server.url + admin_path, headers=[admin_cookie(env)])
    finally:
        server.stop()
    if sqlite_path and DATASETTE.exists():
        database = Path(sqlite_path).stem
        phases.start("datasette")
        query = urllib.parse.urlencode(
            datasette_through(line, city) + [("_facet", "kind"), ("_sort", "name")]
        )
        server = datasette(sqlite_path)
        try:
            result["datasette"] = measure(f"{server.url}{database}/directory_provider?{query}")
            phases.start("datasette cold mixes")
            result["datasette_cold"] = cold_mixes(server.url, values, database)
        finally:
            server.stop()
    if largest:
        phases.start("EXPLAIN")
        result["explain"] = probe(env, "explain")
    phases.start("backup and restore into an empty database")
    result["restore"] = backup_restore(kind, env, database_url, size)
    phases.start("data package")  # last: it makes the demo providers ordinary rows
    result["data_package"] = probe(env, "data_package")
    phases.stop()
    result["phase_seconds"] = phases.seconds
    return result


def empty_database(kind, name):
    """The URL of an empty database (no tables) of this engine, made afresh."""
    if kind == "sqlite":
        path = OUT / f"{name}.sqlite3"
        for leftover in OUT.glob(f"{name}.sqlite3*"):
            leftover.unlink()
        return f"sqlite:///{path}"
    import psycopg2

    base = os.environ["DATABASE_URL"]
    connection = psycopg2.connect(base)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    connection.close()
    return base.rsplit("/", 1)[0] + f"/{name}"


def drop_database(kind, url):
    if kind == "sqlite":
        for leftover in OUT.glob(Path(url.removeprefix("sqlite:///")).name + "*"):
            leftover.unlink()
        return
    import psycopg2

    connection = psycopg2.connect(os.environ["DATABASE_URL"])
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]}")
    connection.close()


def backup_restore(kind, env, database_url, size):
    """The README's backup command (`manage.py backup`, the engine's own copy), then its restore
    command (`manage.py restore FILE --noinput`) into an empty database, each timed whole (the
    command's start-up included); the restored database must hold as many providers."""
    suffix = "pgdump" if kind == "postgres" else "sqlite3"
    backup = OUT / f"backup-{kind}-{size}.{suffix}"
    backup.unlink(missing_ok=True)
    started = time.monotonic()
    manage(env, "backup", "--output", str(backup), capture=True)
    backup_seconds = time.monotonic() - started
    target = empty_database(kind, f"restored_{size}")
    restored_env = app_env(target)
    shutil.rmtree(restored_env["CACHE_DIR"], ignore_errors=True)
    try:
        started = time.monotonic()
        manage(restored_env, "restore", str(backup), "--noinput", capture=True)
        restore_seconds = time.monotonic() - started
        count = "from bpo_portal.directory.models import Provider; print(Provider.objects.count())"
        providers, restored = int(django_shell(env, count)), int(django_shell(restored_env, count))
    finally:
        drop_database(kind, target)
        shutil.rmtree(restored_env["CACHE_DIR"], ignore_errors=True)
        size_bytes = backup.stat().st_size if backup.exists() else 0
        for leftover in OUT.glob(f"{backup.name}*"):  # with SQLite's -wal and -shm files
            leftover.unlink()
    if restored != providers:
        raise RuntimeError(f"the restore holds {restored} providers, the database {providers}")
    return {
        "backup_seconds": round(backup_seconds, 2),
        "restore_seconds": round(restore_seconds, 2),
        "backup_bytes": size_bytes,
        "providers": providers,
    }


def run(kind):
    """Measure each size; each size's results go to bench/out/results-KIND-SIZE.json, so that
    a later `make bench SIZES=1000000` adds the optional tier to the earlier sizes' results."""
    OUT.mkdir(parents=True, exist_ok=True)
    started, began = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC", time.monotonic()
    origin, found = provenance(), versions(kind)
    for size in SIZES:
        cpu_start = cpu_check()
        largest = size == max(SIZES)
        if kind == "sqlite":
            path = OUT / f"sqlite-{size}.sqlite3"
            for leftover in OUT.glob(f"sqlite-{size}.sqlite3*"):
                leftover.unlink()
            result = run_size(kind, f"sqlite:///{path}", size, str(path), largest)
        else:
            import psycopg2

            base = os.environ["DATABASE_URL"]
            connection = psycopg2.connect(base)
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS bench_{size}")
                cursor.execute(f"CREATE DATABASE bench_{size}")
            connection.close()
            url = base.rsplit("/", 1)[0] + f"/bench_{size}"
            result = run_size(kind, url, size, largest=largest)
        record = {
            "kind": kind,
            "run_started": started,
            "provenance": {
                **origin,
                "cpu_check_start": cpu_start[0],
                "cpu_loop_ms_start": cpu_start[1],
                "cpu_check_end": (cpu_end := cpu_check())[0],
                "cpu_loop_ms_end": cpu_end[1],
            },
            "versions": found,
            "settings": settings(),
            "result": result,
        }
        (OUT / f"results-{kind}-{size}.json").write_text(json.dumps(record, indent=2))
    print(f"[{kind}] done in {time.monotonic() - began:.0f} s; results in {OUT}")


def settings():
    return {
        "warm_seconds": SECONDS,
        "workers": WORKERS,
        "cold_latency_urls": COLD_LATENCY_URLS,
        "cold_throughput_urls": COLD_THROUGHPUT_URLS,
        "cold_connections": COLD_CONNECTIONS,
        "cold_seed": COLD_SEED,
        "cold_limit_seconds": COLD_LIMIT_SECONDS,
        "save_rounds": SAVE_ROUNDS,
    }


def provenance():
    """The machine and the git commit the figures are measured on."""
    from report import machine

    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown commit"
    # docs/ is what the benchmarks write (make loadtest's report before make bench runs)
    if git("status", "--porcelain", "--", ".", ":!docs"):
        commit += " + uncommitted changes"
    return {"machine": machine(platform), "commit": commit}


SPIN = (
    "import time; t = time.perf_counter(); sum(range(15_000_000)); print(time.perf_counter() - t)"
)


def cpu_check():
    """(share, ms): how many cores' worth of CPU two busy processes got (2.0 when both cores are
    free for the benchmark, nearer 1.0 when other work on the machine takes one), and how long
    the same loop took one process alone (longer when the host's cores are slower)."""

    def spin(count):
        processes = [
            subprocess.Popen([sys.executable, "-c", SPIN], stdout=subprocess.PIPE, text=True)
            for _ in range(count)
        ]
        return max(float(process.communicate()[0]) for process in processes)

    alone = min(spin(1) for _ in range(2))
    together = spin(2)
    return round(2 * alone / together, 2), round(alone * 1000)


def versions(kind):
    if kind == "postgres":
        import psycopg2

        with (
            psycopg2.connect(os.environ["DATABASE_URL"]) as connection,
            connection.cursor() as cursor,
        ):
            cursor.execute("SHOW server_version")
            return {"PostgreSQL": cursor.fetchone()[0]}
    import sqlite3

    found = {"SQLite": sqlite3.sqlite_version}
    if DATASETTE.exists():
        python = DATASETTE.parent / "python"
        code = (
            "import sqlite3, datasette.version as v; print(sqlite3.sqlite_version, v.__version__)"
        )
        output = subprocess.run([python, "-c", code], capture_output=True, text=True).stdout
        if output.strip():
            sqlite, version = output.split()
            found["Datasette"] = f"{version} (SQLite {sqlite})"
    return found


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command in {"sqlite", "postgres"}:
        run(command)
    elif command == "report":
        from report import write_report

        write_report(OUT, ROOT / "docs" / "benchmarks.md", ENDPOINTS, KEY, BUDGETS_MS)
    else:
        sys.exit(__doc__)
