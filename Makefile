# BPO Portal: `make run` to serve the knowledge base, `make test` for the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME_LOCK := requirements/runtime.txt
DEV_LOCK := requirements/dev.txt
RUNTIME_STAMP := $(VENV)/.runtime-$(shell sha1sum $(RUNTIME_LOCK) | cut -c1-12)
DEV_STAMP := $(VENV)/.dev-$(shell sha1sum $(DEV_LOCK) | cut -c1-12)
# pyenv reads .python-version (3.12); otherwise the first python3.12+ on PATH.
BOOTSTRAP_PYTHON ?= $(shell for p in python3 python3.13 python3.12; do \
	command -v $$p >/dev/null && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)
# Development and tests sign with this machine's own random key (never a published one);
# production sets SECRET_KEY itself.
KEY_FILE := var/secret_key
DEV_ENV = SECRET_KEY="$$(cat $(KEY_FILE))"
SIZES ?= 1000,10000,100000

.PHONY: setup run serve test lint test-sqlite test-postgres test-redis screenshots bench \
	loadtest lock clean backup restore

$(PY):
	@test -n "$(BOOTSTRAP_PYTHON)" || { echo "Python 3.12 or newer is needed." >&2; exit 1; }
	$(BOOTSTRAP_PYTHON) -m venv $(VENV)

# Locked versions, checked against their hashes. The development set includes the runtime set.
$(RUNTIME_STAMP): $(RUNTIME_LOCK) | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r $(RUNTIME_LOCK)
	rm -f $(VENV)/.runtime-* && touch $@

$(DEV_STAMP): $(DEV_LOCK) | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r $(DEV_LOCK)
	rm -f $(VENV)/.dev-* $(VENV)/.runtime-* && touch $@ $(RUNTIME_STAMP)

$(KEY_FILE):
	@mkdir -p $(dir $@)
	@umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

setup: $(DEV_STAMP) $(KEY_FILE)
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py load_knowledge

run: setup
	DEBUG=1 $(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# Production: only the runtime set; gunicorn (workers from the core count) + WhiteNoise, DEBUG
# off. Needs SECRET_KEY and ALLOWED_HOSTS in the environment: settings and the deploy checks
# stop it with a message otherwise.
serve: $(RUNTIME_STAMP)
	$(PY) manage.py check --deploy --fail-level ERROR
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_knowledge
	$(PY) manage.py collectstatic --noinput -v0
	$(VENV)/bin/gunicorn -c gunicorn.conf.py

lint: $(DEV_STAMP) $(KEY_FILE)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(DEV_ENV) $(PY) manage.py check
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

# Each leg lists its ten slowest tests. The browser tests (markup, accessibility and journeys
# in Chromium, whose engine-specific paths the other tests cover on both databases) run once:
# the readers' journeys on the SQLite leg that `make run` serves, the curators' journeys (which
# write, and meet each other's edits) on the PostgreSQL leg, as production runs them. Every
# other test runs on both databases.
test-sqlite: $(DEV_STAMP) $(KEY_FILE)
	DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 $(VENV)/bin/pytest --durations=10 \
		-m "not (browser and curators)"

test-postgres: $(DEV_STAMP) $(KEY_FILE)
	.ci/with-postgres $(VENV)/bin/pytest --durations=10 -m "not browser or curators"

# The cache tests once more, against a real Redis server (as several app servers would share).
test-redis: $(DEV_STAMP) $(KEY_FILE)
	.ci/with-redis $(VENV)/bin/pytest tests/core/test_caching.py tests/portal/test_query_counts.py

# Two lanes side by side, one core each, each lane's output shown whole when it ends: lint
# then the SQLite leg; the PostgreSQL leg then the Redis leg.
test: $(DEV_STAMP) $(KEY_FILE)
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-lane-sqlite test-lane-postgres

.PHONY: test-lane-sqlite test-lane-postgres
test-lane-sqlite: lint
	@$(MAKE) --no-print-directory test-sqlite

test-lane-postgres:
	@$(MAKE) --no-print-directory test-postgres
	@$(MAKE) --no-print-directory test-redis

screenshots: $(DEV_STAMP) $(KEY_FILE)
	$(VENV)/bin/pytest tests/browser/test_screenshots.py --screenshots

# The engine's own backup to var/backups/ (pg_dump, or SQLite's online backup), and its restore
# (make restore FILE=var/backups/bpo-....pgdump), which replaces everything in the database.
backup: $(KEY_FILE)
	$(DEV_ENV) $(PY) manage.py backup

restore: $(KEY_FILE)
	@test -n "$(FILE)" || { echo "Say which backup: make restore FILE=var/backups/..." >&2; exit 1; }
	$(DEV_ENV) $(PY) manage.py restore "$(FILE)"

# Write the lock files again from pyproject.toml (with uv, installed into .venv if need be).
UV := $(VENV)/bin/uv
lock: | $(PY)
	@test -x $(UV) || $(PY) -m pip install --quiet --disable-pip-version-check uv
	$(UV) pip compile pyproject.toml --generate-hashes --python-version 3.12 -q --no-header \
		-o $(RUNTIME_LOCK)
	$(UV) pip compile pyproject.toml --group pyproject.toml:dev --generate-hashes \
		--python-version 3.12 -q --no-header -o $(DEV_LOCK)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: bench/requirements.txt | $(PY)
	$(BOOTSTRAP_PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@

# 1k/10k/100k providers on SQLite and PostgreSQL (about 15 minutes on 2 cores): warm pages, cold
# distinct directory URLs, the first request after a curator's save, the facet index, query
# plans, against Datasette and the Django admin; writes docs/benchmarks.md. `make bench
# SIZES=1000000` runs the optional 1,000,000-provider tier on its own.
bench: $(DEV_STAMP) $(KEY_FILE) $(BENCH_VENV)/.installed
	@command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
	BENCH_SIZES=$(SIZES) $(DEV_ENV) $(PY) bench/run.py sqlite
	BENCH_SIZES=$(SIZES) $(DEV_ENV) .ci/with-postgres $(PY) bench/run.py postgres
	$(DEV_ENV) $(PY) bench/run.py report

# 4 connections for 60 s on the 100,000-provider database while a curator saves an edit every
# second and two more curators save one record at the same moment (one written, the other shown
# the edit conflict); writes its section of docs/reliability.md. Fails on any error or lost
# edit; the p50 <= 30 ms and >= 150 req/s targets are reported as met or missed.
loadtest: $(DEV_STAMP) $(KEY_FILE)
	@command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
	$(DEV_ENV) $(PY) bench/loadtest.py

# PostgreSQL stopped and restarted, Redis stopped, restarted and hung (SIGSTOP) under a bounded
# load on 127.0.0.1: no 500, only pages and 503s (bench/faulttest.py; docs/reliability.md).
.PHONY: faulttest
faulttest: $(DEV_STAMP)
	@command -v redis-server >/dev/null || { echo "redis-server is needed" >&2; exit 1; }
	.ci/with-postgres $(PY) bench/faulttest.py

# docs/nginx.conf (a copy, only addresses, ports and paths changed) in front of gunicorn on
# 127.0.0.1: the security headers on nginx's own 414/400/413 and the app's pages,
# X-Forwarded-For, slow clients, a stalled body (bench/fronttest.py; docs/reliability.md).
.PHONY: fronttest
fronttest: $(DEV_STAMP)
	@command -v nginx >/dev/null || { echo "nginx is needed: apt-get install nginx-light" >&2; exit 1; }
	$(PY) bench/fronttest.py
