"""Export, erasure, suppression and retention of a person's data (crm/privacy.py)."""

import datetime
import io
import json
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from crm import services
from crm.importing.planning import SUPPRESSED
from crm.models import (
    Affiliation,
    ConsentRecord,
    Contact,
    ImportChange,
    ImportRecord,
    Organisation,
    SavedView,
    Suppression,
)
from crm.privacy import contacts_apply_retention, email_digest, subject_erase, subject_export
from outreach.models import Activity, DeliverySnapshot, EmailBatch, Signature
from outreach.services import (
    delivery_snapshot_create,
    outreach_log_activity,
    signature_record,
)
from tests.crm.importing.helpers import csv_bytes, do_import
from tests.factories import make_ask, make_organisation, make_outreach, make_user

pytestmark = pytest.mark.django_db

FIRST, LAST = "Zephyrine", "Quackenbush"
EMAIL = "zephyrine.q@example.org"
PHONE = "+32470123456"
CONTACT_NEEDLES = [EMAIL, PHONE, PHONE.lstrip("+"), "470 12 34 56", "zephyrine.q%40"]
NEEDLES = [FIRST, LAST, *CONTACT_NEEDLES]


@pytest.fixture
def person(db):
    """A person present in every corner of the CRM, through the services."""
    staff = make_user()
    contact = services.contact_save(
        contact=Contact(
            first_name=FIRST,
            last_name=LAST,
            email=EMAIL,
            phone=PHONE,
            expertise="Biometrics",
            notes=f"Met {FIRST} in Brussels",
        ),
        by=staff,
    )
    contact.notes = f"{FIRST} {LAST} prefers calls on {PHONE}"
    services.contact_save(contact=contact, by=staff)
    organisation = make_organisation(name="Privacy Watch", notes=f"Ask {FIRST} {LAST} first")
    services.affiliation_save(
        affiliation=Affiliation(contact=contact, organisation=organisation, role="Director"),
        by=staff,
    )
    services.consent_give(
        consent=ConsentRecord(
            contact=contact,
            purpose=ConsentRecord.Purpose.OUTREACH,
            given_at=timezone.now(),
            source=f"E-mail from {EMAIL}",
        ),
        by=staff,
    )
    ask = make_ask(title="Ban face surveillance", is_published=True)
    individual = make_outreach(ask=ask, contact=contact, notes=f"{FIRST} is keen")
    outreach_log_activity(
        outreach=individual, kind=Activity.Kind.CALL, summary=f"Called {PHONE}", by=staff
    )
    org_entry = make_outreach(ask=ask, organisation=organisation, contact=contact)
    outreach_log_activity(
        outreach=org_entry, kind=Activity.Kind.NOTE, summary=f"Wrote to {EMAIL}", by=staff
    )
    signature_record(
        ask=ask, contact=contact, display_name=f"{FIRST} {LAST}", public=True, by=staff
    )
    org_ask = make_ask(title="Organisations say no")
    signature_record(
        ask=org_ask,
        organisation=organisation,
        contact=contact,
        display_name="Privacy Watch",
        role="Director",
        affiliation_text=f"{LAST} lab",
        public=True,
        by=staff,
    )
    delivery_snapshot_create(ask=ask, as_of=timezone.now(), language="en", by=staff)
    record = ImportRecord.objects.create(
        kind="contacts",
        file_name=f"{LAST}-list.csv",
        sha256="0" * 64,
        data=csv_bytes([["E-mail", "Name"], [EMAIL, FIRST], ["other@example.org", "Other"]]),
        errors=[
            {"row": 2, "column": "E-mail", "value": EMAIL, "reason": "duplicate"},
            {"row": 3, "column": "E-mail", "value": "other@example.org", "reason": "bad"},
        ],
        warnings=[{"row": 2, "column": "Name", "value": f"{FIRST} {LAST}", "reason": "odd"}],
    )
    ImportChange.objects.create(
        record=record,
        model="crm.contact",
        object_id=contact.pk,
        before={"first_name": "", "phone": ""},
        after={"first_name": FIRST, "phone": PHONE},
    )
    EmailBatch.objects.create(
        ask=ask, purpose="invitation", problems=[f"{FIRST} {LAST}: mailbox full"]
    )
    SavedView.objects.create(user=staff, list="contacts", name=LAST, query=f"q={LAST}")
    SavedView.objects.create(
        user=staff, list="contacts", name="By e-mail", query=urlencode({"q": EMAIL})
    )
    LogEntry.objects.log_actions(
        user_id=staff.pk,
        queryset=[contact],
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["Phone"]}}]),
        single_object=True,
    )
    return contact


