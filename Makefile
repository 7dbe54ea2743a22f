# Two commands for a fresh clone: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test demo migrate codegen bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Serve GraphiQL on http://127.0.0.1:8000/graphql (embedded PostgreSQL unless DATABASE_URL is set)
run: install
	$(BIN)/trainforge serve

## The whole suite against a real PostgreSQL (TEST_DATABASE_URL / DATABASE_URL, else embedded)
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## A coach, two athletes and their periodized programs; prints a token and a query
demo: install
	$(BIN)/trainforge demo

migrate: install
	$(BIN)/trainforge migrate

## Regenerate codegen/schema.graphql and codegen/types.ts (commit both)
codegen: install
	$(BIN)/trainforge codegen

## Benchmarks: nested program query (requests/s, p50/p99, SQL per request), then rule-based generation
bench: install
	$(BIN)/python bench/nested_query.py $(BENCH_ARGS)
	$(BIN)/python bench/generation.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
