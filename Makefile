# fullfunnel: the two README commands are `make demo` and `make test`.
# Every target sets up its own virtual environment (.venv) from the pinned requirements.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SEED ?= 42
SCALE ?= 1
RAW_DIR ?= data/raw
BENCH_SCALES ?= 1,10,100

export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export FULLFUNNEL_DUCKDB_PATH ?= warehouse/fullfunnel.duckdb

STAMP := $(VENV)/.installed

.PHONY: help setup setup-spark generate codegen build check snapshot publish refresh bench docs docs-serve demo lint chromium pytest conformance test test-fast test-spark build-spark clean

help:
	@echo "make demo         set up, generate the demo data, build, check, snapshot, publish, docs"
	@echo "make test         everything CI runs: build, gate, lint, pytest with Spark, conformance"
	@echo "make test-fast    the day-to-day loop: build, lint, pytest without the Spark tests"
	@echo "make setup        the virtual environment .venv from the pinned requirements"
	@echo "make setup-spark  add the Spark target's packages to .venv (Java 17 needed)"
	@echo "make generate     the demo landing files into data/raw (SEED, SCALE)"
	@echo "make codegen      rewrite the dbt files generated from contract/ (landing, KPIs)"
	@echo "make build        dbt build on data/raw into warehouse/fullfunnel.duckdb"
	@echo "make check        the Great Expectations quality gate (data/quality)"
	@echo "make snapshot     the month's KPI snapshot and report (data/snapshots)"
	@echo "make publish      the serving file and Parquet set for BI (warehouse/)"
	@echo "make refresh      build, freshness, check, snapshot, publish in one go"
	@echo "make bench        time and measure build, floor, incremental, check, snapshot"
	@echo "make docs         dbt docs generate --static (target/static_index.html)"
	@echo "make docs-serve   serve the dbt docs on port 8080"
	@echo "make lint         codegen --check, ruff, sqlfluff, actionlint"
	@echo "make chromium     install Chromium for the report's PNG/PDF"
	@echo "make pytest       pytest, the Spark tests beside the rest"
	@echo "make conformance  the shared conformance scenario (../shared/conformance/run)"
	@echo "make build-spark  dbt build on the Spark target"
	@echo "make test-spark   the Spark parity test alone"
	@echo "make clean        remove target, logs, data and the warehouse files"

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@echo "==> setting up $(VENV) from requirements.txt (pinned by constraints.txt)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

setup: $(STAMP)

generate: setup
	@echo "==> generating demo landing data (seed $(SEED), scale $(SCALE)) into $(RAW_DIR)"
	$(BIN)/fullfunnel generate --out $(RAW_DIR) --seed $(SEED) --scale $(SCALE)

build: setup
	@echo "==> dbt build on $(RAW_DIR) into $(FULLFUNNEL_DUCKDB_PATH)"
	@mkdir -p $(dir $(FULLFUNNEL_DUCKDB_PATH))
	umask 077 && $(BIN)/dbt build --vars '{raw_dir: "$(RAW_DIR)"}'

check: setup
	@echo "==> Great Expectations quality gate (raw files + warehouse, read-only)"
	$(BIN)/fullfunnel check --raw-dir $(RAW_DIR) --warehouse $(FULLFUNNEL_DUCKDB_PATH)

snapshot: setup
	@bash scripts/install_chromium.sh || echo "==> no Chromium: the report's PNG/PDF will be skipped"
	@echo "==> KPI snapshot and one-page report of the latest complete month"
	$(BIN)/fullfunnel snapshot --warehouse $(FULLFUNNEL_DUCKDB_PATH) --out data/snapshots

publish: setup
	@echo "==> publishing the marts for BI (warehouse/serving.duckdb, warehouse/parquet)"
	$(BIN)/fullfunnel publish --warehouse $(FULLFUNNEL_DUCKDB_PATH)

refresh: setup
	$(BIN)/fullfunnel refresh --raw-dir $(RAW_DIR) --warehouse $(FULLFUNNEL_DUCKDB_PATH)

bench: setup
	@echo "==> benchmark: full build, compiled-SQL floor, incremental, check, snapshot (median of 3)"
	$(BIN)/fullfunnel bench --scales $(BENCH_SCALES) --repeats 3

