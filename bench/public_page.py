"""Public statement page with 5,000 listed signatories: queries and time per page.

Run:  DEBUG=1 .venv/bin/python bench/public_page.py [--signatories 5000] [--rounds 20]
(add DATABASE_URL=postgres://... to measure on PostgreSQL). It builds its data in a
throw-away test database (like the test suite), so it never touches your own data, and
finishes in well under a minute.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)

from crm.models import Contact, Organisation  # noqa: E402
from outreach.models import Ask, Campaign, Signature  # noqa: E402
from outreach.services import signature_record, signature_withdraw  # noqa: E402


def build(n):
    campaign = Campaign.objects.create(name="Bench", slug="bench")
    ask = Ask.objects.create(campaign=campaign, title="Bench", slug="bench", is_published=True)
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Organisation {i:05d}", country="NL", website=f"https://o{i}.example")
        for i in range(n // 2)
    )
    contacts = Contact.objects.bulk_create(
        Contact(first_name="Person", last_name=f"{i:05d}", email=f"p{i}@example.org")
        for i in range(n - n // 2)
    )
    Signature.objects.bulk_create(
        [Signature(ask=ask, organisation=o, display_name=o.name, country="NL", public=True)
         for o in organisations]
        + [Signature(ask=ask, contact=c, display_name=c.full_name, country="DE", public=True,
                     affiliation_text="University") for c in contacts]
    )  # fmt: skip
    return ask


def measure(client, url, rounds):
    timings, queries = [], set()
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
        queries.add(len(captured))
    return statistics.median(timings), max(timings), sorted(queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--signatories", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, as the suite runs it")
    args = parser.parse_args()
    if args.smoke:
        args.signatories, args.rounds = 200, 1

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        ask = build(args.signatories)
        client = Client()
        print(f"{connection.vendor}, {Signature.objects.count()} listed signatories")
        for label, url in [
            ("page 1", f"/s/{ask.slug}/"),
            ("page 50, sorted by date", f"/s/{ask.slug}/?sort=-date&page=50"),
            ("search", f"/s/{ask.slug}/?q=0042"),
            ("filter by country", f"/s/{ask.slug}/?country=DE&page=10"),
            ("embed", f"/s/{ask.slug}/embed/"),
            ("JSON export (all)", f"/s/{ask.slug}/signatories.json"),
            ("CSV export (all)", f"/s/{ask.slug}/signatories.csv"),
        ]:
            median, worst, queries = measure(client, url, args.rounds)
            print(f"{label:28} median {median:7.1f} ms  max {worst:7.1f} ms  queries {queries}")

        # Counts are read fresh: right at once after a confirmation and a withdrawal.
        contact = Contact.objects.create(first_name="New", email="new@example.org")

        # (The JSON export: page 1 itself may come whole from the page cache.)
        def listed():
            return len(client.get(f"/s/{ask.slug}/signatories.json").json()["signatories"])

        before = listed()
        signature = signature_record(ask=ask, contact=contact, public=True)
        after_confirm = listed()
        signature_withdraw(signature=signature, reason="bench")
        after_withdraw = listed()
        print(f"count: {before} -> confirm {after_confirm} -> withdraw {after_withdraw}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
