# KRSD — two commands for a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
export FLASK_APP := krsd
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install lint test-sqlite test-postgres bench clean

$(BIN)/flask: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "== Installing KRSD and its dependencies into $(VENV)"
	@$(BIN)/pip install --quiet --upgrade pip "setuptools>=78.1.1" 2>/dev/null
	@set -o pipefail; $(BIN)/pip install --quiet -e '.[dev]' 2>&1 | { grep -v "^WARNING: Location" || true; }
	@$(BIN)/python -c "import krsd" && touch $(BIN)/flask

install: $(BIN)/flask

run: install
	@scripts/ensure-system-packages.sh run
	$(BIN)/flask db upgrade
	$(BIN)/flask krsd seed-demo
	@echo "== KRSD draait op http://127.0.0.1:5000 (Ctrl+C stopt)"
	$(BIN)/flask run --host 127.0.0.1 --port 5000

lint: install
	@echo "== ruff"
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	@echo "== import-linter (the package order of ARCHITECTURE.md)"
	$(BIN)/lint-imports --no-cache

test-sqlite: install
	@echo "== pytest on SQLite (embedded), Redis for the shared rate limits"
	KRSD_TEST_DATABASE_URL= scripts/with-redis.sh $(BIN)/pytest -q

test-postgres: install
	@echo "== pytest on PostgreSQL (throw-away server on 127.0.0.1), Redis for the rate limits"
	scripts/with-redis.sh scripts/with-postgres.sh $(BIN)/pytest -q

test: install
	@scripts/ensure-system-packages.sh test
	@$(MAKE) --no-print-directory lint
	@BIN=$(BIN) scripts/test-both.sh

# make bench [ONLY=pdf|pages|daily|enrol|reports] [DB=sqlite|postgresql]: timings, never a test.
bench: install
	@scripts/ensure-system-packages.sh bench
	ONLY=$(ONLY) DB=$(DB) scripts/with-redis.sh $(if $(filter sqlite,$(DB))$(filter pdf,$(ONLY)),,scripts/with-postgres.sh) \
	  $(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
