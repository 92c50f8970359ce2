"""The roll-ups the reports read: kept in step by every service that changes which
signatures count, and equal to a rebuild from the signatures after any sequence of
operations (issue 22, item 1)."""

import contextlib
import datetime
import io
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from crm.importing.undo import import_undo
from crm.models import Contact, ImportRecord, Organisation
from crm.privacy import subject_erase
from crm.services import contact_merge, organisation_merge
from outreach import tokens
from outreach.models import Signature, SignatureDailyBreakdown, SignatureDailyCount
from outreach.rollups import rollup_rebuild
from outreach.services import (
    SignOn,
    signature_confirm,
    signature_purge_unconfirmed,
    signature_record,
    signature_reject,
    signature_submit,
    signature_verify,
    signature_withdraw,
)
from tests.crm.importing.helpers import csv_bytes, do_import
from tests.factories import make_ask, make_contact, make_organisation, make_user

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
COUNTRIES = ["BE", "NL", "DE", ""]
STAFF_SOURCES = [Signature.Source.STAFF, Signature.Source.IMPORT, Signature.Source.PARTNER]


def maintained():
    """Both roll-ups as {slot: count}, rows left at 0 aside (a rebuild has none)."""
    days = SignatureDailyCount.objects.exclude(count=0)
    values = SignatureDailyBreakdown.objects.exclude(count=0)
    return (
        {(r.ask_id, r.day, r.kind): r.count for r in days},
        {(r.ask_id, r.day, r.dimension, r.value): r.count for r in values},
    )


def rebuilt():
    rollup_rebuild()
    return maintained()


def some_instant(rng):
    """A Brussels time over ten days, often late in the evening (the local day's edge)."""
    day = datetime.date(2026, 3, 20) + datetime.timedelta(days=rng.randrange(10))
    hour, minute = rng.choice([(9, 0), (23, 30), (0, 15), (rng.randrange(24), 59)])
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BRUSSELS)


