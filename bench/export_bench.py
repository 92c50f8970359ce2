#!/usr/bin/env python
"""Export benchmark: contacts and organisations written as CSV and XLSX through the
export resources (every cell neutralised), then the CSV previewed by the importer
(the export -> re-import round trip). Then the contacts CSV written as a background
export (crm.exporting.export_file_build, as the task worker runs it): the time until the
first progress is visible to a page polling it, the total, and how much the process's
peak memory grew.

    .venv/bin/python bench/export_bench.py                 # SQLite, a scratch file in /tmp
    .venv/bin/python bench/export_bench.py --rows 50000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coalition_bench \\
        .venv/bin/python bench/export_bench.py             # PostgreSQL (scratch db!)

The database named by DATABASE_URL is EMPTIED (flush) first: never point it at data you
want to keep. Prints seconds, rows/second, queries and the file sizes.
"""

import argparse
import os
import random
import resource
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
NAMES = ["Ana", "Zoë", "Łukasz", "Νίκος", "Ольга", "ليلى", "さくら", "=cmd", "+Plus", "@handle"]


def setup():
    os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/coalition-export-bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)


def fill(rows, organisations, seed):
    from crm.models import Affiliation, Contact, Organisation

    rng = random.Random(seed)
    Organisation.objects.bulk_create(
        Organisation(name=f"{rng.choice(NAMES)} Partner {i:05d}", country="BE", notes="=1+1")
        for i in range(organisations)
    )
    org_ids = list(Organisation.objects.values_list("pk", flat=True))
    Contact.objects.bulk_create(
        Contact(
            first_name=rng.choice(NAMES),
            last_name=f"Person {i}",
            email=f"person{i}@example.org",
            country=rng.choice(["FR", "DE", "", "GR"]),
            notes=rng.choice(["", "-5 call back", "ok"]),
        )
        for i in range(rows)
    )
    Affiliation.objects.bulk_create(
        Affiliation(contact_id=pk, organisation_id=rng.choice(org_ids), is_primary=True)
        for pk in Contact.objects.values_list("pk", flat=True)
    )


def timed(label, count, work):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - start
    print(f"{label:<34} {seconds:7.2f} s  {count / seconds:9.0f} rows/s  {len(queries):3d} queries")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, as the suite runs it")
    args = parser.parse_args()
    if args.smoke:
        args.rows, args.organisations = 200, 20
    setup()
    from django.db import connection

    from crm import exporting
    from crm.importing import run
    from crm.models import Contact, Organisation

    fill(args.rows, args.organisations, args.seed)
    print(f"{connection.vendor}: {args.rows} contacts, {args.organisations} organisations")
    background(args.rows)  # first, so the peak memory it adds is its own
    for kind, model, count in (
        ("contacts", Contact, args.rows),
        ("organisations", Organisation, args.organisations),
    ):
        for fmt in exporting.FORMATS:
            content, _ = timed(
                f"export {kind} {fmt}",
                count,
                lambda kind=kind, model=model, fmt=fmt: exporting.render(
                    kind, model.objects.all(), fmt
                ),
            )
            print(f"{'':<34} {len(content) / 1e6:7.2f} MB")
            if fmt == "csv":
                csv_content = content

        def preview(kind=kind, data=csv_content):
            record = run.new_record(kind=kind, data=data, file_name="export.csv", user=None)
            return run.preview(record, progress=False)

        outcome = timed(f"re-import preview {kind}", count, preview)
        print(f"{'':<34} unchanged {outcome.counts['unchanged']} of {outcome.counts['rows']}")


def background(rows):
    """The contacts CSV written in the background while a poller watches its progress."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from crm import exporting
    from crm.models import ExportFile

    user, _ = get_user_model().objects.get_or_create(username="bench-export")
    now = timezone.now()
    export = ExportFile.objects.create(
        kind="contacts",
        file_format="csv",
        created_by=user,
        file_name="contacts-bench.csv",
        expires_at=now + datetime.timedelta(hours=1),
    )
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()

    def build():
        exporting.export_file_build(export=ExportFile.objects.get(pk=export.pk))
        connection.close()

    worker = threading.Thread(target=build)
    worker.start()
    first = None
    while worker.is_alive():
        if first is None and ExportFile.objects.filter(pk=export.pk, rows_done__gt=0).exists():
            first = time.perf_counter() - started
        time.sleep(0.02)
    worker.join()
    total = time.perf_counter() - started
    export.refresh_from_db()
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert export.status == "ready" and export.rows_done == rows, export.status
    print(
        f"{'background export contacts csv':<34} {total:7.2f} s  first progress after "
        f"{first or total:.2f} s, {len(export.content) / 1e6:.2f} MB, peak memory +{grown:.0f} MB"
    )


if __name__ == "__main__":
    main()
