# The two commands: `make run` (the whole control plane, locally) and `make test` (everything).
# Both provision what they need: a virtualenv, Postgres from the system packages, Kafka's jars
# from Maven Central. Set UNMTA_DATABASE_URL / UNMTA_KAFKA_BOOTSTRAP to use existing servers.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: help install run test unit bench lint clean

help:
	@echo "make run    - provision Postgres + Kafka and run every service (Ctrl-C stops)"
	@echo "make test   - provision and run the whole test suite (unit, integration, end to end)"
	@echo "make unit   - the unit tests only (no servers)"
	@echo "make bench  - benchmarks; JSON in bench-results/ and a table on stdout"
	@echo "make lint   - ruff over the code"

# Reinstalled when a package is added: the editable install maps packages, not folders.
$(STAMP): pyproject.toml $(wildcard libs/*/__init__.py services/*/__init__.py)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11+ is required (found $$($(PYTHON) --version))"; exit 1; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || \
		{ [ "$$(id -u)" = 0 ] && apt-get update -q && apt-get install -y -q python3-venv && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --disable-pip-version-check -e ".[test,dev]"
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m unmta_supervisor.local

test: $(STAMP)
	$(PY) -m pytest

unit: $(STAMP)
	$(PY) -m pytest tests/unit

bench: $(STAMP)
	$(PY) -m tests.bench

lint: $(STAMP)
	$(VENV)/bin/ruff check libs services tests

clean:
	rm -rf $(VENV) bench-results .pytest_cache