def database_text():
    """Every row of every table, as text: what someone with the database would see."""
    dump = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - table names from models
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    dump.append(f"{model._meta.label_lower}: {value}")
    return "\n".join(dump)


def test_the_person_is_everywhere_before_erasure(person):
    text = database_text().lower()
    for needle in (FIRST, LAST, EMAIL, PHONE):
        assert needle.lower() in text


def test_erasure_leaves_no_email_or_phone_anywhere_in_the_database(person):
    subject_erase(contact=person)

    text = database_text().lower()
    found = [line for line in text.splitlines() if any(n.lower() in line for n in CONTACT_NEEDLES)]
    assert found == []


def test_the_name_stays_only_in_other_records_and_each_is_listed_for_review(person):
    erased = subject_erase(contact=person)

    text = database_text().lower()
    found = {
        line.split(":")[0] for line in text.splitlines() if any(n.lower() in line for n in NEEDLES)
    }
    assert found == {
        "crm.organisation",  # "Ask Zephyrine Quackenbush first": staff's note on an organisation
        "crm.historicalorganisation",
        "crm.savedview",
        "crm.importrecord",  # the file's name
        "crm.historicalimportrecord",
        "outreach.emailbatch",
    }
    assert {label for label, _, _ in erased.review} == found
    assert ("crm.organisation", Organisation.objects.get().pk, ["notes"]) in erased.review


def test_erasure_keeps_counts_and_unlists_individual_signatures(person):
    before = (Signature.objects.count(), Signature.objects.confirmed().count())

    subject_erase(contact=person)

    assert (Signature.objects.count(), Signature.objects.confirmed().count()) == before
    individual = Signature.objects.get(organisation=None)
    assert (individual.display_name, individual.public) == ("Erased signatory", False)
    organisation = Signature.objects.get(organisation__isnull=False)
    assert (organisation.display_name, organisation.public) == ("Privacy Watch", True)
    assert Activity.objects.count() >= 2
    person.refresh_from_db()
    assert person.erased_at is not None
    assert (person.first_name, person.email, str(person.phone)) == ("Erased", None, "")
    assert not ConsentRecord.objects.filter(withdrawn_at=None).exists()
    assert ImportRecord.objects.get().data == b""
    assert DeliverySnapshot.objects.get().rows[0]["name"] != f"{FIRST} {LAST}"


def test_erasure_is_attributed_without_the_old_values(person):
    admin = make_user(role="admin")

    subject_erase(contact=person, by=admin)

    latest = person.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (admin, "Erased on request")
    assert set(person.history.values_list("email", flat=True)) == {None}


def test_erasure_keeps_a_keyed_hash_of_the_email_only(person):
    subject_erase(contact=person)

    suppression = Suppression.objects.get()
    assert suppression.digest == email_digest(EMAIL)
    assert suppression.digest != email_digest(EMAIL, pepper=b"another key")


def test_a_suppressed_email_is_reported_by_a_later_import(person, staff):
    subject_erase(contact=person)
    data = csv_bytes(
        [
            ["First name", "Last name", "E-mail"],
            [FIRST, LAST, EMAIL.upper()],
            ["Ada", "Lovelace", "ada@example.org"],
        ]
    )

    outcome = do_import("contacts", data, user=staff)

    assert not outcome.committed
    assert [(e.row, e.value, e.reason) for e in outcome.errors] == [(2, "", SUPPRESSED)]
    assert not Contact.objects.filter(email=EMAIL).exists()


def test_skipping_invalid_rows_imports_the_others_but_not_the_erased_person(person, staff):
    subject_erase(contact=person)
    data = csv_bytes([["E-mail", "First name"], [EMAIL, FIRST], ["ada@example.org", "Ada"]])

    outcome = do_import("contacts", data, user=staff, skip_invalid=True)

    assert outcome.committed
    assert list(Contact.objects.filter(erased_at=None).values_list("email", flat=True)) == [
        "ada@example.org"
    ]


def test_the_export_holds_the_persons_rows_and_only_the_lines_that_mention_them(person):
    export = subject_export(contact=person)

    records = export["records"]
    assert export["person"]["email"] == EMAIL
    assert len(records["outreach.signature"]) == 2
    assert "withdraw_nonce" not in records["outreach.signature"][0]
    summaries = {row["summary"] for row in records["outreach.activity"]}
    assert {f"Called {PHONE}", f"Wrote to {EMAIL}"} <= summaries
    assert records["crm.consentrecord"][0]["purpose"] == "outreach"
    assert records["crm.historicalcontact"]
    import_report = records["crm.importrecord"][0]
    assert [e["value"] for e in import_report["errors"]] == [EMAIL]
    assert "other@example.org" not in json.dumps(export)
    assert records["crm.organisation"][0]["mentions"] == ["notes"]
    assert records["admin.logentry"]
    json.dumps(export)  # serialisable as is


