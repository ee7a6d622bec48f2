# The two commands of the README: `make run` (set up and serve the demo) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# `make run PORT=8080 HOST=0.0.0.0` serves elsewhere.
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: run setup secret-key test test-fast lint format typecheck audit fuzz catalogues extract clean

run: setup
	$(BIN)/flask run --host $(HOST) --port $(PORT)

setup: $(VENV)/.installed catalogues secret-key
	$(BIN)/flask db upgrade
	$(BIN)/flask demo

# The development secret key under instance/ (kept; create_app only reads it).
secret-key: $(VENV)/.installed
	$(BIN)/python -c 'from consult.config import write_dev_secret_key; print("secret key:", write_dev_secret_key())'

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

catalogues: $(VENV)/.installed
	$(BIN)/pybabel compile -d consult/translations

# Refresh the catalogue after changing user-facing text, then translate the new zh_CN entries.
# Babel skips folders starting with "_" by default; templates/_macros/ must be read too.
EXTRACT_DIRS := --ignore-dirs '.* __pycache__ node_modules'
extract: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_gettext -o messages.pot --no-location --sort-output $(EXTRACT_DIRS) .
	$(BIN)/pybabel update -i messages.pot -d consult/translations --no-fuzzy-matching --no-wrap

# The browser tests in one process (one Chromium), then everything else in two (each process has its
# own PostgreSQL database and Redis keys), so the whole suite stays within CI's time.
test: lint
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m "not browser" -n 2 $(PYTEST_ARGS)

# The quick loop while coding (about 60 s for 2,800 tests on two quiet cores; 95 s when they are busy): the suite on SQLite in two processes,
# without the browser tests and the few marked slow (building the whole demo), whatever the
# environment says (no PostgreSQL pass, no CI=true failing what it skips; Redis tests only when
# TEST_REDIS_URL is set). `make test` (and CI) still runs everything.
test-fast: $(VENV)/.installed catalogues
	env -u CI -u TEST_DATABASE_URL $(BIN)/python -m pytest -m "not browser and not slow" -n 2 -p no:cacheprovider $(PYTEST_ARGS)

# Style, layering and security lint: ruff (its rules in pyproject.toml; code as `make format` leaves
# it), import-linter (the layering contracts in pyproject.toml: core imports no domain, the domains'
# layers, views above services above models), mypy (see typecheck), and bandit with no medium or high finding (each
# exception is a `# nosec <id>` with its reason on the line above; see docs/security.md).
PY_DIRS := consult tests migrations bench
lint: $(VENV)/.installed catalogues
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/mypy
	$(BIN)/bandit -q -r consult --severity-level medium

# Rewrite the code in the project's format (ruff format; formatting only, never logic).
format: $(VENV)/.installed
	$(BIN)/ruff format $(PY_DIRS)

# Type check of the core and of every domain's services, queries, models, policies and sources (mypy;
# the files in pyproject.toml; every model subclasses the typed consult.extensions.Model). Also run
# by `make lint`, so a type error fails `make test` and CI.
typecheck: $(VENV)/.installed
	$(BIN)/mypy

# Known vulnerabilities in the pinned dependencies (asks PyPI's advisory database: needs the
# network, so it is not part of `make test` / CI).
audit: $(VENV)/.installed
	$(BIN)/pip-audit --strict --skip-editable --progress-spinner off

# Hostile submissions to every form and URL parameter as every kind of person, on PostgreSQL
# (FUZZ_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres); reports the statuses.
FUZZ_EXAMPLES ?= 10000
fuzz: $(VENV)/.installed catalogues
	$(BIN)/python -m bench.fuzz --examples $(FUZZ_EXAMPLES)

clean:
	rm -rf $(VENV) instance .pytest_cache
	find consult -name '*.mo' -delete
