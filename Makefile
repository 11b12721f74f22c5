# Daily Papers — `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.DEFAULT_GOAL := help
.PHONY: help run test lint format demo-data clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

run: $(STAMP) ## Install, create the SQLite database, load the demo set, serve http://127.0.0.1:8000
	$(BIN)/dailypapers db upgrade
	$(BIN)/dailypapers demo
	$(BIN)/dailypapers serve

test: $(DEV_STAMP) ## Install dev dependencies and run lint, types and the whole test suite
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/mypy
	$(BIN)/pytest

format: $(DEV_STAMP) ## Format and fix lint in place
	$(BIN)/ruff format src tests scripts
	$(BIN)/ruff check --fix src tests scripts

demo-data: ## Rebuild the bundled demo set from ../shared/data/hf-daily
	$(PYTHON) scripts/build_demo.py

clean: ## Remove the virtualenv (keeps ./data)
	rm -rf $(VENV)
