# Coalition CRM — `make run` to try it, `make test` to check it.
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# A laptop default; production sets DEBUG=0 and a SECRET_KEY (see README).
export DEBUG ?= 1

.PHONY: run test lint format setup demo worker lock clean

run: setup demo
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C stops the web server and the task worker)"
	@trap 'kill 0' INT TERM EXIT; \
	$(MANAGE) db_worker --queue-name '*' & \
	$(MANAGE) runserver $(HOST):$(PORT)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Installs once per change of the lock file; quick when nothing changed.
setup: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@touch $@

demo: setup
	$(MANAGE) migrate --no-input
	$(MANAGE) demo_setup

worker: setup
	$(MANAGE) db_worker --queue-name '*'

# Regenerates requirements.lock from pyproject.toml (needs network access to PyPI).
lock: setup
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes \
		--python-version 3.12 --universal -o requirements.lock

clean:
	rm -rf $(VENV) var/*.sqlite3
