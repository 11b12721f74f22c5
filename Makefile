# Daily Papers — `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.DEFAULT_GOAL := help
.PHONY: help run shell test format check-security serve-prod bench demo-data clean

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

run: $(STAMP) ## Install, create the SQLite database, load the demo set, serve http://127.0.0.1:8000 (PORT=, HOST=)
	$(BIN)/dailypapers db upgrade
	$(BIN)/dailypapers demo
	$(BIN)/dailypapers serve $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

shell: $(STAMP) ## A shell with .venv/bin on PATH, so `dailypapers ...` works as written in the docs
	@echo "dailypapers is on PATH here; exit to leave"
	@PATH="$(CURDIR)/$(BIN):$$PATH" VIRTUAL_ENV="$(CURDIR)/$(VENV)" $${SHELL:-/bin/sh}

T ?=
test: $(DEV_STAMP) ## Lint, types, layers and the whole suite (T=tests/web for part; FAST=1 skips slow tests)
	$(BIN)/ruff check --no-cache src tests scripts bench
	$(BIN)/ruff format --no-cache --check src tests scripts bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest $(if $(FAST),-m "not slow") $(T)

format: $(DEV_STAMP) ## Format and fix lint in place
	$(BIN)/ruff format src tests scripts bench
	$(BIN)/ruff check --fix src tests scripts bench

check-security: $(DEV_STAMP) ## schemathesis over every API operation, then the fuzzer over every page and form
	BIN=$(BIN) scripts/check_security.sh

WORKERS ?= 4
PG_STAMP := $(VENV)/.installed-postgres
$(PG_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/pip install --quiet -e '.[postgres]'
	touch $@

serve-prod: $(PG_STAMP) ## Serve with $(WORKERS) workers on loopback against DAILYPAPERS_DATABASE_URL (docs/deploy.md)
	DAILYPAPERS_ENV=production $(BIN)/dailypapers serve --host 127.0.0.1 --workers $(WORKERS)

bench: $(DEV_STAMP) ## Run every benchmark (quick; FULL=1 for the issue-sized runs); figures go to bench/results/
	@command -v wrk >/dev/null || { echo "bench/web.py needs wrk: apt-get install wrk"; exit 2; }
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/embed.py
	$(BIN)/python bench/digest.py
	$(BIN)/python bench/recommend.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/backends.py
	@if [ "$$FULL" = 1 ]; then $(BIN)/python bench/vectors.py; else $(BIN)/python bench/vectors.py --papers 200000; fi

demo-data: $(DEV_STAMP) ## Rebuild the bundled demo set (and its embeddings) from ../shared/data/hf-daily
	$(BIN)/python scripts/build_demo.py

clean: ## Remove the virtualenv (keeps ./data)
	rm -rf $(VENV)
