# Kontor: `make demo` runs it with demo data on SQLite; `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)
PG_URL ?= postgres://postgres@127.0.0.1:5432/kontor
PYTEST_ARGS ?=

.PHONY: demo test test-sqlite test-postgres lint install system-deps serve clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

var/secret_key:
	mkdir -p var
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

# Debian packages the browser tests and translations need (installed only when missing).
system-deps:
	@bash scripts/system-deps.sh

demo: install var/secret_key
	$(BIN)/kontor migrate --no-input
	$(BIN)/kontor compile-translations
	$(BIN)/kontor demo-data
	$(BIN)/kontor runserver 127.0.0.1:8000

serve: install var/secret_key
	$(BIN)/kontor runserver 127.0.0.1:8000

test: install var/secret_key system-deps lint test-sqlite test-postgres

lint: install
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/lint-imports

test-sqlite: install var/secret_key
	$(BIN)/kontor compile-translations
	DATABASE_URL= $(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-postgres: install var/secret_key
	@if $(BIN)/python scripts/pg_ready.py "$(PG_URL)"; then \
		DATABASE_URL="$(PG_URL)" $(BIN)/pytest -n 2 $(PYTEST_ARGS); \
	else \
		echo "PostgreSQL at $(PG_URL) is not reachable: PostgreSQL tests skipped (CI starts it)."; \
	fi

clean:
	rm -rf $(VENV) var/kontor.sqlite3*
