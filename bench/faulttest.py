"""`make faulttest`: servers that blink under a bounded load, and never a 500.

Run inside .ci/with-postgres (a throwaway PostgreSQL server; DATABASE_URL names it). It starts
a Redis server of its own and gunicorn with the production configuration (gunicorn.conf.py, two
workers) on 127.0.0.1, and keeps a few connections requesting a mix of pages while it
stops and restarts PostgreSQL, stops and restarts Redis, and hangs Redis with SIGSTOP. Every
response must be a whole page (200) or the 503 page with Retry-After: one 500, one other
status, one failed connection or one traceback in the log fails the run (exit 1). Afterwards
every page must equal the same page computed afresh (the cache emptied).

The load is bounded in time (about a minute in all) and in count (MAX_REQUESTS), and goes
only to 127.0.0.1. The figures go to the "Faults under load" section of docs/reliability.md.
"""

import http.client
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sections import replace_section

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONNECTIONS = 3
MAX_REQUESTS = 100_000
PAGES = [
    "/",
    "/statistics/",
    "/providers/",
    "/providers/?service=call-centres",
    "/providers/ibex/",
    "/services/",
    "/cities/",
    "/search/?q=karachi",
    "/incentives/",
    "/sources/",
]
REPORT_START = "## Faults under load"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on 127.0.0.1:{port}")


