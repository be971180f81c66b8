# KEPlive front door. `make run` for the demo, `make test` for everything CI runs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgres://keplive:keplive@127.0.0.1:5432/keplive
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
export KEPLIVE_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test lint test-sqlite test-postgres test-browser test-prod bench install demo clean help prod prod-stop bench-peak

help:
	@echo "make run    - set up everything (SQLite, local stand-ins) and start web + worker"
	@echo "make test   - lint, architecture checks and the whole test suite (SQLite + PostgreSQL + Chromium)"
	@echo "make bench  - national-scale benchmarks (PostgreSQL), figures for docs/PERFORMANCE.md"
	@echo "make prod   - the production topology on this machine (nginx, TLS, 2 web, worker, Redis, coturn); make prod-stop"
	@echo "make bench-peak - Locust at the national peak against its own prod stack (var/prod-peak), figures for docs/CAPACITY.md"

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

demo: install
	@mkdir -p $(KEPLIVE_VAR_DIR)
	KEPLIVE_DEBUG=1 $(PY) manage.py migrate --no-input
	KEPLIVE_DEBUG=1 $(PY) manage.py load_demo
	KEPLIVE_DEBUG=1 $(PY) manage.py demo_day
	KEPLIVE_DEBUG=1 $(PY) manage.py refresh_earliest
	KEPLIVE_DEBUG=1 $(PY) manage.py summarise_days

run: demo
	@KEPLIVE_DEBUG=1 HOST=$(HOST) PORT=$(PORT) scripts/run-dev

lint: install
	scripts/ensure-services gettext
	scripts/check-translations
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	KEPLIVE_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	KEPLIVE_DEBUG=1 $(PY) manage.py check --fail-level WARNING
	$(PY) -m mypy keplive

test-sqlite: install
	$(PY) -m pytest -m "not postgres and not browser and not redis and not prod" -n 2 -q

# Production-like: PostgreSQL and Redis. Booking, API and citizen-page tests run again here.
test-postgres: install
	scripts/ensure-services postgres redis
	DATABASE_URL=$(PG_TEST_URL) REDIS_URL=$(REDIS_TEST_URL) $(PY) -m pytest -m "postgres or booking or redis" -q

test-browser: install
	scripts/ensure-services chromium
	$(PY) -m pytest -m browser -q

# The smoke test against `make prod` (scripts/prod): its own directory, ports and database.
test-prod: install
	scripts/ensure-services postgres chromium nginx coturn redis_server
	$(PY) -m pytest -m prod -q

test: lint test-sqlite test-postgres test-browser test-prod

# The production topology on this machine, from Debian's packages (docs/OPERATIONS.md).
prod: install
	scripts/prod up

prod-stop:
	scripts/prod down

# Every script runs even when one before it failed; each writes its goals (issue 13) to
# var/bench-goals/, and bench/goals.py prints them all with PASS/FAIL at the end. The target
# fails when a script failed, a goal failed, or a goals file is missing.
bench: install
	scripts/ensure-services postgres
	$(PY) bench/goals.py --clean
	@status=0; \
	DATABASE_URL=$(PG_TEST_URL) $(PY) bench/run.py || status=1; \
	DATABASE_URL=$(PG_TEST_URL) $(PY) bench/front_door.py || status=1; \
	DATABASE_URL=$(PG_TEST_URL) $(PY) bench/fuzz.py || status=1; \
	scripts/ensure-services redis && DATABASE_URL=$(PG_TEST_URL) REDIS_URL=$(REDIS_TEST_URL) $(PY) bench/calls.py || status=1; \
	scripts/ensure-services chromium && $(PY) bench/call_media.py || status=1; \
	$(PY) bench/goals.py --expect run front_door calls call_media || status=1; \
	exit $$status

# The national peak with Locust (bench/peak.py, docs/CAPACITY.md): its own stack (scripts/prod on
# var/prod-peak and the database keplive_prod_peak, so `make prod`'s demo stays as it is) is
# brought up, loaded for PEAK_MEASURE seconds at PEAK_SCALE of the national peak, then stopped.
# The same ports as `make prod` unless KEPLIVE_PROD_*_PORT say otherwise: `make prod-stop` first.
PEAK_SCALE ?= 1.0
PEAK_MEASURE ?= 180
PEAK_ENV := KEPLIVE_PROD_DIR=$(CURDIR)/var/prod-peak KEPLIVE_PROD_DATABASE=keplive_prod_peak
bench-peak: install
	$(PEAK_ENV) scripts/prod up
	$(PEAK_ENV) $(PY) bench/peak.py --scale $(PEAK_SCALE) --measure $(PEAK_MEASURE); \
	  status=$$?; $(PEAK_ENV) scripts/prod down; exit $$status

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
