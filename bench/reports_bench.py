"""Reports benchmark: builds a large coalition and times the reports.

    # PostgreSQL (the figures in docs/performance.md):
    createdb coalition_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coalition_bench \\
        .venv/bin/python bench/reports_bench.py --build
    # SQLite (a file under var/):
    DATABASE_URL=sqlite:///var/bench.sqlite3 .venv/bin/python bench/reports_bench.py --build

--build (re)creates the data: 1,000,000 signatures across 20 asks, 200,000 outreach
entries, their stage-change activities, 25,000 organisations and 25,000 contacts
(sizes can be changed with --signatures, --asks, --outreach). PostgreSQL loads through
COPY, SQLite through executemany in large batches; both take a few minutes at most on
two cores. The roll-ups the reports read are then rebuilt from the loaded rows
(outreach/rollups.py). Without --build the existing data is timed again.

--sizes 10000,1000000 builds and times each number of signatures in turn (the outreach
entries stay the same) and prints the three pages side by side with the ratio of the
largest to the smallest: the reports should cost the same at both. --smoke runs tiny
sizes that way, as the suite does (tests/test_benches.py).

It times, each the median of --repeat runs after one warm-up:
  - the growth series of one ask (by day and by week), the issue asks < 200 ms on
    PostgreSQL and < 1 s on SQLite;
  - the whole per-ask reports page, and the across-asks page, through the test client
    (queries, Python and template rendering), the issue asks < 1 s on PostgreSQL.
Not run by CI.
"""

import argparse
import datetime
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
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from crm.models import Contact, Organisation, Tag  # noqa: E402
from outreach import reports  # noqa: E402
from outreach.models import (  # noqa: E402
    Activity,
    Ask,
    Campaign,
    Outreach,
    Signature,
    SignatureDailyBreakdown,
    SignatureDailyCount,
    Stage,
)
from outreach.rollups import rollup_rebuild  # noqa: E402

COUNTRIES = (
    ["BE", "NL", "FR", "DE", "ES", "IT", "PT", "IE", "AT", "PL", "CZ", "SE", "DK", "FI"]
    + ["GR", "RO", "HU", "BG", "HR", "SI", "SK", "LT", "LV", "EE", "LU", "MT", "CY"]
    + ["GB", "US", "JP"]
)
KINDS = [k for k, _ in Organisation.Kind.choices]
SOURCES = ["staff"] * 3 + ["import"] * 3 + ["public_form"] * 3 + ["partner"]
STATUSES = ["confirmed"] * 90 + ["pending"] * 4 + ["withdrawn"] * 3 + ["rejected"] * 3
STAGES = (
    [Stage.PROSPECT] * 30
    + [Stage.INVITED] * 25
    + [Stage.FOLLOWED_UP] * 15
    + [Stage.SIGNED] * 15
    + [Stage.DECLINED] * 7
    + [Stage.NO_RESPONSE] * 6
    + [Stage.WITHDRAWN] * 2
)


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def tag_at_random(rng, tags, org_ids, contact_ids, *, organisations_share=0.8, contacts_share):
    """One random cause tag on that share of the organisations and of the contacts."""
    Organisation.tags.through.objects.bulk_create(
        (
            Organisation.tags.through(organisation_id=org_id, tag_id=rng.choice(tags).pk)
            for org_id in org_ids
            if rng.random() < organisations_share
        ),
        batch_size=10000,
    )
    Contact.tags.through.objects.bulk_create(
        (
            Contact.tags.through(contact_id=contact_id, tag_id=rng.choice(tags).pk)
            for contact_id in contact_ids
            if rng.random() < contacts_share
        ),
        batch_size=10000,
    )


