"""Times exporting and erasing one person in a CRM of some size, and a retention run.
Not run by CI.

    .venv/bin/python bench/privacy_bench.py        # SQLite, var/bench_privacy.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coalition_bench \
        .venv/bin/python bench/privacy_bench.py

Fills (once) CONTACTS contacts with a history row each, one activity and one outreach
entry per contact, 40 import reports of 1,000 invalid rows each (40,000 JSON items) and
1,000 import changes. Erasure happens in a transaction that is rolled back, so each run
measures the same database. Bounded: a few minutes at most.
"""

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
from django.db import transaction  # noqa: E402
from simple_history.utils import bulk_create_with_history  # noqa: E402

from crm.models import Contact, ImportChange, ImportRecord  # noqa: E402
from crm.privacy import retention_due, subject_erase, subject_export  # noqa: E402
from outreach.models import Activity, Ask, Campaign, Outreach  # noqa: E402

CONTACTS = int(os.environ.get("BENCH_CONTACTS", "20000"))
REPEAT = 5


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
    call_command("migrate", verbosity=0)
    fill()
    person = Contact.objects.get(email=f"person{CONTACTS // 2}@example.org")
    print(f"{Contact.objects.count()} contacts, {Activity.objects.count()} activities")
    print(f"subject_export  {timed(lambda: subject_export(contact=person)) * 1000:8.0f} ms")
    print(f"subject_erase   {timed(lambda: erase_and_roll_back(person)) * 1000:8.0f} ms")
    print(f"retention_due   {timed(lambda: retention_due(days=0).count()) * 1000:8.0f} ms")


if __name__ == "__main__":
    main()
