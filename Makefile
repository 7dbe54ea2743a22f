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

## Regenerate codegen/: schema.graphql (the SDL, from the code), then types.ts with GraphQL Code Generator (needs Node); commit both
codegen: install codegen/node_modules/.package-lock.json
	$(BIN)/trainforge codegen
	npm --prefix codegen run --silent generate

# The Code Generator's packages, exactly as locked; reinstalled when package.json or the lock changes.
codegen/node_modules/.package-lock.json: codegen/package.json codegen/package-lock.json
	npm ci --prefix codegen --no-audit --no-fund

## Benchmarks: nested program query (requests/s, p50/p99, SQL per request), then rule-based generation
bench: install
	$(BIN)/python bench/nested_query.py $(BENCH_ARGS)
	$(BIN)/python bench/tree_sizes.py
	$(BIN)/python bench/generation.py
	$(BIN)/python bench/session_fanout.py --subscribers 1000 --duration 10
	$(BIN)/python bench/hr_fanout.py --subscribers 1000 --duration 10

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info codegen/node_modules
