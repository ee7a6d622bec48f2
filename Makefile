# The two commands of the README: `make run` (set up and serve the demo) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# `make run PORT=8080 HOST=0.0.0.0` serves elsewhere.
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: run setup test catalogues extract clean

run: setup
	$(BIN)/flask run --host $(HOST) --port $(PORT)

setup: $(VENV)/.installed catalogues
	$(BIN)/flask db upgrade
	$(BIN)/flask demo

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

test: $(VENV)/.installed catalogues
	$(BIN)/ruff check consult tests migrations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
	find consult -name '*.mo' -delete
