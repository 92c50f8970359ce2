"""Back up and restore the configured database (DATABASE_URL, SQLite by default).

    python scripts/backup.py dump [--to DIR]      -> prints the path of the new backup
    python scripts/backup.py restore FILE

PostgreSQL: pg_dump's custom format, restored with pg_restore --clean. SQLite: SQLite's
online backup API (consistent while the app runs), restored by copying back over the file.
"""

import argparse
import datetime
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{BASE_DIR / 'var' / 'coalition.sqlite3'}"


def database():
    return dj_database_url.parse(os.environ.get("DATABASE_URL", DEFAULT_URL))


def _pg_args(db):
    args = ["--dbname", db["NAME"], "--no-password"]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    return args


def _pg_env(db):
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def dump(db, directory):
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(tz=datetime.UTC).strftime("%Y%m%d-%H%M%S")
    if "sqlite" in db["ENGINE"]:
        target = directory / f"coalition-{stamp}.sqlite3"
        with sqlite3.connect(db["NAME"]) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
    else:
        target = directory / f"coalition-{stamp}.dump"
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *_pg_args(db)],
            check=True,
            env=_pg_env(db),
        )
    return target


def restore(db, backup):
    if not backup.is_file():
        sys.exit(f"No backup file at {backup}.")
    if "sqlite" in db["ENGINE"]:
        with sqlite3.connect(backup) as source, sqlite3.connect(db["NAME"]) as live:
            source.backup(live)
    else:
        subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error",
             *_pg_args(db), str(backup)],
            check=True,
            env=_pg_env(db),
        )  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dump_parser = commands.add_parser("dump")
    dump_parser.add_argument("--to", type=Path, default=BASE_DIR / "var" / "backups")
    restore_parser = commands.add_parser("restore")
    restore_parser.add_argument("file", type=Path)
    args = parser.parse_args(argv)

    db = database()
    if args.command == "dump":
        print(dump(db, args.to))
    else:
        restore(db, args.file)
        print(f"Restored {args.file}")


if __name__ == "__main__":
    main()