class World:
    """Two asks (one public that checks organisations), a few signers, and one random
    operation at a time through the services staff, signers and imports use."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.staff = make_user()
        self.public_ask = make_ask(
            slug="public", is_published=True, verify_organisation_signatures=True
        )
        self.staff_ask = make_ask(slug="staff")
        self.organisations = [make_organisation(country="BE") for _ in range(6)]
        self.contacts = [make_contact(email=f"p{i}@example.org") for i in range(6)]
        self.imports = []

    def live_contacts(self):
        return list(Contact.objects.filter(erased_at__isnull=True))

    def signatures(self, **filters):
        return list(Signature.objects.filter(**filters))

    def staff_sign(self):
        rng = self.rng
        as_organisation = rng.random() < 0.5
        signature_record(
            ask=rng.choice([self.public_ask, self.staff_ask]),
            organisation=rng.choice(list(Organisation.objects.all())) if as_organisation else None,
            contact=rng.choice(self.live_contacts()),
            country=rng.choice(COUNTRIES),
            source=rng.choice(STAFF_SOURCES),
            signed_at=some_instant(rng),
            by=self.staff,
        )

    def public_sign(self):
        rng = self.rng
        n = rng.randrange(8)
        as_organisation = rng.random() < 0.4
        signature = signature_submit(
            ask=self.public_ask,
            sign_on=SignOn(
                as_organisation=as_organisation,
                name=f"Signer {n}",
                email=f"signer{n}@example.net",
                country=rng.choice(COUNTRIES),
                organisation_name=f"Group {rng.randrange(4)}" if as_organisation else "",
                public=rng.random() < 0.5,
            ),
        )
        if getattr(signature, "claimed_by_other", False) or rng.random() < 0.2:
            return  # left pending, for the purge
        signature_confirm(token=tokens.confirm_token(signature))

    def withdraw(self):
        if live := self.signatures(status__in=Signature.LIVE_STATUSES):
            signature_withdraw(signature=self.rng.choice(live), by=self.staff, reason="Asked")

    def verify(self):
        if waiting := self.signatures(status="confirmed", awaiting_verification=True):
            signature_verify(signature=self.rng.choice(waiting), by=self.staff)

    def reject(self):
        if live := self.signatures(status__in=Signature.LIVE_STATUSES):
            signature_reject(signature=self.rng.choice(live), by=self.staff, reason="Not genuine")

    def merge_contacts(self):
        people = self.live_contacts()
        if len(people) > 2:
            survivor, merged = self.rng.sample(people, 2)
            contact_merge(survivor=survivor, merged=merged, by=self.staff)

    def merge_organisations(self):
        organisations = list(Organisation.objects.all())
        if len(organisations) > 2:
            survivor, merged = self.rng.sample(organisations, 2)
            organisation_merge(survivor=survivor, merged=merged, by=self.staff)

    def erase(self):
        people = self.live_contacts()
        if len(people) > 3:
            subject_erase(contact=self.rng.choice(people), by=self.staff)

    def import_list(self):
        n = self.rng.randrange(1000)
        rows = [
            ["Signatory", "Type", "Country"],
            [f"Imported Group {n}", "Organisation", "Germany"],
            [f"Person{n} Imported{n}", "Individual", "Belgium"],
        ]
        do_import("signatures", csv_bytes(rows), ask=self.staff_ask, user=self.staff)
        self.imports.append(ImportRecord.objects.latest("pk"))

    def undo_import(self):
        done = [r for r in self.imports if r.status == ImportRecord.Status.COMMITTED]
        if done:
            record = self.rng.choice(done)
            import_undo(record=record, by=self.staff)
            record.refresh_from_db()

    def purge(self):
        signature_purge_unconfirmed(older_than=timezone.now() + datetime.timedelta(days=1))

    OPERATIONS = (
        ("staff sign", staff_sign, 5),
        ("public sign and confirm", public_sign, 5),
        ("withdraw", withdraw, 2),
        ("verify", verify, 2),
        ("reject", reject, 1),
        ("merge contacts", merge_contacts, 2),
        ("merge organisations", merge_organisations, 2),
        ("erase", erase, 1),
        ("import", import_list, 1),
        ("undo import", undo_import, 1),
        ("purge", purge, 1),
    )

    def step(self):
        name, operation, _ = self.rng.choices(
            self.OPERATIONS, weights=[w for *_, w in self.OPERATIONS]
        )[0]
        with contextlib.suppress(ValidationError):  # refused as a user would be told
            operation(self)
        return name


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_after_random_operations_the_maintained_roll_ups_equal_a_rebuild(seed):
    world = World(seed)
    done = []
    for _ in range(50):
        done.append(world.step())
        counts = maintained()

        assert counts == rebuilt(), f"after {done}"

    assert Signature.objects.confirmed().exists()
    assert sum(maintained()[0].values()) == Signature.objects.confirmed().count()


def test_confirming_withdrawing_and_rejecting_move_the_day_s_counts():
    ask = make_ask()
    when = datetime.datetime(2026, 3, 4, 23, 30, tzinfo=BRUSSELS)  # 22:30 UTC: the 4th
    day = datetime.date(2026, 3, 4)
    org = signature_record(ask=ask, organisation=make_organisation(), signed_at=when)
    person = signature_record(
        ask=ask, contact=make_contact(), signed_at=when, country="NL", source="import"
    )
    kept = lambda: maintained()  # noqa: E731

    assert kept()[0] == {(ask.pk, day, "organisation"): 1, (ask.pk, day, "individual"): 1}
    assert kept()[1][(ask.pk, day, "country", "NL")] == 1
    assert kept()[1][(ask.pk, day, "source", "import")] == 1

    signature_withdraw(signature=org)
    signature_reject(signature=person, by=make_user(), reason="Not genuine")

    assert kept() == ({}, {})


def test_a_pending_or_unverified_signature_counts_only_as_the_reports_count_it():
    ask = make_ask()
    signature_record(ask=ask, contact=make_contact(), status=Signature.Status.PENDING)
    waiting = signature_record(
        ask=ask, organisation=make_organisation(), awaiting_verification=True
    )

    # The reports count confirmed signatures, verified or not (outreach/reports.py).
    assert sum(maintained()[0].values()) == 1
    signature_verify(signature=waiting, by=make_user())
    assert sum(maintained()[0].values()) == 1


@pytest.mark.parametrize("merge", ["contacts", "organisations"])
def test_a_merge_of_two_signatories_of_one_ask_counts_one(merge):
    ask = make_ask()
    if merge == "contacts":
        first, second = make_contact(), make_contact()
        signature_record(ask=ask, contact=first)
        signature_record(ask=ask, contact=second)
    else:
        first, second = make_organisation(), make_organisation()
        signature_record(ask=ask, organisation=first)
        signature_record(ask=ask, organisation=second)
    assert sum(maintained()[0].values()) == 2

    if merge == "contacts":
        contact_merge(survivor=first, merged=second)
    else:
        organisation_merge(survivor=first, merged=second)

    assert sum(maintained()[0].values()) == 1
    assert maintained() == rebuilt()


def test_a_failed_service_leaves_the_roll_ups_as_they_were():
    ask = make_ask(signers="individuals")
    before = maintained()

    with pytest.raises(ValidationError):
        signature_record(ask=ask, organisation=make_organisation())

    assert maintained() == before


def test_the_rebuild_command_recomputes_rows_changed_by_hand():
    ask = make_ask()
    signature_record(ask=ask, organisation=make_organisation())
    signature_record(ask=ask, contact=make_contact())
    expected = maintained()
    SignatureDailyCount.objects.update(count=99)
    SignatureDailyBreakdown.objects.all().delete()
    out = io.StringIO()

    call_command("rebuild_rollups", stdout=out)

    assert maintained() == expected
    assert "from 2 confirmed signature(s)" in out.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real concurrent transactions (run with DATABASE_URL=postgres://...)",
)
def test_twenty_confirmations_at_once_on_one_day_all_count():
    ask = make_ask()
    people = [make_contact(email=f"c{i}@example.org") for i in range(20)]
    pending = [
        signature_record(ask=ask, contact=person, status=Signature.Status.PENDING)
        for person in people
    ]
    start = threading.Barrier(20)

    def confirm(signature):
        try:
            start.wait()
            signature_record(ask=ask, contact=signature.contact, status="confirmed")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(confirm, pending))

    assert sum(maintained()[0].values()) == 20
    assert maintained() == rebuilt()


def test_an_admin_edit_or_delete_of_a_signature_moves_the_counts(rf):
    from django.contrib import admin

    signature_admin = admin.site._registry[Signature]
    request = rf.post("/")
    request.user = make_user()
    ask = make_ask()
    signature = signature_record(ask=ask, organisation=make_organisation(), country="BE")
    signature.signed_at -= datetime.timedelta(days=3)
    signature.country = "NL"

    signature_admin.save_model(request, signature, form=None, change=True)

    assert maintained() == rebuilt()
    assert (ask.pk, timezone.localdate(signature.signed_at), "country", "NL") in maintained()[1]
    signature_admin.delete_queryset(request, Signature.objects.filter(pk=signature.pk))
    assert maintained() == ({}, {})
