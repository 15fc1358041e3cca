# The commands the README and CI use. Everything runs from a project-local virtualenv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_DIR ?= data
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: venv serve test check lint typecheck pytest e2e coverage openapi openapi-examples translations demo bench bench-engine bench-quick audit clean deploy-smoke

$(STAMP): pyproject.toml api/pyproject.toml requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

## serve: migrate the SQLite database, load reference and demo data, serve on http://$(HOST):$(PORT)
serve: $(STAMP)
	CLEARSTONE_DATA_DIR=$(DATA_DIR) $(BIN)/clearstone-api migrate
	CLEARSTONE_DATA_DIR=$(DATA_DIR) $(BIN)/clearstone-api release-reference
	CLEARSTONE_DATA_DIR=$(DATA_DIR) $(BIN)/clearstone-api load-demo
	CLEARSTONE_DATA_DIR=$(DATA_DIR) CLEARSTONE_WEBHOOKS_ALLOW_PRIVATE=$${CLEARSTONE_WEBHOOKS_ALLOW_PRIVATE:-1} \
		$(BIN)/clearstone-api serve --host $(HOST) --port $(PORT)

## test: lint, type-check, the whole test suite (the browser tests in a process of their own) and
## the domain coverage gate
test: check pytest e2e coverage

check: lint typecheck

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy api/clearstone_api sdk/clearstone tests/typing tests/support bench/api/synthetic.py

# Test order is random (pytest-randomly; the seed is printed, rerun one with
# PYTEST_ARGS=-p randomly --randomly-seed=N).
pytest: $(STAMP)
	$(BIN)/pytest -n 2 --ignore=tests/e2e $(PYTEST_ARGS)

## e2e: the consumer page in Debian's headless Chromium, in its own process: Playwright's sync API
## keeps an event loop running that other tests must not inherit. Installs axe-core from npm when
## Chromium is there and it is missing; without Chromium the tests report themselves skipped.
e2e: $(STAMP)
	@if [ -x /usr/bin/chromium ] && [ ! -f tests/e2e/node_modules/axe-core/axe.min.js ]; then \
		if command -v npm >/dev/null; then (cd tests/e2e && npm ci --no-audit --no-fund); \
		else echo "npm is missing: the accessibility tests will skip"; fi; fi
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS)

## audit: known vulnerabilities in the installed dependencies (a warning, not a pass, when the
## advisory database is out of reach)
audit: $(STAMP)
	$(BIN)/python .ci/audit.py

## coverage: branch coverage of domain/ by the unit tests; fails below the floor in pyproject.toml
coverage: $(STAMP)
	$(BIN)/pytest -q -n 0 tests/unit --cov --cov-report=term

## translations: extract the consumer page's messages, merge them into every language's catalog
## and compile the .mo files (both committed: a fresh clone needs no build step; a test fails
## when a .mo is stale or a message is untranslated)
LOCALES := api/clearstone_api/web/locales
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k ngettext:1,2 --no-location --sort-output \
		--project=clearstone --copyright-holder=Clearstone -o $(LOCALES)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) --no-fuzzy-matching \
		--ignore-obsolete --width=100
	$(BIN)/pybabel compile -d $(LOCALES) --statistics

## openapi: rewrite the committed contract from the app
openapi: $(STAMP)
	$(BIN)/python -m clearstone_api.openapi_export openapi/openapi.json

## openapi-examples: call every operation over the demo data and record what it answered as the
## contract's response examples (api/clearstone_api/contract_examples/captured.json); then
## `make openapi`
openapi-examples: $(STAMP)
	$(BIN)/python -m tests.contract.capture_examples

bench-engine: $(STAMP)
	$(BIN)/python -m bench.engine

bench: bench-engine

## bench-quick: paired lookup and screen ratios against the bare endpoint on a 100,000-stone
## PostgreSQL database (built on first use, about a minute; then reused), in under three minutes
bench-quick: $(STAMP)
	$(BIN)/python -m bench.api setup --stones 100000 --database clearstone_bench_100k
	$(BIN)/python -m bench.api load --database clearstone_bench_100k \
		--targets lookup-uniform screen --pairs 3 --seconds 6 --long-seconds 0 --label quick

## deploy-smoke: the compose stack for real (root, a container engine, minutes; not in CI):
## build, up, lookups through nginx, a rolling upgrade under load, a PostgreSQL restart
deploy-smoke: $(STAMP)
	deploy/smoke.sh

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
