"""Times exporting and erasing one person in a CRM of some size, and a retention run.

    .venv/bin/python bench/privacy_bench.py        # SQLite, var/bench_privacy.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coalition_bench \
        .venv/bin/python bench/privacy_bench.py
    .venv/bin/python bench/privacy_bench.py --smoke   # tiny, what the test suite runs

Fills (once) CONTACTS contacts with a history row each, one activity and one outreach
entry per contact, 40 import reports of 1,000 invalid rows each (40,000 JSON items),
1,000 import changes, and two unfinished imports keeping their file: a CSV of about
4.9 MB and an XLSX of the same rows, both naming the person erased. Export and erasure
are rolled back, so each run measures the same database. A real erasure (not rolled
back) is also timed for how long its transaction lasts, i.e. how long it blocks other
writes on SQLite; the kept files are read outside it. Bounded: a few minutes at most.
"""

import argparse
import contextlib
import csv
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_privacy.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from simple_history.utils import bulk_create_with_history  # noqa: E402

from crm import privacy  # noqa: E402
from crm.models import Contact, ImportChange, ImportRecord  # noqa: E402
from crm.privacy import retention_due, subject_erase, subject_export  # noqa: E402
from outreach.models import Activity, Ask, Campaign, Outreach  # noqa: E402

SMOKE = "--smoke" in sys.argv
CONTACTS = 200 if SMOKE else int(os.environ.get("BENCH_CONTACTS", "20000"))
FILE_ROWS = 300 if SMOKE else 72000  # about 4.9 MB of CSV
REPEAT = 1 if SMOKE else 5


class Rollback(Exception):
    pass


def fill():
    if Contact.objects.count() >= CONTACTS:
        return
    campaign = Campaign.objects.create(name="Bench", slug="bench")
    ask = Ask.objects.create(campaign=campaign, title="Bench ask", slug="bench-ask")
    contacts = [
        Contact(first_name=f"Given{n}", last_name=f"Family{n}", email=f"person{n}@example.org")
        for n in range(CONTACTS)
    ]
    bulk_create_with_history(contacts, Contact, batch_size=2000)
    contacts = list(Contact.objects.order_by("pk"))
    Outreach.objects.bulk_create(
        [Outreach(ask=ask, contact=c, notes=f"Talked to {c.first_name}") for c in contacts],
        batch_size=2000,
    )
    Activity.objects.bulk_create(
        [Activity(kind="note", contact=c, summary=f"Wrote to {c.email}") for c in contacts],
        batch_size=2000,
    )
    for r in range(40):
        errors = [
            {
                "row": i,
                "column": "E-mail",
                "value": f"person{r * 1000 + i}@example.org",
                "reason": "duplicate",
            }  # fmt: skip
            for i in range(1000)
        ]
        ImportRecord.objects.create(
            kind="contacts", file_name=f"f{r}.csv", sha256="0", errors=errors
        )
    record = ImportRecord.objects.first()
    ImportChange.objects.bulk_create(
        [
            ImportChange(
                record=record,
                model="crm.contact",
                object_id=c.pk,
                before={"first_name": ""},
                after={"first_name": c.first_name},
            )  # fmt: skip
            for c in contacts[:1000]
        ]
    )


def file_rows():
    yield ["First name", "Last name", "E-mail", "Organisation", "Phone"]
    for n in range(FILE_ROWS):
        k = n % CONTACTS
        yield [f"Given{k}", f"Family{k}", f"person{k}@example.org", f"Org {n}", f"+3247{n:07d}"]


def kept_files():
    """The two unfinished imports keeping their file (made once)."""
    import openpyxl

    records = list(ImportRecord.objects.exclude(file_name__startswith="f").order_by("pk"))
    if records:
        return [(r, bytes(r.data)) for r in records]
    text = io.StringIO()
    csv.writer(text).writerows(file_rows())
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Contacts")
    for row in file_rows():
        sheet.append(row)
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    made = []
    for name, data in (("kept.csv", text.getvalue().encode()), ("kept.xlsx", xlsx.getvalue())):
        record = ImportRecord.objects.create(
            kind="contacts", file_name=name, sha256=str(len(data)), data=data
        )
        made.append((record, data))
    return made


@contextlib.contextmanager
def outermost_transaction_timer(spans):
    """Records how long each outermost transaction lasts (what blocks other writers)."""
    original = transaction.atomic

    class Timed:
        def __init__(self, *args, **kwargs):
            self.inner = original(*args, **kwargs)

        def __enter__(self):
            self.outermost = not connection.in_atomic_block
            self.start = time.perf_counter()
            return self.inner.__enter__()

        def __exit__(self, *exc):
            result = self.inner.__exit__(*exc)
            if self.outermost:
                spans.append(time.perf_counter() - self.start)
            return result

    transaction.atomic = Timed
    try:
        yield
    finally:
        transaction.atomic = original


def real_erasure(files):
    """Erase a person for real (a fresh one each time, in the kept files) and put the
    files back. Returns (seconds in all, seconds of the longest transaction)."""
    n = Contact.objects.filter(erased_at=None).count()
    person = Contact.objects.filter(erased_at=None, email__startswith="person").order_by("pk")[
        n // 3
    ]
    spans = []
    with outermost_transaction_timer(spans):
        start = time.perf_counter()
        erased = subject_erase(contact=person)
        elapsed = time.perf_counter() - start
    if erased.rows.get("crm.importrecord (files)") != len(files):
        sys.exit(f"the kept files naming the person were not dropped: {erased.rows}")
    for record, data in files:
        ImportRecord.objects.filter(pk=record.pk).update(data=data, message="")
    return elapsed, max(spans)


def timed(function):
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def erase_and_roll_back(contact):
    try:
        with transaction.atomic():
            subject_erase(contact=contact)
            raise Rollback
    except Rollback:
        pass


def main():
    argparse.ArgumentParser(description=__doc__).add_argument(
        "--smoke", action="store_true", help="a tiny database, one run (the test suite's)"
    )
    call_command("migrate", verbosity=0)
    fill()
    files = kept_files()
    person = Contact.objects.get(email=f"person{CONTACTS // 2}@example.org")
    sizes = ", ".join(f"{r.file_name} {len(d) / 1e6:.1f} MB" for r, d in files)
    print(f"{Contact.objects.count()} contacts, {Activity.objects.count()} activities; {sizes}")
    print(f"subject_export  {timed(lambda: subject_export(contact=person)) * 1000:8.0f} ms")
    print(f"subject_erase   {timed(lambda: erase_and_roll_back(person)) * 1000:8.0f} ms")
    identifiers = privacy.person_identifiers(person)
    scan = timed(lambda: privacy.scan_import_files(identifiers))
    print(f"  reading the kept files (outside the transaction) {scan * 1000:8.0f} ms")
    runs = [real_erasure(files) for _ in range(REPEAT)]
    total = statistics.median(run[0] for run in runs)
    locked = statistics.median(run[1] for run in runs)
    print(
        f"subject_erase for real {total * 1000:8.0f} ms, in its transaction {locked * 1000:8.0f} ms"
    )
    print(f"retention_due   {timed(lambda: retention_due(days=0).count()) * 1000:8.0f} ms")


if __name__ == "__main__":
    main()
