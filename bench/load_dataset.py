"""Load-test dataset: 100,000 contacts, 2,000 organisations, 20 asks, 1,000,000 signatures.

    createdb -h 127.0.0.1 -U postgres coalition_load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coalition_load \\
        .venv/bin/python bench/load_dataset.py            # builds once; --rebuild to redo

Builds what `bench/loadtest.sh` (make loadtest) needs, PostgreSQL first (COPY through
`reports_bench._load`; SQLite works too, slowly):

  - 2,000 organisations and 100,000 contacts through the models' `bulk_create`, which
    fills their folded `search_text` column (crm/search.py) like save() does; 30,000
    contacts are affiliated with an organisation, most have an e-mail address;
  - 20 published asks with 50,000 signatures each (2,000 organisations and 48,000
    individuals per ask, so the database's one-live-signature-per-signer constraints hold;
    90% confirmed, 70% listed publicly, signing dates spread since each ask opened) and
    2,000 outreach entries each (the board and table);
  - one more published ask, `load-sign-on`, left empty: the load test's signers sign it and
    `bench/load_signing_check.py` counts them;
  - staff accounts `load-staff-0` … `load-staff-9` (coordinators, password from
    LOADTEST_PASSWORD, default `load-test-password`).

Takes about two to four minutes on two cores. Not run by CI.
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent))
os.environ.setdefault("DEBUG", "1")

# Sets Django up, and brings the COPY loader and the value pools of the reports bench.
import reports_bench  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from reports_bench import COUNTRIES, KINDS, SOURCES, STAGES, STATUSES, _load, log  # noqa: E402

from crm.models import Affiliation, Contact, Organisation, Tag  # noqa: E402
from outreach.models import Ask, Campaign, Signature  # noqa: E402
from outreach.rollups import rollup_rebuild  # noqa: E402

SIGN_ON_SLUG = "load-sign-on"
STAFF_USERS = [f"load-staff-{i}" for i in range(10)]
PASSWORD = os.environ.get("LOADTEST_PASSWORD", "load-test-password")
FIRST = ["Ana", "José", "Marie", "Jan", "Sofia", "Lukas", "Emma", "Noah", "Zoë", "Ahmed"]
FIRST += ["Łucja", "Søren", "Yuki", "Chloé", "Mateo", "Ingrid", "Kofi", "Elif", "Nina", "Omar"]
LAST = ["Müller", "Dubois", "Janssens", "García", "Rossi", "Nowak", "Silva", "Novák"]
LAST += ["Jensen", "Virtanen", "O'Brien", "Peeters", "Costa", "Horvat", "田中", "Smith"]
WORDS = ["Digital", "Rights", "Privacy", "Open", "Freedom", "Citizens", "Network", "Watch"]
WORDS += ["Alliance", "Forum", "Data", "Liberty", "Society", "Press", "Justice", "Tech"]


def is_built():
    return (
        Ask.objects.filter(slug=SIGN_ON_SLUG).exists()
        and Signature.objects.count() >= 1_000_000
        and Contact.objects.count() >= 100_000
    )


def build(*, contacts, organisations, asks, signatures, seed=11):
    rng = random.Random(seed)
    now = timezone.now()
    started = time.perf_counter()
    # Empties every table the reports bench fills (same list), the bench users kept.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "TRUNCATE outreach_activity, outreach_signature, outreach_outreach, "
                "outreach_statementversion, outreach_asktranslation, outreach_ask, "
                "outreach_campaign, crm_consentrecord, crm_organisation_tags, "
                "crm_contact_tags, crm_affiliation, crm_contact, crm_organisation, "
                "crm_tag CASCADE"
            )
        else:
            for model in (Signature, Ask, Campaign, Affiliation, Contact, Organisation, Tag):
                model.objects.all().delete()

    log("staff accounts")
    coordinators = Group.objects.get(name="coordinator")
    users = []
    for username in STAFF_USERS:
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True, "first_name": username}
        )
        user.set_password(PASSWORD)
        user.is_staff = True
        user.save()
        user.groups.add(coordinators)
        users.append(user)

    log(f"{organisations:,} organisations")
    tags = Tag.objects.bulk_create(Tag(name=f"Cause {i}", kind=Tag.Kind.CAUSE) for i in range(10))
    Organisation.objects.bulk_create(
        (
            Organisation(
                name=f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}",
                kind=rng.choice(KINDS),
                country=rng.choice(COUNTRIES),
                website=f"https://org{i}.example.org",
                domain=f"org{i}.example.org",
                email=f"info@org{i}.example.org",
            )
            for i in range(organisations)
        ),
        batch_size=2000,
    )
    log(f"{contacts:,} contacts (search_text filled by the manager's bulk_create)")
    Contact.objects.bulk_create(
        (
            Contact(
                first_name=rng.choice(FIRST),
                last_name=f"{rng.choice(LAST)} {i}",
                email=f"person{i}@people.example.net" if rng.random() < 0.9 else None,
                country=rng.choice(COUNTRIES),
            )
            for i in range(contacts)
        ),
        batch_size=5000,
    )
    org_ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    contact_ids = list(Contact.objects.order_by("pk").values_list("pk", flat=True))
    log("affiliations and tags")
    Affiliation.objects.bulk_create(
        (
            Affiliation(contact_id=contact_id, organisation_id=rng.choice(org_ids), role="Staff")
            for contact_id in contact_ids[:30000]
        ),
        batch_size=10000,
    )
    reports_bench.tag_at_random(rng, tags, org_ids, contact_ids, contacts_share=0.3)

    campaign = Campaign.objects.create(name="Load test campaign", slug="load")
    ask_objects = Ask.objects.bulk_create(
        Ask(
            campaign=campaign,
            title=f"Load ask {i + 1}",
            slug=f"load-ask-{i + 1}",
            statement="We, the undersigned, call for **strong privacy rules**.\n\n" * 3,
            opens_on=(now - datetime.timedelta(days=30 + 35 * i)).date(),
            target_count=60000,
            is_published=True,
        )
        for i in range(asks)
    )
    Ask.objects.create(
        campaign=campaign,
        title="Load test: sign-on",
        slug=SIGN_ON_SLUG,
        statement="Signed by the load test's concurrent signers.",
        opens_on=(now - datetime.timedelta(days=1)).date(),
        target_count=1000,
        is_published=True,
        signers=Ask.Signers.BOTH,
    )

    per_ask = signatures // asks
    org_per_ask = min(len(org_ids), per_ask)
    if per_ask - org_per_ask > len(contact_ids):
        raise SystemExit("Not enough contacts for one live signature per signer and ask.")
    log(f"signatures: {per_ask * asks:,} ({org_per_ask:,} organisations per ask)")
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
        "awaiting_verification",
        "organisation_was_known",
        "confirm_nonce",
        "withdraw_nonce",
        "pending_changes",
        "language",
    ]

    def signature_rows():
        for ask in ask_objects:
            opened = datetime.datetime.combine(ask.opens_on, datetime.time(8), tzinfo=datetime.UTC)
            span = (now - opened).total_seconds()
            offset = rng.randrange(len(contact_ids))
            for n in range(per_ask):
                signed_at = opened + datetime.timedelta(seconds=span * rng.random() ** 2)
                is_org = n < org_per_ask
                status = rng.choice(STATUSES)
                yield (
                    now,
                    now,
                    ask.pk,
                    org_ids[n] if is_org else None,
                    None if is_org else contact_ids[(offset + n) % len(contact_ids)],
                    f"{rng.choice(WORDS)} {n}" if is_org else f"{rng.choice(FIRST)} {n}",
                    "",
                    "",
                    rng.choice(COUNTRIES),
                    signed_at,
                    rng.choice(SOURCES),
                    rng.random() < 0.7,
                    status,
                    signed_at + datetime.timedelta(days=3) if status == "withdrawn" else None,
                    "",
                    False,
                    False,
                    "",
                    "",
                    "{}",
                    "en",
                )

    _load("outreach_signature", columns, signature_rows())
    rollup_rebuild()  # the reports read the roll-ups; the raw load passes the services

    log("outreach entries")
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
            for org_id in org_ids:
                stage = rng.choice(STAGES)
                invited_at = (
                    now - datetime.timedelta(days=rng.uniform(5, 200))
                    if stage != "prospect"
                    else None
                )
                open_stage = stage in ("prospect", "invited", "followed_up")
                yield (
                    now,
                    now,
                    ask.pk,
                    org_id,
                    None,
                    rng.choice(users).pk,
                    stage,
                    now - datetime.timedelta(days=rng.uniform(0, 100)),
                    invited_at,
                    today + datetime.timedelta(days=rng.randint(-10, 20)) if open_stage else None,
                    0,
                    "",
                )

    _load("outreach_outreach", columns, outreach_rows())
    with connection.cursor() as cursor:
        # VACUUM too: it marks the pages all-visible, so index-only scans need no table.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    log(f"built in {time.perf_counter() - started:.0f} s")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rebuild", action="store_true", help="build even if already built")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=2_000)
    parser.add_argument("--asks", type=int, default=20)
    parser.add_argument("--signatures", type=int, default=1_000_000)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, as the suite runs it")
    args = parser.parse_args()
    if args.smoke:
        args.contacts, args.organisations, args.asks, args.signatures = 400, 40, 2, 600
    call_command("migrate", verbosity=0)
    if is_built() and not args.rebuild:
        log("dataset already built (use --rebuild to build it again)")
        return
    build(
        contacts=args.contacts,
        organisations=args.organisations,
        asks=args.asks,
        signatures=args.signatures,
    )


if __name__ == "__main__":
    reports_bench  # noqa: B018 — imported for its Django set-up
    main()