docs: setup
	@echo "==> dbt docs generate --static (target/static_index.html opens as a file; \`make docs-serve\` serves target/index.html)"
	$(BIN)/dbt docs generate --static --vars '{raw_dir: "$(RAW_DIR)"}'

docs-serve: docs
	$(BIN)/dbt docs serve --port 8080

demo: generate build check snapshot publish docs
	@echo "==> demo done: warehouse $(FULLFUNNEL_DUCKDB_PATH) (schemas staging, intermediate, marts, quality)"
	@echo "    snapshot: $$(dirname "$$(ls -t data/snapshots/*/*/manifest.json | head -n 1)")"
	@echo "    report:   $$(ls -t data/snapshots/*/*/report.html | head -n 1) (+ report.png, report.pdf)"
	@echo "    BI files: warehouse/serving.duckdb, warehouse/parquet/; docs: target/static_index.html"

codegen: setup
	$(BIN)/fullfunnel codegen

lint: setup
	@echo "==> generated files match contract/"
	$(BIN)/fullfunnel codegen --check
	@echo "==> ruff"
	$(BIN)/ruff check scripts tests/python
	$(BIN)/ruff format --check scripts tests/python
	@echo "==> sqlfluff (dbt templater)"
	$(BIN)/sqlfluff lint models tests/dbt analyses
	@echo "==> actionlint (.github/workflows)"
	$(BIN)/actionlint

chromium:
	@bash scripts/install_chromium.sh

# pytest also builds the demo on Spark and compares every public mart with DuckDB's
# (tests/python/test_spark_parity.py, FULLFUNNEL_SPARK_PARITY=1; a bare `pytest` skips it).
# The Spark tests run in the background meanwhile (scripts/pytest_all.sh); Chromium is
# required: the report tests fail rather than skip.
pytest: setup setup-spark chromium
	@bash scripts/pytest_all.sh $(BIN)

CONFORMANCE := ../shared/conformance/run

conformance: setup
	@if [ -x $(CONFORMANCE) ] || [ -f $(CONFORMANCE) ]; then \
		echo "==> conformance scenario ($(CONFORMANCE))"; \
		$(BIN)/python $(CONFORMANCE); \
	else \
		echo "==> conformance scenario skipped: $(CONFORMANCE) not found"; \
	fi

# Under `make test`, pytest's demo fixture copies the warehouse the build step has just made
# (when it was built from the same demo data, byte for byte) instead of building it again.
test: export FULLFUNNEL_TEST_DEMO_WAREHOUSE := $(abspath $(FULLFUNNEL_DUCKDB_PATH))
test: setup generate build check lint pytest conformance
	@echo "==> all tests passed"

# The day-to-day loop: no Spark build, no quality gate, no conformance (CI runs `make test`).
test-fast: export FULLFUNNEL_TEST_DEMO_WAREHOUSE := $(abspath $(FULLFUNNEL_DUCKDB_PATH))
test-fast: setup generate build lint
	@echo "==> pytest without the Spark tests"
	$(BIN)/pytest -k "not spark" --numprocesses 2 --dist loadscope

# Spark (dbt-spark, session mode, Java 17): the same project on target `spark`.
export FULLFUNNEL_SPARK_DIR ?= warehouse/spark

SPARK_STAMP := $(VENV)/.installed-spark

$(SPARK_STAMP): $(STAMP) requirements-spark.txt constraints.txt
	@echo "==> adding the Spark target's packages to $(VENV) (requirements-spark.txt)"
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-spark.txt -c constraints.txt
	@touch $@

setup-spark: $(SPARK_STAMP)

build-spark: $(SPARK_STAMP)
	@echo "==> dbt build --target spark on $(RAW_DIR) into $(FULLFUNNEL_SPARK_DIR)"
	$(BIN)/dbt build --target spark --vars '{raw_dir: "$(abspath $(RAW_DIR))"}'

test-spark: $(SPARK_STAMP)
	@echo "==> Spark parity: the demo built on DuckDB and on Spark, every public mart compared"
	FULLFUNNEL_SPARK_PARITY=1 $(BIN)/pytest tests/python/test_spark_parity.py

clean:
	rm -rf target logs data warehouse/*.duckdb* warehouse/.serving.duckdb.* warehouse/parquet warehouse/parquet.versions warehouse/serving.versions warehouse/spark
