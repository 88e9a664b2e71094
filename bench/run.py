"""The BPO Portal benchmark (`make bench`).

    python bench/run.py sqlite      build 1k/10k/100k SQLite databases and measure them
    python bench/run.py postgres    the same on the PostgreSQL server in DATABASE_URL
    python bench/run.py report      write docs/benchmarks.md from the results

Each database gets the knowledge base plus N generated demo providers. The app runs under
gunicorn (2 workers, DEBUG off) on 127.0.0.1; wrk, a separate process, sends a bounded load
(a fixed duration per measurement). Datasette and the Django admin are measured on the same
SQLite file in the same run.
"""

import json
import os
import platform
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = ROOT / ".venv" / "bin"
DATASETTE = ROOT / ".venv-bench" / "bin" / "datasette"
LUA = ROOT / "bench" / "percentiles.lua"
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
SECONDS = int(os.environ.get("BENCH_SECONDS", "4"))
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


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(database_url):
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "benchmark-only-key-" + "x" * 40,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
        # A fresh cache for each database, shared by the workers serving it.
        "CACHE_DIR": str(OUT / "cache" / re.sub(r"\W+", "-", database_url)),
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


def build(env, size):
    started = time.monotonic()
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
    def __init__(self, args, env, url):
        self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        self.url = url
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


def gunicorn(env):
    port = free_port()
    args = [BIN / "gunicorn", "bpo_portal.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    return Server(args, env, f"http://127.0.0.1:{port}/")


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


QUERY_COUNTER = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client, counts = Client(), {}
for name, path in %r:
    client.get(path)  # the first request fills the caches, as under load
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
    counts[name] = len(ctx.captured_queries)
print(json.dumps(counts))
"""


def query_counts(env):
    paths = [(name, path) for name, (_, path) in ENDPOINTS.items()]
    env = {**env, "ALLOWED_HOSTS": "testserver"}
    return json.loads(django_shell(env, QUERY_COUNTER % paths))


def cold_request(env, url):
    """One request right after a data change, when every cached aggregate must be recomputed."""
    django_shell(env, "from bpo_portal.core.caching import bump_version; bump_version(); print(1)")
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
    return round((time.perf_counter() - started) * 1000, 1)


def rss_kib(pid, field):
    match = re.search(rf"{field}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(match.group(1))


def csv_export(server):
    """Time the CSV export of every provider; the worker's peak RSS against its RSS before."""
    pids = server.worker_pids()
    before = {pid: rss_kib(pid, "VmRSS") for pid in pids}
    started = time.perf_counter()
    size = 0
    with urllib.request.urlopen(server.url + "providers/?format=csv", timeout=120) as response:
        while chunk := response.read(1 << 16):
            size += len(chunk)
    seconds = time.perf_counter() - started
    growth = max((rss_kib(pid, "VmHWM") - before[pid]) / 1024 for pid in pids)
    return {
        "seconds": round(seconds, 2),
        "megabytes": round(size / 1e6, 1),
        "rss_growth_mb": round(growth, 1),
    }


def admin_cookie(env):
    code = (
        "from django.test import Client; c = Client(); "
        "from django.contrib.auth.models import User; "
        "c.force_login(User.objects.get(username='bench')); print(c.cookies['sessionid'].value)"
    )
    return f"Cookie: sessionid={django_shell(env, code)}"


def ids(env):
    code = (
        "from bpo_portal.directory.models import ServiceLine, City; "
        "print(ServiceLine.objects.get(slug='call-centres').pk, City.objects.get(slug='karachi').pk)"
    )
    return django_shell(env, code).split()


def run_size(kind, database_url, size, sqlite_path=None):
    env = app_env(database_url)
    print(f"[{kind} {size:,}] building", flush=True)
    result = {"size": size, "build_seconds": build(env, size), "endpoints": {}}
    manage(env, "collectstatic", "--noinput", "-v0")
    result["queries"] = query_counts(env)
    server = gunicorn(env)
    try:
        for name, (_, path) in ENDPOINTS.items():
            print(f"[{kind} {size:,}] {name}", flush=True)
            result["endpoints"][name] = measure(server.url + path.lstrip("/"))
        result["cold_key_ms"] = cold_request(env, server.url + ENDPOINTS[KEY][1].lstrip("/"))
        result["csv"] = csv_export(server)
        line, city = ids(env)
        admin_path = (
            f"admin/directory/provider/?services__id__exact={line}&cities__id__exact={city}"
        )
        print(f"[{kind} {size:,}] admin changelist", flush=True)
        result["admin"] = measure(server.url + admin_path, headers=[admin_cookie(env)])
    finally:
        server.stop()
    if sqlite_path and DATASETTE.exists():
        print(f"[{kind} {size:,}] datasette", flush=True)
        line, city = ids(env)
        through = [
            {"table": "directory_providerservice", "column": "service_line_id", "value": line},
            {"table": "directory_providercity", "column": "city_id", "value": city},
        ]
        query = urllib.parse.urlencode(
            [("_through", json.dumps(t)) for t in through] + [("_facet", "kind"), ("_sort", "name")]
        )
        server = datasette(sqlite_path)
        try:
            result["datasette"] = measure(
                f"{server.url}{Path(sqlite_path).stem}/directory_provider?{query}"
            )
        finally:
            server.stop()
    return result


def run(kind):
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for size in SIZES:
        if kind == "sqlite":
            path = OUT / f"sqlite-{size}.sqlite3"
            path.unlink(missing_ok=True)
            results.append(run_size(kind, f"sqlite:///{path}", size, str(path)))
        else:
            import psycopg2

            base = os.environ["DATABASE_URL"]
            connection = psycopg2.connect(base)
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS bench_{size}")
                cursor.execute(f"CREATE DATABASE bench_{size}")
            connection.close()
            results.append(run_size(kind, base.rsplit("/", 1)[0] + f"/bench_{size}", size))
    info = {"results": results, "versions": versions(kind)}
    (OUT / f"results-{kind}.json").write_text(json.dumps(info, indent=2))


def versions(kind):
    if kind == "postgres":
        import psycopg2

        with (
            psycopg2.connect(os.environ["DATABASE_URL"]) as connection,
            connection.cursor() as cursor,
        ):
            cursor.execute("SHOW server_version")
            return {"postgresql": cursor.fetchone()[0]}
    import sqlite3

    return {"sqlite": sqlite3.sqlite_version}


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command in {"sqlite", "postgres"}:
        run(command)
    elif command == "report":
        from report import write_report

        write_report(OUT, ROOT / "docs" / "benchmarks.md", BUDGETS_MS, ENDPOINTS, KEY, platform)
    else:
        sys.exit(__doc__)
