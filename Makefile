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

export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export FULLFUNNEL_DUCKDB_PATH ?= warehouse/fullfunnel.duckdb

STAMP := $(VENV)/.installed

.PHONY: help setup generate build demo lint pytest conformance test clean

help:
	@echo "make demo   set up, generate the demo data, build the warehouse"
	@echo "make test   set up, build and test on the demo data, pytest, sqlfluff, ruff"

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@echo "==> setting up $(VENV) from requirements.txt (pinned by constraints.txt)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . \
		|| $(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

setup: $(STAMP)

generate: setup
	@echo "==> generating demo landing data (seed $(SEED), scale $(SCALE)) into $(RAW_DIR)"
	$(BIN)/fullfunnel generate --out $(RAW_DIR) --seed $(SEED) --scale $(SCALE)

build: setup
	@echo "==> dbt build on $(RAW_DIR) into $(FULLFUNNEL_DUCKDB_PATH)"
	@mkdir -p $(dir $(FULLFUNNEL_DUCKDB_PATH))
	$(BIN)/dbt build --vars '{raw_dir: "$(RAW_DIR)"}'

demo: generate build
	@echo "==> demo done: warehouse at $(FULLFUNNEL_DUCKDB_PATH) (schemas staging, intermediate, marts, quality)"

lint: setup
	@echo "==> ruff"
	$(BIN)/ruff check scripts tests/python
	$(BIN)/ruff format --check scripts tests/python
	@echo "==> sqlfluff (dbt templater)"
	$(BIN)/sqlfluff lint models tests/dbt analyses

pytest: setup
	@echo "==> pytest"
	$(BIN)/pytest

CONFORMANCE := ../shared/conformance/run

conformance: setup
	@if [ -x $(CONFORMANCE) ] || [ -f $(CONFORMANCE) ]; then \
		echo "==> conformance scenario ($(CONFORMANCE))"; \
		$(BIN)/python $(CONFORMANCE); \
	else \
		echo "==> conformance scenario skipped: $(CONFORMANCE) not found"; \
	fi

test: setup generate build lint pytest conformance
	@echo "==> all tests passed"

clean:
	rm -rf target logs warehouse/*.duckdb* data
