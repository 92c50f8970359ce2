"""Every script under bench/ keeps running: each runs here at its --smoke size (seconds,
small data) on a scratch database of the suite's engine, so a schema change that breaks a
bench fails the suite. The big runs, and the figures in docs/performance.md, stay manual."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"

# (script and arguments, a line its output must hold)
SMOKE_RUNS = {
    "reports": (["reports_bench.py", "--smoke"], "median ms by number of signatures"),
    "contact list": (["contact_list.py", "--smoke"], "last page"),
    "duplicates": (["duplicates_bench.py", "--smoke"], "precision"),
    "pipeline pages": (["pipeline_pages.py", "--smoke"], "table, last page"),
    "public page": (["public_page.py", "--smoke"], "count: 200 -> confirm 201 -> withdraw 200"),
    "export": (["export_bench.py", "--smoke"], "background export contacts csv"),
    "import": (
        ["import_bench.py", "--rows", "300", "--organisations", "20", "--plain-rows", "50"],
        "commit vs raw bulk_create",
    ),
    "privacy": (["privacy_bench.py", "--smoke"], "in its transaction"),
    "xlsx read": (["xlsx_read_bench.py", "--smoke"], "read 300 rows"),
}


@pytest.fixture
def scratch_database_url(tmp_path):
    """A database of the suite's engine that only this bench run uses."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path / 'bench.sqlite3'}"
        return
    import psycopg

    name = f"bench_smoke_{uuid.uuid4().hex[:12]}"
    admin = {
        "host": database["HOST"] or "127.0.0.1",
        "port": database["PORT"] or 5432,
        "user": database["USER"],
        "password": database["PASSWORD"],
        "dbname": "postgres",
    }
    with psycopg.connect(**admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield (
            f"postgres://{admin['user']}:{admin['password']}@{admin['host']}:{admin['port']}/{name}"
        )
    finally:
        with psycopg.connect(**admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_bench(args, database_url, *, cwd=ROOT):
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # each bench chooses its own settings
    return subprocess.run(
        [sys.executable, str(BENCH / args[0]), *args[1:]],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("name", SMOKE_RUNS)
def test_the_bench_runs_at_its_smoke_size(name, scratch_database_url):
    args, expected = SMOKE_RUNS[name]

    result = run_bench(args, scratch_database_url)

    assert result.returncode == 0, result.stderr[-3000:]
    assert expected in result.stdout


def test_the_load_test_dataset_builds_and_its_signing_check_runs(scratch_database_url, tmp_path):
    signers = tmp_path / "signers.txt"
    signers.write_text("")

    built = run_bench(["load_dataset.py", "--smoke"], scratch_database_url)
    reset = run_bench(["load_signing_check.py", "--reset"], scratch_database_url)
    checked = run_bench(
        ["load_signing_check.py", "--confirm", "--signers", str(signers)], scratch_database_url
    )

    for result in (built, reset, checked):
        assert result.returncode == 0, result.stderr[-3000:]
    assert "All checks passed." in checked.stdout


def test_the_locustfile_loads():
    result = subprocess.run(
        [sys.executable, "-c", f"import runpy; runpy.run_path({str(BENCH / 'locustfile.py')!r})"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-3000:]
