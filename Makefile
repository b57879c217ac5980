# Two commands matter: `make demo` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo
# The demo's port on 127.0.0.1: `PORT=8001 make demo`.
PORT ?= 8000

.PHONY: demo test lint test-sqlite test-postgres test-newest docs dist bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the package metadata changes. The demo installs what the example
# project runs: the package and the extra "schema" (/api/schema/, /api/docs/). Everything
# else (lint, tests, docs, dist, benchmarks) adds the test, bench and docs extras on top,
# in the same .venv. --no-compile: byte-compiling all of Django up front took more than
# half of the demo's install; Python compiles each module when it is first imported.
$(DEMO_STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet --no-compile -e '.[schema]'
	touch $(DEMO_STAMP)

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[schema,test,bench,docs]'
	touch $(STAMP)

demo: $(DEMO_STAMP)
	cd example_project && ../$(BIN)/python manage.py migrate --noinput
	cd example_project && ../$(BIN)/python manage.py seed_demo
	cd example_project && ../$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The embedded default: SQLite + locmem. Race tests are collected but need PostgreSQL.
test-sqlite: $(STAMP)
	$(BIN)/python -m pytest -m "not postgres"

# The whole suite again on the real services, PostgreSQL and Redis, race tests
# included (SQLite ignores row locks). Without them a developer run says so and stops
# here; under CI=true a missing service fails the run (.ci/run starts them first).
test-postgres: $(STAMP)
	@if $(BIN)/python -m tests.services; then \
		$(BIN)/python -m pytest --ds=tests.settings_postgres -m "(postgres or not own_site) and not sqlite"; \
	elif [ "$$CI" = "true" ]; then \
		echo "CI: PostgreSQL and Redis are required (.ci/run starts them)"; exit 1; \
	else \
		echo "PostgreSQL/Redis not reachable: the race and Redis tests did NOT run (CI runs them)."; \
	fi

# The newest cell of the matrix (tox.ini), Python 3.13 + Django 6.1, on the
# embedded suite, in its own venv. The Python comes from pyenv or PATH; without it the
# target says so and fails. A warning of what the next Django major removes fails it: the
# first sign that the Django<7.0 bound in setup.cfg would no longer hold.
NEWEST := .venv-newest
NEWEST_DJANGO := Django>=6.1,<6.2
$(NEWEST)/.installed: setup.cfg pyproject.toml
	@py=""; \
	if command -v pyenv >/dev/null 2>&1; then \
		py=$$(ls -d "$$(pyenv root)"/versions/3.13*/bin/python3.13 2>/dev/null | tail -n 1); \
	fi; \
	if [ -z "$$py" ] && python3.13 -c "" >/dev/null 2>&1; then py=$$(command -v python3.13); fi; \
	if [ -z "$$py" ]; then \
		echo "test-newest: Python 3.13 not found (pyenv install 3.13, or python3.13 on PATH)"; \
		exit 1; \
	fi; \
	echo "test-newest: $$py"; \
	rm -rf $(NEWEST) && "$$py" -m venv $(NEWEST)
	$(NEWEST)/bin/python -m pip install --quiet --upgrade pip
	$(NEWEST)/bin/python -m pip install --quiet -e '.[test]' '$(NEWEST_DJANGO)'
	touch $@

# The browser tests (tests/e2e: real Chromium, axe-core in three languages) are left to
# `make test`: they check the pages' HTML, CSS and script, which the Python and Django
# versions do not change, and running them twice would take .ci/run past its 30
# minutes. Everything else of the embedded suite runs here; tox runs all of it per cell.
test-newest: $(NEWEST)/.installed
	$(NEWEST)/bin/python -m pytest -m "not postgres" --ignore=tests/e2e \
		-W error::django.utils.deprecation.RemovedInDjango70Warning

test: lint test-sqlite test-postgres

# The documentation site from docs/ (Sphinx, the Markdown pages through MyST): every
# warning fails the build, a link to a missing page or heading among them. The diagrams
# are drawn by mermaid.js, fetched once from the npm registry at the version docs/conf.py
# pins; the built site serves that copy (docs/_build/html/index.html).
MERMAID_VERSION := $(shell sed -n 's/^mermaid_version = "\(.*\)"$$/\1/p' docs/conf.py)
MERMAID_JS := docs/_vendor/mermaid/mermaid.esm.min.mjs
$(MERMAID_JS): docs/conf.py
	rm -rf docs/_vendor && mkdir -p docs/_vendor/npm
	cd docs/_vendor/npm && npm pack --silent mermaid@$(MERMAID_VERSION) >/dev/null
	tar -xzf docs/_vendor/npm/mermaid-$(MERMAID_VERSION).tgz -C docs/_vendor/npm --wildcards \
		'package/dist/mermaid.esm.min.mjs' 'package/dist/chunks/mermaid.esm.min/*.mjs'
	mkdir -p docs/_vendor/mermaid/chunks
	mv docs/_vendor/npm/package/dist/mermaid.esm.min.mjs docs/_vendor/mermaid/
	mv docs/_vendor/npm/package/dist/chunks/mermaid.esm.min docs/_vendor/mermaid/chunks/
	rm -rf docs/_vendor/npm

docs: $(STAMP) $(MERMAID_JS)
	$(BIN)/python -m sphinx -E -W --keep-going -b html docs docs/_build/html

# The release files as PyPI would get them, built in isolation and checked by twine.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/python -m twine check --strict dist/*

# Ours next to the floor and the peers, in one run (docs/benchmarks.md). Needs the
# PostgreSQL and Redis of `make test-postgres`. Every script runs; the target fails
# when any of them missed a target.
BENCHMARKS := gate login client load cleanup
bench: $(STAMP)
	@status=0; for name in $(BENCHMARKS); do \
		$(BIN)/python -m benchmarks.bench_$$name || status=1; \
	done; exit $$status

clean:
	rm -rf $(VENV) $(NEWEST) build dist docs/_build docs/_vendor *.egg-info .pytest_cache
