"""`make fronttest`: docs/nginx.conf in front of gunicorn, checked as a client would see it.

nginx runs with a copy of docs/nginx.conf in which only addresses, ports and file paths are
changed (everything on 127.0.0.1, a self-signed certificate for bpo.example.org), in front of
`gunicorn -c gunicorn.conf.py` (two workers, TRUSTED_PROXIES=1, HTTPS=1) serving a copy of the
knowledge base. It checks that nginx's own answers (a request line or a header line over 8 KB,
a body over 10 MB) and the app's carry the security headers; that the app's own body limit
(the correction form) still answers through nginx; that X-Forwarded-For is the address nginx
saw, whatever the client sent, and is believed only from nginx; that clients trickling their
request bodies hold no worker; and that nginx times out a client that stops sending. Any
check that fails fails the run (exit 1). The results go to the "The front" section of
docs/reliability.md.
"""

import contextlib
import os
import re
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

from faulttest import free_port, wait_for_port
from sections import replace_section

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "bpo.example.org"
# The configuration to check (another to compare with, say the one before a change).
CONFIG = Path(os.environ.get("FRONTTEST_NGINX_CONF", ROOT / "docs" / "nginx.conf"))
HEADING = "## The front: nginx before gunicorn"
SECURITY_HEADERS = (
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
)
TRICKLERS = 6  # more slow clients than gunicorn has workers


def adapted_config(ports, folder):
    """docs/nginx.conf with its addresses, ports and certificate paths changed, nothing else."""
    text = CONFIG.read_text()
    text = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", text)
    text = re.sub(r"listen 80\b", f"listen 127.0.0.1:{ports['http']}", text)
    text = re.sub(r"listen 443\b", f"listen 127.0.0.1:{ports['https']}", text)
    text = text.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{ports['app']}")
    text = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {folder}/cert.pem;", text)
    text = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {folder}/key.pem;", text)
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log;\nevents {{ worker_connections 256; }}\n"
        f"http {{\n  access_log {folder}/access.log;\n"
        f"  client_body_temp_path {folder}/body;\n  proxy_temp_path {folder}/proxy;\n"
        f"  fastcgi_temp_path {folder}/fastcgi;\n  uwsgi_temp_path {folder}/uwsgi;\n"
        f"  scgi_temp_path {folder}/scgi;\n{text}\n}}\n"
    )


class Answer:
    def __init__(self, raw):
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        match = re.match(r"HTTP/1\.[01] (\d{3})", lines[0]) if lines else None
        self.status = int(match[1]) if match else None
        self.headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers.setdefault(name.strip().lower(), value.strip())

    def missing(self):
        return [name for name in SECURITY_HEADERS if name not in self.headers]


def exchange(port, request, tls=True, source="127.0.0.1", timeout=30):
    """Send raw bytes over HTTP/1.1 (TLS with SNI when `tls`); the whole answer."""
    sock = socket.create_connection(
        ("127.0.0.1", port), timeout=timeout, source_address=(source, 0)
    )
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        sock = context.wrap_socket(sock, server_hostname=HOST)
    with sock:
        with contextlib.suppress(OSError):  # the server answered and closed before taking it all
            sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    return Answer(b"".join(chunks))


def get(port, path, headers=(), **kwargs):
    lines = [f"GET {path} HTTP/1.1", f"Host: {HOST}", "Connection: close", *headers]
    return exchange(port, ("\r\n".join(lines) + "\r\n\r\n").encode(), **kwargs)


def post(port, path, body, headers=(), **kwargs):
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {HOST}",
        "Connection: close",
        "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {len(body)}",
        *headers,
    ]
    return exchange(port, ("\r\n".join(lines) + "\r\n\r\n").encode() + body, **kwargs)


def failed_sign_in(port, forwarded_for, tls=True, source="127.0.0.1"):
    """One sign-in to the admin with a wrong password, sending this X-Forwarded-For."""
    extra = [] if tls else ["X-Forwarded-Proto: https"]  # straight to gunicorn
    page = get(port, "/admin/login/", extra, tls=tls, source=source)
    cookie = re.search(r"csrftoken=([^;]+)", page.headers.get("set-cookie", ""))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if not (cookie and token):
        return None
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token[1].decode(), "username": "frontcheck", "password": "wrong"}
    ).encode()
    answer = post(
        port,
        "/admin/login/",
        body,
        [
            f"Cookie: csrftoken={cookie[1]}",
            f"Origin: https://{HOST}",
            f"Referer: https://{HOST}/admin/login/",
            f"X-Forwarded-For: {forwarded_for}",
            *extra,
        ],
        tls=tls,
        source=source,
    )
    return answer.status


class Checks:
    def __init__(self):
        self.rows = []

    def add(self, name, sent, seen, ok):
        self.rows.append((name, sent, seen, ok))
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {seen}", flush=True)

    def headers(self, name, sent, answer, status):
        missing = answer.missing()
        seen = f"{answer.status}; " + (
            f"missing {', '.join(missing)}" if missing else "all four headers"
        )
        self.add(name, sent, seen, answer.status == status and not missing)


