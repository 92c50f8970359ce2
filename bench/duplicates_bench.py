"""Times the duplicate finder over 100,000 contacts and 10,000 organisations, with known
duplicates seeded in (tests/duplicate_data.py), and prints precision and recall. Not run
by CI.

    .venv/bin/python bench/duplicates_bench.py          # SQLite, var/bench-duplicates.sqlite3
    createdb coalition_bench_duplicates
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coalition_bench_duplicates \
        .venv/bin/python bench/duplicates_bench.py

The database is emptied and filled on each run (about a minute), so the seeded truth is
known. Each finder runs REPEAT times; the median is printed. Bounded: the fill and three
runs of each finder, a few minutes at most.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-duplicates.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from crm.duplicates import find_contact_duplicates, find_organisation_duplicates  # noqa: E402
from crm.models import Affiliation, Contact, Organisation  # noqa: E402
from tests.duplicate_data import (  # noqa: E402
    build_contacts,
    build_organisations,
    precision_recall,
)

SMOKE = "--smoke" in sys.argv  # tiny sizes, as the test suite runs it
CONTACTS = 500 if SMOKE else int(os.environ.get("BENCH_CONTACTS", "100000"))
ORGANISATIONS = CONTACTS // 10
SHARE = 0.1  # one record in eleven is a duplicate of another
REPEAT = 1 if SMOKE else 3


def fill():
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)  # a bench database only
    started = time.monotonic()
    organisations = build_organisations(round(ORGANISATIONS / (1 + SHARE)), duplicate_share=SHARE)
    contacts = build_contacts(round(CONTACTS / (1 + SHARE)), duplicate_share=SHARE)
    rng = random.Random(3)
    organisation_ids = list(Organisation.objects.values_list("pk", flat=True))
    Affiliation.objects.bulk_create(
        [
            Affiliation(contact_id=pk, organisation_id=rng.choice(organisation_ids))
            for pk in Contact.objects.values_list("pk", flat=True)
        ],
        batch_size=5000,
    )
    print(
        f"filled {Contact.objects.count():,} contacts, {Organisation.objects.count():,} "
        f"organisations in {time.monotonic() - started:.0f} s"
    )
    return contacts, organisations


def timed(finder, truth, label):
    times, pairs = [], []
    for _ in range(REPEAT):
        started = time.monotonic()
        pairs = finder()
        times.append(time.monotonic() - started)
    precision, recall = precision_recall(pairs, truth)
    print(
        f"{label:14} median {statistics.median(times):5.1f} s (max {max(times):.1f} s), "
        f"{len(pairs):,} pairs, {len(truth):,} seeded; "
        f"precision {precision:.3f}, recall {recall:.3f}"
    )


def main():
    print(f"database: {django.db.connection.vendor}")
    contacts, organisations = fill()
    timed(find_contact_duplicates, contacts, "contacts")
    timed(find_organisation_duplicates, organisations, "organisations")


if __name__ == "__main__":
    main()