def test_subject_export_command_writes_json_and_csv(person, tmp_path):
    out = io.StringIO()
    call_command("subject_export", EMAIL.upper(), stdout=out)
    assert json.loads(out.getvalue())["person"]["last_name"] == LAST

    path = tmp_path / "export.csv"
    call_command("subject_export", EMAIL, "--format", "csv", "--output", str(path))
    text = path.read_text(encoding="utf-8")
    assert text.startswith("table,record,field,value")
    assert "outreach.signature" in text and EMAIL in text


def test_subject_erase_command_erases_and_suppresses(person):
    out = io.StringIO()
    call_command("subject_erase", EMAIL, "--yes", stdout=out)

    assert "suppressed" in out.getvalue()
    assert Contact.objects.get(pk=person.pk).erased_at is not None
    assert Suppression.objects.count() == 1


def test_subject_commands_name_an_unknown_email():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No contact has the e-mail"):
        call_command("subject_export", "nobody@example.org")


# --- retention ----------------------------------------------------------------------------

NOW = datetime.datetime(2030, 6, 1, 12, tzinfo=datetime.UTC)


def _aged(contact, days):
    Contact.objects.filter(pk=contact.pk).update(created_at=NOW - datetime.timedelta(days=days))


def test_retention_anonymises_only_contacts_silent_for_the_whole_period():
    silent = Contact.objects.create(first_name="Silent", last_name="Sam", email="sam@example.org")
    recent = Contact.objects.create(first_name="Recent", last_name="Rita")
    called = Contact.objects.create(first_name="Called", last_name="Carl")
    consenting = Contact.objects.create(first_name="Consent", last_name="Cora")
    signed = Contact.objects.create(first_name="Signed", last_name="Sid")
    for contact in (silent, called, consenting, signed):
        _aged(contact, 2000)
    _aged(recent, 100)
    Activity.objects.create(
        kind="call", contact=called, occurred_at=NOW - datetime.timedelta(days=30)
    )
    ConsentRecord.objects.create(
        contact=consenting, purpose="newsletter", given_at=NOW - datetime.timedelta(days=1500)
    )
    old_signature = signature_record(
        ask=make_ask(), contact=signed, display_name="Sid", public=False
    )
    Signature.objects.filter(pk=old_signature.pk).update(
        signed_at=NOW - datetime.timedelta(days=300)
    )

    assert contacts_apply_retention(now=NOW, days=1095, dry_run=True) == [silent.pk]
    assert Contact.objects.get(pk=silent.pk).erased_at is None

    assert contacts_apply_retention(now=NOW, days=1095) == [silent.pk]
    erased = Contact.objects.get(pk=silent.pk)
    assert (erased.first_name, erased.email, erased.erased_at is not None) == (
        "Erased",
        None,
        True,
    )
    assert Suppression.objects.count() == 0  # nobody asked to be forgotten
    assert contacts_apply_retention(now=NOW, days=1095) == []


def test_a_withdrawn_consent_does_not_keep_a_contact_for_ever():
    contact = Contact.objects.create(first_name="Old", last_name="Olga")
    _aged(contact, 2000)
    ConsentRecord.objects.create(
        contact=contact,
        purpose="outreach",
        given_at=NOW - datetime.timedelta(days=1900),
        withdrawn_at=NOW - datetime.timedelta(days=1800),
    )

    assert contacts_apply_retention(now=NOW, days=1095, dry_run=True) == [contact.pk]


def test_apply_retention_command_counts_back_from_today(settings):
    settings.RETENTION_DAYS = 1095
    contact = Contact.objects.create(first_name="Silent", last_name="Sam")
    _aged(contact, 1200)
    out = io.StringIO()

    call_command("apply_retention", "--dry-run", "--today", "2030-06-01", stdout=out)
    assert out.getvalue().startswith("1 contact(s) would be anonymised.")
    call_command("apply_retention", "--today", "2027-01-01", stdout=io.StringIO())
    assert Contact.objects.get(pk=contact.pk).erased_at is None
    call_command("apply_retention", "--today", "2030-06-01", stdout=io.StringIO())
    assert Contact.objects.get(pk=contact.pk).erased_at is not None