def trickle(port, stop, started):
    """A client that sends its request body one byte a second until `stop`."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        with context.wrap_socket(sock, server_hostname=HOST) as tls:
            tls.sendall(
                f"POST /suggest/ HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: 1000\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n\r\n".encode()
            )
            started.release()
            while not stop.wait(1):
                tls.sendall(b"a")
    except OSError:
        started.release()


def stalled_body(port):
    """Seconds until nginx gives up on a client that stops sending its body."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    started = time.monotonic()
    with context.wrap_socket(sock, server_hostname=HOST) as tls:
        tls.sendall(
            f"POST /suggest/ HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: 1000\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\nabc".encode()
        )
        raw = b""
        try:
            while chunk := tls.recv(65536):
                raw += chunk
        except OSError:
            pass
    return time.monotonic() - started, Answer(raw).status if raw else None


def run_checks(ports, database_env):
    checks = Checks()
    https, app = ports["https"], ports["app"]

    answer = get(https, "/")
    checks.headers("a page through nginx", "`GET /`", answer, 200)
    answer = get(https, "/static/css/site.css")
    checks.headers("a static file through nginx", "`GET /static/css/site.css`", answer, 200)
    answer = get(https, "/" + "a" * 9000)
    checks.headers(
        "a request line over 8 KB (nginx's own answer)",
        "`GET /aaa…` (9,000 characters)",
        answer,
        414,
    )
    answer = get(https, "/", ["X-Long: " + "b" * 9000])
    checks.headers(
        "a header line over 8 KB (nginx's own answer)", "one 9,000-byte header", answer, 400
    )
    answer = post(https, "/suggest/", b"a" * (11 * 2**20))
    checks.headers("a body over 10 MB (nginx's own answer)", "11 MB to `/suggest/`", answer, 413)
    answer = post(https, "/suggest/", b"a" * (64 * 2**10))
    checks.headers(
        "a body over the correction form's 32 KB (the app's answer)",
        "64 KB to `/suggest/`",
        answer,
        413,
    )
    answer = get(ports["http"], "/" + "a" * 9000, tls=False)
    checks.headers(
        "a request line over 8 KB on port 80 (nginx's own answer)",
        "`GET /aaa…` over plain HTTP",
        answer,
        414,
    )
    answer = get(ports["http"], "/providers/", tls=False)
    checks.add(
        "plain HTTP is sent to HTTPS",
        "`GET /providers/` over plain HTTP",
        f"{answer.status} to {answer.headers.get('location', '(none)')}; "
        + (f"missing {', '.join(answer.missing())}" if answer.missing() else "all four headers"),
        answer.status == 301
        and answer.headers.get("location") == f"https://{HOST}/providers/"
        and not answer.missing(),
    )
    answer = get(https, "/", tls=False)
    checks.headers(
        "plain HTTP to the HTTPS port (nginx's own answer)", "`GET /` without TLS", answer, 400
    )

    # X-Forwarded-For: sign-in failures are counted by the address the app believes.
    statuses = [
        failed_sign_in(https, "203.0.113.7", source="127.0.0.2"),
        failed_sign_in(app, "203.0.113.8", tls=False, source="127.0.0.3"),
    ]
    code = (
        "from axes.models import AccessAttempt; "
        "print(sorted(AccessAttempt.objects.values_list('ip_address', flat=True)))"
    )
    seen = subprocess.run(
        [BIN / "python", "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=database_env,
        capture_output=True,
        text=True,
    ).stdout.strip()
    checks.add(
        "X-Forwarded-For is the address nginx saw",
        "a failed sign-in from 127.0.0.2 through nginx, sending `X-Forwarded-For: 203.0.113.7`",
        f"answered {statuses[0]}; counted against {seen}",
        statuses[0] == 200 and "127.0.0.2" in seen and "203.0.113.7" not in seen,
    )
    checks.add(
        "X-Forwarded-For believed only from nginx",
        "a failed sign-in from 127.0.0.3 straight to gunicorn, sending "
        "`X-Forwarded-For: 203.0.113.8`",
        f"answered {statuses[1]}; counted against {seen}",
        statuses[1] == 200 and "127.0.0.3" in seen and "203.0.113.8" not in seen,
    )

    # Slow clients: more of them than workers, each sending its body a byte a second.
    stop, started = threading.Event(), threading.Semaphore(0)
    threads = [
        threading.Thread(target=trickle, args=(https, stop, started)) for _ in range(TRICKLERS)
    ]
    for thread in threads:
        thread.start()
    for _ in threads:
        started.acquire(timeout=30)
    time.sleep(2)
    began = time.monotonic()
    answer = get(https, "/statistics/")
    waited = time.monotonic() - began
    stop.set()
    for thread in threads:
        thread.join(30)
    checks.add(
        f"{TRICKLERS} clients trickling their bodies (gunicorn has 2 workers)",
        "a page requested meanwhile",
        f"{answer.status} in {waited:.2f} s",
        answer.status == 200 and waited < 5,
    )
    seconds, status = stalled_body(https)
    checks.add(
        "a client that stops sending its body (`client_body_timeout 20s`)",
        "3 of 1,000 bytes, then nothing",
        f"nginx {'closed the connection' if status is None else f'answered {status}'} "
        f"after {seconds:.0f} s",
        status in (None, 408) and 18 <= seconds <= 30,
    )
    return checks


def make_database(folder):
    """A copy of the knowledge base (db.sqlite3 when there is one), migrated."""
    target = folder / "front.sqlite3"
    source = ROOT / "db.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{target}",
        "SECRET_KEY": "fronttest-only-key-" + "x" * 40,
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "HTTPS": "1",
        "TRUSTED_PROXIES": "1",
        "CACHE_DIR": str(folder / "cache"),
        "LOG_LEVEL": "WARNING",
    }
    if source.exists():
        with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
            origin.backup(copy)
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([BIN / "python", "manage.py", *command], cwd=ROOT, env=env, check=True)
    if not source.exists():
        subprocess.run(
            [BIN / "python", "manage.py", "load_knowledge"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return env


def write_report(checks, versions, passed, seconds):
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    lines = [
        HEADING,
        "",
        f"Produced by `make fronttest` (bench/fronttest.py) on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit or '(not a git checkout)'}, "
        f"{versions}; the run took {seconds:.0f} s. nginx ran with a copy of "
        "`docs/nginx.conf` in which only the addresses, ports and file paths were changed "
        f"(everything on 127.0.0.1, a self-signed certificate for {HOST}), in front of "
        "`gunicorn -c gunicorn.conf.py` (2 workers, `TRUSTED_PROXIES=1`, `HTTPS=1`) serving a "
        "copy of the knowledge base. Requests went over HTTPS with the site's name (SNI), "
        'as a browser\'s would. "All four headers" means Content-Security-Policy, '
        "X-Content-Type-Options, Referrer-Policy and X-Frame-Options.",
        "",
        f"**Result: {'passed' if passed else 'FAILED'}**.",
        "",
        "| check | sent | seen | verdict |",
        "| --- | --- | --- | --- |",
        *[
            f"| {name} | {sent} | {seen} | {'as expected' if ok else '**failed**'} |"
            for name, sent, seen, ok in checks.rows
        ],
        "",
        "The same by hand, with nginx and gunicorn started as above (HTTPS on port 8443 here):",
        "",
        "```",
        f"curl -sk --resolve {HOST}:8443:127.0.0.1 -o /dev/null -D - "
        f'"https://{HOST}:8443/$(printf "a%.0s" $(seq 9000))"   # 414, with the headers',
        f"head -c 11000000 /dev/zero | curl -sk --resolve {HOST}:8443:127.0.0.1 -o /dev/null "
        f"-D - --data-binary @- https://{HOST}:8443/suggest/   # 413, with the headers",
        f"curl -sk --resolve {HOST}:8443:127.0.0.1 --interface 127.0.0.2 "
        f'-D - -o /dev/null -H "X-Forwarded-For: 203.0.113.7" https://{HOST}:8443/admin/login/',
        "```",
        "",
        "(curl speaks HTTP/2 to nginx here, the checks above HTTP/1.1: both answers carry the "
        "headers.) The last is the sign-in page; a failed sign-in sent the same way is counted "
        "against 127.0.0.2, as the table shows.",
        "",
    ]
    replace_section(ROOT / "docs" / "reliability.md", HEADING, lines)


def main():
    if shutil.which("nginx") is None:
        sys.exit("nginx is needed: apt-get install nginx-light (or nginx).")
    began = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="bpo-fronttest-"))
    folder.chmod(0o755)
    ports = {"http": free_port(), "https": free_port(), "app": free_port()}
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
         "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    (folder / "nginx.conf").write_text(adapted_config(ports, folder))
    nginx = [shutil.which("nginx"), "-p", str(folder), "-c", str(folder / "nginx.conf")]
    tested = subprocess.run([*nginx, "-t"], capture_output=True, text=True)
    if tested.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        sys.exit(f"nginx refuses the configuration:\n{tested.stderr}")
    version = (
        subprocess.run([nginx[0], "-v"], capture_output=True, text=True)
        .stderr.strip()
        .removeprefix("nginx version: nginx/")
    )
    env = make_database(folder)
    server_env = {
        **env,
        "BIND": f"127.0.0.1:{ports['app']}",
        "WEB_CONCURRENCY": "2",
        "ACCESS_LOG": os.devnull,
    }
    processes = []
    try:
        log = open(folder / "server.log", "w")  # noqa: SIM115 - open while gunicorn runs
        processes.append(
            subprocess.Popen([BIN / "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT,
                             env=server_env, stdout=log, stderr=log)
        )  # fmt: skip
        processes.append(subprocess.Popen(nginx))
        wait_for_port(ports["app"], seconds=60)
        wait_for_port(ports["https"], seconds=60)
        checks = run_checks(ports, env)
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(folder, ignore_errors=True)
    passed = all(ok for *_, ok in checks.rows)
    versions = f"nginx {version}, {os.cpu_count()} cores"
    write_report(checks, versions, passed, time.monotonic() - began)
    print(f"Result: {'passed' if passed else 'FAILED'}.")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
