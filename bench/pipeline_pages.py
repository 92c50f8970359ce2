#!/usr/bin/env python
"""Times an ask's board and table pages with 5,000 outreach entries in that one ask,
and counts their queries.

    DEBUG=1 .venv/bin/python bench/pipeline_pages.py     # SQLite: var/bench_pipeline.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coalition_bench DEBUG=1 \\
        .venv/bin/python bench/pipeline_pages.py --entries 5000 --runs 10

Builds the data once per database (an ask with the slug "bench-<entries>"), then renders
each page `--runs` times through Django's test client, signed in as staff, and prints the
median and worst time and the number of queries. Bounded: building 5,000 entries takes a
few seconds, each page well under a second.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_pipeline.sqlite3'}")
os.environ.setdefault("DEBUG", "1")
os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from crm.models import Contact, Organisation  # noqa: E402
from outreach.models import STAGE_ORDER, Ask, Campaign, Outreach  # noqa: E402


def build(entries):
    slug = f"bench-{entries}"
    ask = Ask.objects.filter(slug=slug).first()
    if ask is not None:
        return ask
    started = time.perf_counter()
    campaign, _ = Campaign.objects.get_or_create(slug="bench", defaults={"name": "Benchmark"})
    ask = Ask.objects.create(campaign=campaign, title=f"Benchmark ask ({entries})", slug=slug)
    owners = [
        get_user_model().objects.get_or_create(username=f"bench{i}", defaults={"is_staff": True})[0]
        for i in range(5)
    ]
    organisations = Organisation.objects.bulk_create(
        (Organisation(name=f"Bench organisation {i}", country="NL") for i in range(entries)),
        batch_size=1000,
    )
    contacts = Contact.objects.bulk_create(
        (Contact(first_name="Bench", last_name=f"Person {slug} {i}") for i in range(entries)),
        batch_size=1000,
    )
    today = timezone.localdate()
    Outreach.objects.bulk_create(
        (
            Outreach(
                ask=ask,
                organisation=organisation,
                contact=contact,
                owner=owners[i % len(owners)],
                stage=STAGE_ORDER[i % len(STAGE_ORDER)],
                follow_up_count=i % 3,
                next_follow_up_on=today + datetime.timedelta(days=i % 21 - 10),
            )
            for i, (organisation, contact) in enumerate(zip(organisations, contacts, strict=True))
        ),
        batch_size=1000,
    )
    print(f"Built {entries} entries in {time.perf_counter() - started:.1f} s")
    return ask


def measure(client, url, runs):
    client.get(url)  # warm up: templates compiled, connections open
    timings, queries = [], set()
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.add(len(captured))
    return statistics.median(timings), max(timings), sorted(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, as the suite runs it")
    args = parser.parse_args()
    if args.smoke:
        args.entries, args.runs = 120, 1

    call_command("migrate", verbosity=0)
    ask = build(args.entries)
    user, _ = get_user_model().objects.get_or_create(
        username="bench-staff", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)

    board = reverse("outreach:ask-board", args=[ask.slug])
    table = reverse("outreach:ask-table", args=[ask.slug])
    pages = [
        ("board (7 columns, 25 cards each)", board),
        ("table, 50 rows", table),
        ("table, 200 rows, sorted by follow-up", f"{table}?per_page=200&sort=-follow_up"),
        ("table, filtered: invited, overdue", f"{table}?stage=invited&follow_up=overdue"),
        ("table, last page", f"{table}?page={args.entries // 50}"),
    ]
    vendor = connection.vendor
    print(f"\n{args.entries} entries in one ask, {vendor}, {args.runs} runs each\n")
    print("| page | median ms | worst ms | queries |")
    print("|---|---:|---:|---:|")
    for name, url in pages:
        median, worst, queries = measure(client, url, args.runs)
        print(f"| {name} | {median:.0f} | {worst:.0f} | {', '.join(map(str, queries))} |")


if __name__ == "__main__":
    main()
