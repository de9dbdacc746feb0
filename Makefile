# The README names these targets. `make demo` and `make test` are the two-command quick start.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export TRACEBUREAU_DATA_DIR ?= $(CURDIR)/data
PYTEST_ARGS ?=

.PHONY: bench-distributed bench-distributed-quick bench-harness bench-scale bench-scale-harness bench-kinship bench-kinship-quick bench-linkage bench-linkage-quick demo serve test test-fast lint typecheck migrations-check schema-check check clean-venv

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## demo: install, migrate, load the demo scenario and serve http://127.0.0.1:8000
demo: $(VENV)/.installed
	$(BIN)/tracebureau migrate --noinput
	$(BIN)/tracebureau demo
	$(BIN)/tracebureau serve

## serve: serve what is already loaded
serve: $(VENV)/.installed
	$(BIN)/tracebureau serve

## test: install the test dependencies and run the whole suite (browser tests need Debian's chromium)
test: $(VENV)/.installed-test
	@scripts/ensure-chromium
	$(BIN)/pytest --cov --cov-report=term $(PYTEST_ARGS)

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

## bench-scale: against the PostgreSQL of DATABASE_URL holding a generated registry (generate-registry): query plans and a 60 s load test of 50 users; rewrites benchmarks/scale/REPORT.md
bench-scale: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.scale $(BENCH_ARGS)

## bench-scale-harness: the scale benchmark at toy size in a throwaway PostgreSQL database (CI runs it)
bench-scale-harness: $(VENV)/.installed-bench $(VENV)/.installed-test
	$(BIN)/pytest -q -p no:cacheprovider tests/benchmarks_scale

## bench-linkage: FEBRL4 and cross-script against Splink, and 10k × 1M; rewrites benchmarks/linkage/REPORT.md
bench-linkage: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.linkage $(BENCH_ARGS)

## bench-harness: the benchmark harness's own tests (CI runs them; they assert no timing)
bench-harness: $(VENV)/.installed-bench $(VENV)/.installed-test
	$(BIN)/pytest -q -p no:cacheprovider tests/benchmarks_linkage tests/benchmarks_kinship tests/benchmarks_distributed

## bench-linkage-quick: the same at CI size, written to benchmarks/linkage/quick/ (ignored by git)
bench-linkage-quick: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.linkage --quick $(BENCH_ARGS)

## bench-kinship: 5,000 remains × 20,000 families × 23 markers, joint and the exact path; rewrites benchmarks/kinship/REPORT.md
bench-kinship: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.kinship $(BENCH_ARGS)

## bench-kinship-quick: the same at CI size, written to benchmarks/kinship/quick/ (ignored by git)
bench-kinship-quick: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.kinship --quick $(BENCH_ARGS)

## bench-distributed: 10k × 1M linkage and the 5,000 × 20,000 kinship matrix in one process and on a Dask LocalCluster; rewrites benchmarks/distributed/REPORT.md
bench-distributed: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.distributed $(BENCH_ARGS)

## bench-distributed-quick: the same at CI size, written to benchmarks/distributed/quick/ (ignored by git)
bench-distributed-quick: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.distributed --quick $(BENCH_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy src/tracebureau

migrations-check: $(VENV)/.installed-test
	$(BIN)/tracebureau makemigrations --check --dry-run

schema-check: $(VENV)/.installed-test
	$(BIN)/tracebureau spectacular --validate --fail-on-warn --file /dev/null

## check: everything CI runs besides the PostgreSQL pass
check: lint typecheck migrations-check schema-check test

clean-venv:
	rm -rf $(VENV)
