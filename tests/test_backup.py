"""make backup / make restore: a restored database holds exactly what was backed up."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from outreach.models import Stage
from outreach.services import signature_record
from tests.factories import make_ask, make_contact, make_outreach

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "backup.py"


def _run(*args, database_url):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_a_sqlite_backup_restores_what_was_there(tmp_path):
    live = tmp_path / "coalition.sqlite3"
    with sqlite3.connect(live) as db:
        db.execute("CREATE TABLE contact (id INTEGER PRIMARY KEY, name TEXT)")
        db.executemany("INSERT INTO contact (name) VALUES (?)", [("Zoë",), ("山本 悠人",)])
    url = f"sqlite:///{live}"

    backup = Path(_run("dump", "--to", str(tmp_path / "backups"), database_url=url))
    with sqlite3.connect(live) as db:
        db.execute("DELETE FROM contact")
    _run("restore", str(backup), database_url=url)

    with sqlite3.connect(live) as db:
        names = [row[0] for row in db.execute("SELECT name FROM contact ORDER BY id")]
    assert names == ["Zoë", "山本 悠人"]


def _pg_url(settings_dict, name):
    user = settings_dict.get("USER") or "postgres"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def _table_counts(url):
    with psycopg.connect(url) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables
        }


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in {"postgres", "postgresql"},
    reason="pg_dump / pg_restore: runs in the PostgreSQL pass of CI (DATABASE_URL)",
)
def test_a_postgresql_backup_restores_into_a_fresh_database_with_equal_counts(tmp_path, staff):
    ask = make_ask()
    for _ in range(3):
        entry = make_outreach(ask=ask, stage=Stage.INVITED)
        signature_record(ask=ask, organisation=entry.organisation, by=staff)
    signature_record(ask=ask, contact=make_contact(email="zoe@example.org"), by=staff)

    settings_dict = connection.settings_dict
    source = _pg_url(settings_dict, settings_dict["NAME"])
    fresh_name = f"{settings_dict['NAME']}_restored"
    admin = _pg_url(settings_dict, "postgres")
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{fresh_name}"')
        db.execute(f'CREATE DATABASE "{fresh_name}"')
    try:
        backup = _run("dump", "--to", str(tmp_path), database_url=source)
        _run("restore", backup, database_url=_pg_url(settings_dict, fresh_name))

        before, after = _table_counts(source), _table_counts(_pg_url(settings_dict, fresh_name))
        assert before["outreach_signature"] == 4
        assert after == before
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{fresh_name}" WITH (FORCE)')
