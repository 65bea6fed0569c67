# Two commands on a fresh machine: `make reproduce` and `make test`.
# Each target installs what it needs: into the active virtual environment (or conda env) when
# one is active, otherwise into ./.venv, created here with the system's python3.

SHELL := /bin/bash
PYTHON ?= python3

ifdef VIRTUAL_ENV
  ENV_DIR := $(VIRTUAL_ENV)
else ifdef CONDA_PREFIX
  ENV_DIR := $(CONDA_PREFIX)
else
  ENV_DIR := .venv
endif
PY := $(ENV_DIR)/bin/python
# One stamp per environment, refreshed whenever the dependency list changes.
STAMP := .make/installed-$(shell echo '$(abspath $(ENV_DIR))' | cksum | cut -d' ' -f1)

export MPLBACKEND := Agg
export PYTHONHASHSEED := 0
# One BLAS thread: faster on 2 cores under load, and bit-stable results across machines.
export OPENBLAS_NUM_THREADS := 1

.PHONY: help install data reproduce notebooks site test lint format bench clean

help:
	@echo "make reproduce  fetch and build the data, run every notebook, write reports/figures/"
	@echo "                (FORMATS=png,svg adds SVG copies; JOBS=1 runs one notebook at a time)"
	@echo "make site       build the browsable site from the executed notebooks: reports/site/index.html"
	@echo "make test       run the whole test suite (notebooks included)"
	@echo "make bench      time the package against baselines, ratios side by side"
	@echo "make lint       ruff check and format check"

$(ENV_DIR)/bin/python:
	@echo ">> creating virtual environment in $(ENV_DIR)"
	$(PYTHON) -m venv $(ENV_DIR)

$(STAMP): pyproject.toml | $(ENV_DIR)/bin/python
	@echo ">> installing cchc-analysis with its notebook, dev and docs extras into $(ENV_DIR)"
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[notebooks,dev,docs]"
	@mkdir -p .make && touch $@

install: $(STAMP)

data: $(STAMP)
	$(PY) -m cchc_analysis fetch
	$(PY) -m cchc_analysis build

# FORMATS=png,svg adds an SVG copy of every figure; JOBS=1 runs the notebooks one after another.
FORMATS ?= $(CCHC_FIGURE_FORMATS)
JOBS ?=
notebooks: data
	CCHC_FIGURE_FORMATS="$(FORMATS)" $(PY) -m cchc_analysis notebooks $(if $(JOBS),--jobs $(JOBS))

reproduce: notebooks
	@echo ">> figures are in reports/figures/, tables in reports/tables/"

# Reads the notebooks executed by `make reproduce`; runs none of them again.
site: $(STAMP)
	$(PY) -m cchc_analysis site

# On every core (pytest-xdist), a test file per worker so module fixtures are made once, the
# longest files first (tests/expected_seconds.json, refreshed by `pytest --record-seconds`); the
# notebooks and the site are made once, under a lock (tests/conftest.py).
test: $(STAMP)
	$(PY) -m pytest -n auto --dist loadfile

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf data/processed/*.parquet data/processed/DATA_DICTIONARY.md reports/figures/* reports/tables/* reports/executed reports/site reports/site-build reports/site-screenshots .make
