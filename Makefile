# The commands the README and CI use. Everything runs from a project-local virtualenv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_DIR ?= data
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: venv serve test check lint typecheck pytest openapi demo bench bench-engine audit clean

$(STAMP): pyproject.toml api/pyproject.toml requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

## serve: migrate the SQLite database, load reference and demo data, serve on http://$(HOST):$(PORT)
serve: $(STAMP)
	CLEARSTONE_DATA_DIR=$(DATA_DIR) $(BIN)/clearstone-api migrate
	CLEARSTONE_DATA_DIR=$(DATA_DIR) $(BIN)/clearstone-api load-demo
	CLEARSTONE_DATA_DIR=$(DATA_DIR) $(BIN)/clearstone-api serve --host $(HOST) --port $(PORT)

## test: lint, type-check and the whole test suite
test: check pytest

check: lint typecheck

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy api/clearstone_api sdk/clearstone tests/typing tests/support bench/api/synthetic.py

pytest: $(STAMP)
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

## audit: known vulnerabilities in the installed dependencies (a warning, not a pass, when the
## advisory database is out of reach)
audit: $(STAMP)
	$(BIN)/python .ci/audit.py

## openapi: rewrite the committed contract from the app
openapi: $(STAMP)
	$(BIN)/python -m clearstone_api.openapi_export openapi/openapi.json

bench-engine: $(STAMP)
	$(BIN)/python -m bench.engine

bench: bench-engine

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
