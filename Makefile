# Coalition CRM — `make run` to try it, `make test` to check it.
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# A laptop default; production sets DEBUG=0 and a SECRET_KEY (see README).
export DEBUG ?= 1

.PHONY: run test lint format setup demo worker serve backup restore lock clean loadtest

run: setup demo
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C stops the web server and the task worker)"
	@trap 'kill 0' INT TERM EXIT; \
	$(MANAGE) db_worker --queue-name '*' & \
	$(MANAGE) runserver $(HOST):$(PORT)

# The suite runs on every core (pytest-xdist), a test file per worker; TEST_WORKERS=0 runs it
# in one process. One hash seed for all workers, so that each collects the tests in one order.
TEST_WORKERS ?= auto
test: setup
	PYTHONHASHSEED=0 $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Installs once per change of the lock file; quick when nothing changed. The checkout's
# secret key lets `manage.py` commands run without DEBUG (config/settings.py reads it).
setup: $(VENV)/.installed var/secret-key

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@touch $@

demo: setup
	$(MANAGE) migrate --no-input
	$(MANAGE) demo_setup

# The task worker for the configured queue: the database (default) or Redis (TASKS_BACKEND=rq).
worker: setup
ifeq ($(TASKS_BACKEND),rq)
	$(MANAGE) rqworker default --job-class django_tasks_rq.backend.Job
else
	$(MANAGE) db_worker --queue-name '*'
endif

# Production-like stack on this machine: gunicorn with several workers plus the task
# worker, DEBUG off, against DATABASE_URL (and REDIS_URL with TASKS_BACKEND=rq).
# Cookies and pages are allowed over plain http here because it serves 127.0.0.1 only.
serve: export DEBUG = 0
serve: export SESSION_COOKIE_SECURE ?= 0
serve: export CSRF_COOKIE_SECURE ?= 0
serve: export SECURE_SSL_REDIRECT ?= 0
serve: export SECURE_HSTS_SECONDS ?= 0
serve: setup
	@$(MANAGE) migrate --no-input && \
	$(MANAGE) collectstatic --no-input -v0 && \
	echo "Serving with gunicorn on http://$(HOST):$(PORT)/  (health: /health/)" && \
	trap 'kill 0' INT TERM EXIT && \
	{ $(MAKE) --no-print-directory worker & \
	  HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/gunicorn -c config/gunicorn.py config.wsgi; }

var/secret-key: | $(VENV)/.installed
	@$(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@chmod 600 $@

# Backups: a pg_dump archive on PostgreSQL, a consistent copy of the file on SQLite.
backup: setup
	$(PY) scripts/backup.py dump

# Restores FILE (e.g. make restore FILE=var/backups/coalition-20261126-120000.dump);
# stop the app first.
restore: setup
	$(PY) scripts/backup.py restore "$(FILE)"

# The load test (docs/performance.md, "Load test"): builds 1,000,000 signatures once in
# DATABASE_URL (PostgreSQL), runs `make serve` on 127.0.0.1:8011 and locust against it,
# 50 users for 60 s then 200 concurrent signers, and checks the signatures. ~6 minutes.
loadtest: setup
	bash bench/loadtest.sh

# Regenerates requirements.lock from pyproject.toml (needs network access to PyPI).
lock: setup
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes \
		--python-version 3.12 --universal -o requirements.lock

clean:
	rm -rf $(VENV) var/*.sqlite3
