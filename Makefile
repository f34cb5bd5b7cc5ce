# Newzone: `make run` serves the demo zone, `make test` runs the whole suite.
# Both install what they need first (`make install`): Python packages into .venv, front-end
# packages from the npm registry. Compiled translations are committed, so gettext is not needed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Tests run with production-like settings (DEBUG=0) and a throwaway key.
TEST_ENV := SECRET_KEY=test-only-not-secret ALLOWED_HOSTS=localhost,127.0.0.1,testserver DEBUG=0
PYTEST_ARGS ?=
# pytest-xdist workers: one per core by default; 0 runs the suite in one process.
TEST_WORKERS ?= auto
# esbuild's bundles of frontend/*.js (see below).
BUNDLE_DIR := frontend-build
FRONTEND_ENTRIES := $(wildcard frontend/*.js)

.PHONY: install run test lint format messages bench bench-lighthouse loadtest clean

install: $(VENV)/.installed node_modules/.installed $(BUNDLE_DIR)/.built

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Each frontend/*.js is one page's script (site.js: every page; map.js: the pages with a map); esbuild
# bundles it with only the ECharts and Bootstrap parts, or Leaflet and its plugins, it imports into
# $(BUNDLE_DIR)/ (git-ignored, served as static/bundles/). An entry importing stylesheets gets its .css
# beside its .js, with the images they name copied under hashed names. Rebuilt whenever a source, the
# npm packages or this recipe change.
$(BUNDLE_DIR)/.built: $(FRONTEND_ENTRIES) node_modules/.installed Makefile
	rm -rf $(BUNDLE_DIR)
	node_modules/.bin/esbuild $(FRONTEND_ENTRIES) --bundle --minify --format=iife --target=es2020 \
	  --loader:.png=file --outdir=$(BUNDLE_DIR) --log-level=warning
	touch $@

run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo --if-empty
	# The background worker runs beside the server and stops with it (Ctrl+C).
	DEBUG=1 $(BIN)/python manage.py run_jobs & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(TEST_ENV) $(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Needs gettext: refreshes the catalog after strings change; the compiled .mo is committed.
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=node_modules --ignore=staticfiles
	DEBUG=1 $(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

# Scale benchmark on PostgreSQL (not part of `make test`): a fresh database per scale
# (DATABASE_URL's name + _s1, _s10; default postgres://postgres@127.0.0.1:5432/newzone_bench),
# generate_data, then every page's median/p95 time and query count against the admin and bare SQL.
BENCH_ARGS ?= --scales 1 10 --repeat 10
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Lighthouse's mobile performance score of the login, home, dashboard, project list, issue list and
# project detail pages on the production server, logged in (bench/lighthouse.sh; Debian's Chromium).
bench-lighthouse: install
	bench/lighthouse.sh

# Load test: gunicorn (DEBUG=0, PostgreSQL, persistent connections) on loopback for a bounded time;
# prints requests/s, p95 and errors. LOADTEST_MODE=open (default): locust users with think time;
# LOADTEST_MODE=closed: wrk without think time (the saturation throughput) beside a bare Django view
# on the same gunicorn settings, and the ratio. See bench/loadtest.sh for the knobs.
LOADTEST_MODE ?= open
loadtest: install
	LOADTEST_MODE=$(LOADTEST_MODE) bench/loadtest.sh

clean:
	rm -rf $(VENV) node_modules $(BUNDLE_DIR) staticfiles db.sqlite3
