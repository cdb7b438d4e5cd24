# Zhusan Academy. `make run` serves a working site; `make test` runs every check and test.
# Both install what they need first. See README.md.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PG_URL ?= postgres://postgres@127.0.0.1:5432/zhusan
BROKER_URL ?= redis://127.0.0.1:6379/15
CACHE_URL ?= redis://127.0.0.1:6379/14

.DEFAULT_GOAL := help
.PHONY: help install install-dev browser-deps pdf-deps gettext-deps run serve test lint typecheck test-sqlite \
	test-postgres coverage messages worker bench bench-deps bench-progress bench-quiz bench-certs bench-dashboard bench-import bench-h5p bench-xapi bench-load drills clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.base: $(BIN)/python requirements/base.txt
	$(BIN)/pip install --quiet -r requirements/base.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.base requirements/dev.txt
	$(BIN)/pip install --quiet -r requirements/dev.txt
	@touch $@

# --ignore-scripts: no package's install script runs (h5p-standalone's only checks for yarn).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.base node_modules/.installed  ## Install what the site needs to run (Python, the H5P player from npm), compile the translations
	$(MANAGE) compile_translations

install-dev: install $(VENV)/.dev node_modules/.installed browser-deps pdf-deps gettext-deps  ## Install what the tests need

browser-deps:  ## Install Debian's Chromium for the browser tests (as root; skipped otherwise)
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Chromium is not installed and this is not root: browser tests will be skipped."; fi

pdf-deps:  ## Install Debian's pango, DejaVu fonts and poppler-utils for certificate PDFs (as root)
	@need=""; for pkg in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils; do \
		dpkg -s $$pkg >/dev/null 2>&1 || need="$$need $$pkg"; done; \
	if [ -z "$$need" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	else echo "Missing Debian packages:$$need (needed by the certificate PDF and its tests)."; fi

gettext-deps:  ## Install Debian's gettext: makemessages, and the test that catalogues are not stale (as root)
	@if command -v xgettext >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	else echo "gettext is not installed and this is not root: the stale-catalogue test will be skipped."; fi

# The site as its users see it: DEBUG off, so errors get the site's own pages (DEBUG=1 make run
# for Django's debug pages). One request at a time: docs/decisions/0006-sqlite-concurrent-writes.md.
DEBUG ?= 0

run: install  ## Migrate SQLite, load the curriculum and demo accounts, serve on 127.0.0.1:8000
	$(MANAGE) migrate --noinput
	$(MANAGE) load_initial_data --demo-people 1000
	DEBUG=$(DEBUG) $(MANAGE) runserver --nothreading 127.0.0.1:8000

serve: install  ## Serve without reloading data
	DEBUG=$(DEBUG) $(MANAGE) runserver --nothreading 127.0.0.1:8000

lint: $(VENV)/.dev  ## ruff (lint and format), app boundaries, Django's checks, migrations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

typecheck: $(VENV)/.dev  ## mypy with django-stubs
	$(BIN)/mypy .

test-sqlite: install-dev  ## The whole suite on SQLite, Celery eager, with the browser tests
	$(BIN)/pytest -n auto --durations=15

test: lint typecheck test-sqlite  ## Every check and the whole suite on SQLite

# The suite on PostgreSQL and the Redis cache on every core, tasks eager; then the task tests
# (marked worker) through Redis to a real Celery worker, which reads the tests' database. The
# browser tests run once, in `make test`: they drive pages, not the database engine, and the
# database-level behaviour they touch is covered here by the tests of the views and services.
test-postgres: install-dev  ## The whole suite on PostgreSQL, the task tests with a real Celery worker on Redis
	DATABASE_URL=$(PG_URL) REDIS_URL=$(CACHE_URL) $(BIN)/pytest -n auto -m "not worker and not browser" --durations=15
	DATABASE_URL=$(PG_URL) CELERY_BROKER_URL=$(BROKER_URL) REDIS_URL=$(CACHE_URL) \
		WORKER_DATABASE_URL=$(PG_URL:/zhusan=/test_zhusan) \
		bash scripts/with-worker.sh $(BIN)/pytest -m worker

coverage: install-dev  ## The suite on SQLite under coverage, with a report
	$(BIN)/coverage run -m pytest -q
	$(BIN)/coverage report

# The same flags are read by tests/core/test_translations.py, which fails when this would change
# the catalogues. Compiled .mo files are not committed: `make install` compiles them.
MAKEMESSAGES_FLAGS := -l ru -l kk --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=tests --ignore=bench --no-location --no-obsolete

messages: install-dev  ## Update the catalogues in locale/ (templates, Python, static/js) and compile them (needs gettext)
	$(MANAGE) makemessages $(MAKEMESSAGES_FLAGS)
	$(MANAGE) makemessages -d djangojs $(MAKEMESSAGES_FLAGS)
	$(MANAGE) compile_translations

worker: install  ## A Celery worker (needs CELERY_BROKER_URL)
	$(BIN)/celery -A curriculum worker --loglevel=info

bench-deps:  ## Install Debian's wrk, the benchmarks' HTTP client (as root; skipped otherwise)
	@if command -v wrk >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	else echo "wrk is not installed and this is not root: install it to run make bench."; fi

bench: install-dev bench-deps  ## The lesson page on production settings, PostgreSQL, Redis, gunicorn (BENCH_ARGS=--profile)
	$(BIN)/python bench/lesson_page.py $(BENCH_ARGS)

bench-progress: install-dev  ## 10,000 learners in a course: the cohort table, completion, the dashboard's tables
	$(BIN)/python bench/progress_at_scale.py $(BENCH_ARGS)

bench-quiz: install-dev  ## Grading 1,000 attempts of a 30-question quiz, and the quiz pages' queries
	$(BIN)/python bench/quiz_grading.py $(BENCH_ARGS)

bench-certs: install-dev  ## 10,000 certificates through a Celery worker as deployed (BENCH_ARGS=--learners N)
	$(BIN)/python bench/certificate_issuing.py $(BENCH_ARGS)

bench-dashboard: install-dev  ## The dashboard with 100,000 synthetic practitioners (BENCH_ARGS=--practitioners N)
	$(BIN)/python bench/report_dashboard.py $(BENCH_ARGS)

bench-import: install-dev  ## Moodle XML import: 5,000 questions with images, and a 50 MB file (BENCH_ARGS=--questions N)
	$(BIN)/python bench/question_import.py $(BENCH_ARGS)

bench-h5p: install-dev  ## Validating and storing H5P packages of 5, 25 and 50 MB: time and peak memory
	$(BIN)/python bench/h5p_package.py $(BENCH_ARGS)

bench-xapi: install-dev  ## xAPI statements per second through /xapi/statements, 1 and 10 to a request
	$(BIN)/python bench/xapi_statements.py $(BENCH_ARGS)

bench-load: install-dev  ## Load test: 100 practitioners' journeys on a local production stack (BENCH_ARGS=--users N)
	$(BIN)/python bench/load/run.py $(BENCH_ARGS)

drills: install-dev  ## Fault drills on a local production stack (DRILL=redis|worker|web|postgres|backup; all by default)
	$(BIN)/python scripts/drills/drill.py $(or $(DRILL),all)

clean:  ## Remove the virtualenv, node modules, the SQLite database and test artefacts
	rm -rf $(VENV) node_modules db.sqlite3 test-artifacts .pytest_cache .mypy_cache .ruff_cache