def build(*, signatures, asks, outreach, seed=7):
    rng = random.Random(seed)
    now = timezone.now()
    signers = max(signatures // asks // 2 + 1, outreach // asks + 1)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "TRUNCATE outreach_activity, outreach_signaturedailycount, "
                "outreach_signaturedailybreakdown, outreach_signature, outreach_outreach, "
                "outreach_asktranslation, outreach_ask, outreach_campaign, "
                "crm_organisation_tags, crm_contact_tags, crm_affiliation, crm_contact, "
                "crm_organisation, crm_tag CASCADE"
            )
        else:
            for table in (
                "outreach_activity",
                "outreach_signaturedailycount",
                "outreach_signaturedailybreakdown",
                "outreach_signature",
                "outreach_outreach",
                "outreach_ask",
                "outreach_campaign",
                "crm_organisation_tags",
                "crm_contact_tags",
                "crm_contact",
                "crm_organisation",
                "crm_tag",
            ):
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 — fixed names
    users = [
        get_user_model().objects.get_or_create(
            username=f"bench{i}", defaults={"is_staff": True, "first_name": f"Owner {i}"}
        )[0]
        for i in range(8)
    ]
    user = users[0]
    user.set_password("bench")
    user.is_superuser = True
    user.save()

    log(f"organisations and contacts: {signers:,} each")
    tags = Tag.objects.bulk_create(Tag(name=f"Cause {i}", kind=Tag.Kind.CAUSE) for i in range(10))
    Organisation.objects.bulk_create(
        (
            Organisation(
                name=f"Organisation {i}",
                kind=rng.choice(KINDS),
                country=rng.choice(COUNTRIES),
            )
            for i in range(signers)
        ),
        batch_size=5000,
    )
    Contact.objects.bulk_create(
        (
            Contact(first_name="Person", last_name=str(i), country=rng.choice(COUNTRIES))
            for i in range(signers)
        ),
        batch_size=5000,
    )
    org_ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    contact_ids = list(Contact.objects.order_by("pk").values_list("pk", flat=True))
    tag_at_random(rng, tags, org_ids, contact_ids, contacts_share=0.5)

    campaign = Campaign.objects.create(name="Bench campaign", slug="bench")
    ask_objects = Ask.objects.bulk_create(
        Ask(
            campaign=campaign,
            title=f"Bench ask {i + 1}",
            slug=f"bench-ask-{i + 1}",
            opens_on=(now - datetime.timedelta(days=30 + 35 * i)).date(),
            target_count=60000,
        )
        for i in range(asks)
    )

    per_ask = signatures // asks
    log(f"signatures: {per_ask * asks:,}")
    columns = [
        "created_at",
        "updated_at",
        "ask_id",
        "organisation_id",
        "contact_id",
        "display_name",
        "role",
        "affiliation_text",
        "country",
        "signed_at",
        "source",
        "public",
        "status",
        "withdrawn_at",
        "status_reason",
    ]

    def signature_rows():
        for ask in ask_objects:
            opened = datetime.datetime.combine(ask.opens_on, datetime.time(8), tzinfo=datetime.UTC)
            span = (now - opened).total_seconds()
            for n in range(per_ask):
                # Most signatures early, a long tail: a launch peak, as in the field.
                signed_at = opened + datetime.timedelta(seconds=span * rng.random() ** 2)
                is_org = n % 2 == 0
                status = rng.choice(STATUSES)
                yield (
                    now,
                    now,
                    ask.pk,
                    org_ids[n // 2] if is_org else None,
                    None if is_org else contact_ids[n // 2],
                    f"Signatory {n}",
                    "",
                    "",
                    rng.choice(COUNTRIES),
                    signed_at,
                    rng.choice(SOURCES),
                    rng.random() < 0.7,
                    status,
                    signed_at + datetime.timedelta(days=3) if status == "withdrawn" else None,
                    "",
                )

    _load("outreach_signature", columns, signature_rows())
    # Loaded past the services: the roll-ups the reports read are rebuilt from the rows.
    started = time.perf_counter()
    rollup_rebuild()
    log(
        f"  roll-ups rebuilt in {time.perf_counter() - started:.1f} s: "
        f"{SignatureDailyCount.objects.count():,} daily rows, "
        f"{SignatureDailyBreakdown.objects.count():,} country and source rows"
    )

    per_ask_outreach = outreach // asks
    log(f"outreach entries: {per_ask_outreach * asks:,}")
    columns = [
        "created_at",
        "updated_at",
        "ask_id",
        "organisation_id",
        "contact_id",
        "owner_id",
        "stage",
        "stage_changed_at",
        "invited_at",
        "next_follow_up_on",
        "follow_up_count",
        "notes",
    ]

    def outreach_rows():
        today = now.date()
        for ask in ask_objects:
            for n in range(per_ask_outreach):
                stage = rng.choice(STAGES)
                invited = stage != Stage.PROSPECT and rng.random() < 0.95
                invited_at = now - datetime.timedelta(days=rng.uniform(5, 200)) if invited else None
                changed = (
                    invited_at + datetime.timedelta(days=rng.uniform(0, 40))
                    if invited_at
                    else now - datetime.timedelta(days=rng.uniform(0, 100))
                )
                follow_ups = (
                    rng.choice([0, 1, 1, 2, 3])
                    if stage in (Stage.FOLLOWED_UP, Stage.SIGNED, Stage.NO_RESPONSE)
                    else 0
                )
                open_stage = stage in (Stage.PROSPECT, Stage.INVITED, Stage.FOLLOWED_UP)
                yield (
                    now,
                    now,
                    ask.pk,
                    org_ids[n],
                    None,
                    rng.choice(users).pk if rng.random() < 0.9 else None,
                    stage,
                    changed,
                    invited_at,
                    today + datetime.timedelta(days=rng.randint(-10, 20)) if open_stage else None,
                    follow_ups,
                    "",
                )

    _load("outreach_outreach", columns, outreach_rows())

    log("stage-change activities")
    columns = [
        "kind",
        "occurred_at",
        "actor_id",
        "outreach_id",
        "organisation_id",
        "contact_id",
        "from_stage",
        "to_stage",
        "summary",
    ]
    followed = Outreach.objects.filter(
        stage__in=[Stage.FOLLOWED_UP, Stage.SIGNED, Stage.NO_RESPONSE], invited_at__isnull=False
    ).values_list("pk", "organisation_id", "invited_at")

    def activity_rows():
        for pk, org_id, invited_at in followed.iterator(chunk_size=10000):
            yield ("stage_change", invited_at, user.pk, pk, org_id, None, "prospect", "invited", "")
            if rng.random() < 0.6:
                yield (
                    "stage_change",
                    invited_at + datetime.timedelta(days=7),
                    user.pk,
                    pk,
                    org_id,
                    None,
                    "invited",
                    "followed_up",
                    "",
                )

    _load("outreach_activity", columns, list(activity_rows()))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _with_defaults(table, columns, rows):
    """Adds the table's other columns with their model default (or "" / NULL), so a field
    added to the model later does not break the bench: a raw insert skips Django's
    defaults."""
    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    extra = [
        f for f in model._meta.concrete_fields if f.column not in columns and not f.primary_key
    ]
    values = tuple(f.get_db_prep_save(f.get_default(), connection) for f in extra)
    return columns + [f.column for f in extra], (tuple(row) + values for row in rows)


def _load(table, columns, rows, batch=20000):
    """COPY on PostgreSQL, executemany in large batches on SQLite."""
    started = time.perf_counter()
    count = 0
    columns, rows = _with_defaults(table, columns, rows)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 — fixed names
                f"VALUES ({', '.join(['%s'] * len(columns))})"
            )
            chunk = []
            for row in rows:
                chunk.append(
                    [
                        connection.ops.adapt_datetimefield_value(v)
                        if isinstance(v, datetime.datetime)
                        else v
                        for v in row
                    ]
                )
                if len(chunk) >= batch:
                    cursor.executemany(sql, chunk)
                    count += len(chunk)
                    chunk = []
            if chunk:
                cursor.executemany(sql, chunk)
                count += len(chunk)
    log(f"  {table}: {count:,} rows in {time.perf_counter() - started:.1f} s")


def time_it(label, function, repeat):
    function()  # warm-up: caches, query plans
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        runs.append((time.perf_counter() - started) * 1000)
    median = statistics.median(runs)
    print(f"{label:<58} median {median:8.1f} ms   (min {min(runs):.1f}, max {max(runs):.1f})")
    return statistics.median(runs)


def measure(repeat):
    """Times the reports; returns {label: median ms}."""
    results = {}

    def timed(label, function, repeat):
        results[label] = time_it(label, function, repeat)

    ask = Ask.objects.order_by("pk")[asks_middle()]
    n = Signature.objects.filter(ask=ask).count()
    print(
        f"\n{connection.vendor}: {Signature.objects.count():,} signatures, "
        f"{Outreach.objects.count():,} outreach entries, {Activity.objects.count():,} activities; "
        f"timed ask “{ask.title}” with {n:,} signatures\n"
    )
    timed(
        "growth series, one ask, by day", lambda: reports.growth_series(ask=ask, by="day"), repeat
    )
    timed(
        "growth series, one ask, by week", lambda: reports.growth_series(ask=ask, by="week"), repeat
    )
    timed("breakdowns, one ask", lambda: reports.breakdowns(ask=ask), repeat)
    timed("pipeline funnel + median, one ask", lambda: reports.pipeline_funnel(ask=ask), repeat)
    timed("owners, one ask", lambda: reports.owner_workload(ask=ask), repeat)
    timed("across asks (20 asks, all signatures)", lambda: reports.asks_overview(), repeat)

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench0"))

    def page(url):
        def get():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return get

    timed(
        "whole page: /reports/asks/<slug>/",
        page(reverse("outreach:report-ask", args=[ask.slug])),
        repeat,
    )
    timed(
        "whole page: /reports/asks/<slug>/weekly/",
        page(reverse("outreach:report-weekly", args=[ask.slug])),
        repeat,
    )
    timed("whole page: /reports/ (across asks)", page(reverse("outreach:reports")), repeat)
    return results


PAGES = (
    "whole page: /reports/asks/<slug>/",
    "whole page: /reports/asks/<slug>/weekly/",
    "whole page: /reports/ (across asks)",
)


def compare(by_size):
    """The three pages at each size, and the largest against the smallest."""
    sizes = sorted(by_size)
    print(f"\n{connection.vendor}: median ms by number of signatures")
    print(f"{'page':<44}" + "".join(f"{size:>12,}" for size in sizes) + f"{'ratio':>8}")
    for label in PAGES:
        row = [by_size[size][label] for size in sizes]
        ratio = row[-1] / row[0] if row[0] else float("nan")
        print(f"{label:<44}" + "".join(f"{ms:>12.1f}" for ms in row) + f"{ratio:>7.2f}x")


def asks_middle():
    return Ask.objects.count() // 2


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--build", action="store_true", help="(re)build the data first")
    parser.add_argument("--signatures", type=int, default=1_000_000)
    parser.add_argument("--asks", type=int, default=20)
    parser.add_argument("--outreach", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--sizes",
        help="build and time each number of signatures in turn (e.g. 10000,1000000), "
        "then print the three pages side by side",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, as the suite runs it")
    args = parser.parse_args()
    if args.smoke:
        args.build, args.signatures, args.asks, args.outreach, args.repeat = True, 800, 2, 200, 1
        args.sizes = args.sizes or "400,800"
    call_command("migrate", verbosity=0)
    if args.sizes:
        by_size = {}
        for size in (int(n) for n in args.sizes.split(",")):
            started = time.perf_counter()
            build(signatures=size, asks=args.asks, outreach=args.outreach)
            log(f"built {size:,} signatures in {time.perf_counter() - started:.0f} s")
            by_size[size] = measure(args.repeat)
        compare(by_size)
        return
    if args.build:
        started = time.perf_counter()
        build(signatures=args.signatures, asks=args.asks, outreach=args.outreach)
        log(f"built in {time.perf_counter() - started:.0f} s")
    measure(args.repeat)


if __name__ == "__main__":
    main()
