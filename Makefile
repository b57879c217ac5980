# Two commands matter: `make demo` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint test-sqlite test-postgres bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the package metadata changes.
$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

demo: $(STAMP)
	cd example_project && ../$(BIN)/python manage.py migrate --noinput
	cd example_project && ../$(BIN)/python manage.py seed_demo
	cd example_project && ../$(BIN)/python manage.py runserver 127.0.0.1:8000

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
		$(BIN)/python -m pytest --ds=tests.settings_postgres -m "postgres or not own_site"; \
	elif [ "$$CI" = "true" ]; then \
		echo "CI: PostgreSQL and Redis are required (.ci/run starts them)"; exit 1; \
	else \
		echo "PostgreSQL/Redis not reachable: the race and Redis tests did NOT run (CI runs them)."; \
	fi

test: lint test-sqlite test-postgres

# Ours next to the floor and the peers, in one run (docs/benchmarks.md). Needs the
# PostgreSQL and Redis of `make test-postgres`. Every script runs; the target fails
# when any of them missed a target.
BENCHMARKS := gate login client load cleanup
bench: $(STAMP)
	@status=0; for name in $(BENCHMARKS); do \
		$(BIN)/python -m benchmarks.bench_$$name || status=1; \
	done; exit $$status

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