class Postgres:
    """The server .ci/with-postgres started, found through DATABASE_URL."""

    def __init__(self, url):
        match = re.fullmatch(r"postgres://(\w+)@127\.0\.0\.1:(\d+)/(\w+)", url)
        if not match:
            raise SystemExit("make faulttest runs inside .ci/with-postgres (DATABASE_URL).")
        self.port = int(match[2])
        import psycopg2

        connection = psycopg2.connect(url)
        with connection.cursor() as cursor:
            cursor.execute("SHOW data_directory")
            self.data = cursor.fetchone()[0]
        connection.close()
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
        self.pg_ctl = str(bins[-1] / "pg_ctl")
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.options = (
            f"-h 127.0.0.1 -p {self.port} -k {Path(self.data).parent} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )

    def stop(self):
        subprocess.run([*self.as_pg, self.pg_ctl, "-D", self.data, "-m", "fast", "stop"],
                       check=True, capture_output=True)  # fmt: skip

    def start(self):
        log = str(Path(self.data).parent / "server.log")
        subprocess.run(
            [*self.as_pg, self.pg_ctl, "-D", self.data, "-l", log, "-w", "start", "-o",
             self.options],
            check=True, capture_output=True,
        )  # fmt: skip


class Redis:
    def __init__(self, folder):
        self.port = free_port()
        self.folder = folder
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)

    def hang(self):
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def flush(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            sock.sendall(b"FLUSHALL\r\n")
            assert sock.recv(64).startswith(b"+OK")


def fetch(port, path, timeout=30):
    """(status, headers, body, seconds) of one GET, or (None, error, b"", seconds)."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        body = response.read()
        return response.status, dict(response.getheaders()), body, time.monotonic() - started
    except OSError as error:
        return None, repr(error), b"", time.monotonic() - started
    finally:
        connection.close()


class Load:
    """CONNECTIONS threads requesting PAGES in turn until stopped; each response is noted
    with the phase it began in."""

    def __init__(self, port):
        self.port = port
        self.phase = "warm-up"
        self.results = []
        self.problems = []
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self.work, args=(n,)) for n in range(CONNECTIONS)]

    def work(self, number):
        turn = number
        while not self.stopped.is_set() and len(self.results) < MAX_REQUESTS:
            path = PAGES[turn % len(PAGES)]
            turn += 1
            phase = self.phase
            status, headers, body, seconds = fetch(self.port, path)
            self.results.append((phase, status, seconds))
            if status is None:
                self.problems.append(f"{phase}: {path}: no response ({headers})")
            elif status == 503:
                if headers.get("Retry-After") != "30" or b"back in a moment" not in body:
                    self.problems.append(f"{phase}: {path}: a 503 without its page")
            elif status != 200 or not body.rstrip().endswith(b"</html>"):
                self.problems.append(f"{phase}: {path}: status {status}")

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        for thread in self.threads:
            thread.join(60)


def run_phases(load, postgres, redis):
    """The faults, in order: (phase, seconds, action at its start). A phase that stops a
    server begins as the stop does; one that brings it back, once it is back."""
    phases = [
        ("warm-up", 6, None),
        ("PostgreSQL stopped", 8, postgres.stop),
        ("PostgreSQL back", 6, postgres.start),
        ("Redis stopped", 6, redis.stop),
        ("Redis back", 8, redis.start),
        ("Redis hung (SIGSTOP)", 8, redis.hang),
        ("Redis resumed (SIGCONT)", 6, redis.resume),
    ]
    timings = {}
    for name, seconds, action in phases:
        started = time.monotonic()
        stopping = action in (postgres.stop, redis.stop, redis.hang)
        if stopping:
            load.phase = name
        if action:
            action()
        load.phase = name
        time.sleep(max(0, seconds - (time.monotonic() - started)))
        timings[name] = time.monotonic() - started
    return timings


def compare_with_fresh(port, redis):
    """The pages that differ from the same page computed with the cache emptied."""
    served = {path: fetch(port, path)[2] for path in PAGES}
    redis.flush()
    return [path for path in PAGES if fetch(port, path)[2] != served[path]]


def summary(load, timings):
    rows = []
    for name, seconds in timings.items():
        mine = [r for r in load.results if r[0] == name]
        statuses = Counter(r[1] for r in mine)
        times = sorted(r[2] for r in mine)
        rows.append(
            {
                "phase": name,
                "seconds": seconds,
                "requests": len(mine),
                "200": statuses.get(200, 0),
                "503": statuses.get(503, 0),
                "500": statuses.get(500, 0),
                "other": sum(v for k, v in statuses.items() if k not in (200, 503, 500)),
                "p50": statistics.median(times) * 1000 if times else 0,
                "max": times[-1] * 1000 if times else 0,
            }
        )
    return rows


def write_report(rows, problems, logged, stale, passed, seconds):
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    commit = commit or os.environ.get("FAULTTEST_COMMIT", "(not a git checkout)")
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        REPORT_START,
        "",
        f"Produced by `make faulttest` on {when}, commit {commit}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; the whole run took "
        f"{seconds:.0f} s. gunicorn (gunicorn.conf.py, 2 workers) served the knowledge base "
        "from a throwaway PostgreSQL server, with a Redis server as the page cache, on "
        f"127.0.0.1; {CONNECTIONS} connections requested {len(PAGES)} pages in turn (home, "
        "statistics, directory with and without a filter, a profile, services, cities, search, "
        "incentives, sources) while the servers were stopped, restarted and hung.",
        "",
        f"**Result: {'passed' if passed else 'FAILED'}** (no 500, every response a whole page "
        "or the 503 page with Retry-After, no traceback in the log, and afterwards every page "
        "equal to the same page computed with the cache emptied).",
        "",
        "| phase | seconds | requests | 200 | 503 | 500 | other or none | p50 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['phase']} | {row['seconds']:.1f} | {row['requests']:,} | {row['200']:,} | "
            f"{row['503']:,} | {row['500']} | {row['other']} | {row['p50']:.1f} | "
            f"{row['max']:.0f} |"
        )
    lines += [
        "",
        f"- Responses that were not a page or the 503 page: {len(problems)}.",
        f"- Tracebacks in the server's log: {logged['tracebacks']}; one-line warnings: "
        f"{logged['database']:,} for the database (one per 503), {logged['cache']} for the "
        "cache server (one per worker each time it is given up on).",
        f"- Pages that differed from a freshly computed one afterwards: {len(stale)}"
        + (f" ({', '.join(stale)})" if stale else "")
        + ".",
        "",
        "While PostgreSQL is away, a page in the cache that was fresh at the last data version "
        "the worker read is served from it (nobody can change the data meanwhile) and any other "
        "page is the 503 page; a worker started meanwhile logs one line for each start-up step "
        "that waits for the database. A stopped Redis refuses at once and "
        "a hung one costs one socket timeout (0.25 s); either way the worker then skips Redis "
        "for 5 s and computes its pages (core/cachebackends.py), so the p50 of those phases is "
        "that of computed pages, and a page never waits on Redis twice.",
        "",
    ]
    replace_section(ROOT / "docs" / "reliability.md", REPORT_START, lines)
    print("\n".join(lines))


def main():
    started = time.monotonic()
    postgres = Postgres(os.environ.get("DATABASE_URL", ""))
    folder = Path(tempfile.mkdtemp(prefix="bpo-faulttest-"))
    redis = Redis(folder)
    port = free_port()
    env = {
        **os.environ,
        "SECRET_KEY": "faulttest-only-key-" + "x" * 40,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CACHE_URL": f"redis://127.0.0.1:{redis.port}/0",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "ACCESS_LOG": os.devnull,
        "LOG_LEVEL": "WARNING",
    }
    server = None
    log = folder / "server.log"
    try:
        for command in (["migrate", "--noinput", "-v0"], ["load_knowledge"],
                        ["collectstatic", "--noinput", "-v0"]):  # fmt: skip
            subprocess.run([BIN / "python", "manage.py", *command], cwd=ROOT, env=env,
                           check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        with open(log, "w") as output:
            server = subprocess.Popen([BIN / "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT,
                                      env=env, stdout=output, stderr=output)  # fmt: skip
        wait_for_port(port, 60)
        for path in PAGES:  # every page computed once before the faults begin
            fetch(port, path)
        with Load(port) as load:
            timings = run_phases(load, postgres, redis)
        stale = compare_with_fresh(port, redis)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        redis.resume()
        redis.stop()
    text = log.read_text()
    shutil.rmtree(folder, ignore_errors=True)
    logged = {
        "tracebacks": text.count("Traceback"),
        "database": text.count("Database unavailable"),
        "cache": text.count("Cache server failed"),
    }
    rows = summary(load, timings)
    passed = not load.problems and not logged["tracebacks"] and not stale
    for problem in load.problems[:20]:
        print("Problem:", problem)
    write_report(rows, load.problems, logged, stale, passed, time.monotonic() - started)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
