# BPO Portal: `make run` to serve the knowledge base, `make test` for the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
# pyenv reads .python-version (3.12); otherwise the first python3.12+ on PATH.
BOOTSTRAP_PYTHON ?= $(shell for p in python3 python3.13 python3.12; do \
	command -v $$p >/dev/null && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)

.PHONY: setup run serve test test-sqlite test-postgres lint screenshots bench loadtest clean

$(PY):
	@test -n "$(BOOTSTRAP_PYTHON)" || { echo "Python 3.12 or newer is needed." >&2; exit 1; }
	$(BOOTSTRAP_PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_knowledge

run: setup
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# Production: gunicorn (workers from the core count) + WhiteNoise, DEBUG off. Needs SECRET_KEY
# and ALLOWED_HOSTS in the environment; the deploy checks stop it with a message otherwise.
serve: setup
	$(PY) manage.py check --deploy --fail-level ERROR
	$(PY) manage.py collectstatic --noinput -v0
	$(VENV)/bin/gunicorn -c gunicorn.conf.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

test-sqlite: $(STAMP)
	DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 $(VENV)/bin/pytest

test-postgres: $(STAMP)
	.ci/with-postgres $(VENV)/bin/pytest

test: lint test-sqlite test-postgres

screenshots: $(STAMP)
	$(VENV)/bin/pytest tests/browser/test_screenshots.py --screenshots

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: bench/requirements.txt | $(PY)
	$(BOOTSTRAP_PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@

bench: $(STAMP) $(BENCH_VENV)/.installed
	@command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
	$(PY) bench/run.py sqlite
	.ci/with-postgres $(PY) bench/run.py postgres
	$(PY) bench/run.py report

# 32 connections for 60 s on the 100,000-provider database while a curator saves edits;
# writes docs/reliability.md and fails on any error or lost edit.
loadtest: $(STAMP)
	@command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
	$(PY) bench/loadtest.py
