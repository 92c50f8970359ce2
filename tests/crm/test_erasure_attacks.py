"""Erasure attacked (issue 16, items 3, 9, 12): erasing one person must not rewrite other
people and organisations whose names share a word with theirs; their exact e-mails and
phones go wherever they are written; their name is pointed out, never rewritten; kept
import files are read outside the erasure's transaction."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from crm import privacy, services
from crm.models import Contact, ImportRecord
from crm.privacy import ALREADY_ERASED, FILE_DROPPED, subject_erase
from outreach.models import Activity, DeliverySnapshot, Signature
from outreach.services import delivery_snapshot_create, outreach_log_activity, signature_record
from tests.crm.importing.helpers import csv_bytes, xlsx_bytes
from tests.factories import make_ask, make_contact, make_organisation, make_outreach, make_user

pytestmark = pytest.mark.django_db

EMAIL = "zoe.et@example.org"
PHONE = "+31612345678"


@pytest.fixture
def staff(db):
    return make_user(role="admin")


@pytest.fixture
def world(staff):
    """Zoë Erasmus-Testa signed as an individual "for identification" at Erasmus
    University Rotterdam, which signed too; another Zoë (Girard) signed beside them."""
    zoe = services.contact_save(
        contact=Contact(first_name="Zoë", last_name="Erasmus-Testa", email=EMAIL, phone=PHONE),
        by=staff,
    )
    girard = services.contact_save(
        contact=Contact(first_name="Zoë", last_name="Girard", email="zg@example.org"), by=staff
    )
    university = make_organisation(name="Erasmus University Rotterdam")
    ask = make_ask(title="Stop facial recognition", is_published=True)
    signature_record(
        ask=ask,
        contact=zoe,
        display_name="Zoë Erasmus-Testa",
        affiliation_text="Erasmus University Rotterdam",
        public=True,
        by=staff,
    )
    signature_record(ask=ask, contact=girard, display_name="Zoë Girard", public=True, by=staff)
    signature_record(
        ask=ask,
        organisation=university,
        display_name="Erasmus University Rotterdam",
        public=True,
        by=staff,
    )
    entry = make_outreach(ask=ask, organisation=university)
    outreach_log_activity(
        outreach=entry,
        kind=Activity.Kind.NOTE,
        summary="Zoë Girard will ask the Erasmus University board",
        by=staff,
    )
    delivery_snapshot_create(ask=ask, as_of=timezone.now(), language="en", by=staff)
    return {"zoe": zoe, "girard": girard, "university": university, "ask": ask}


def history_counts(world):
    """History rows of everyone but Zoë Erasmus-Testa."""
    others = Signature.objects.exclude(contact=world["zoe"]).values_list("pk", flat=True)
    return (
        world["girard"].history.count(),
        world["university"].history.count(),
        Signature.history.filter(id__in=list(others)).count(),
    )


def test_erasing_zoe_erasmus_testa_leaves_erasmus_university_and_zoe_girard_alone(
    client, world, staff
):
    before = history_counts(world)

    subject_erase(contact=world["zoe"], by=staff)

    world["university"].refresh_from_db()
    assert world["university"].name == "Erasmus University Rotterdam"
    names = set(Signature.objects.values_list("display_name", flat=True))
    assert names == {"Erased signatory", "Zoë Girard", "Erasmus University Rotterdam"}
    assert Activity.objects.get(outreach__isnull=False).summary == (
        "Zoë Girard will ask the Erasmus University board"
    )
    page = client.get(f"/s/{world['ask'].slug}/").content.decode()
    assert "Zoë Girard" in page and "Erasmus University Rotterdam" in page
    assert "[erased]" not in page and "Erasmus-Testa" not in page
    assert history_counts(world) == before


def test_her_line_in_a_delivery_snapshot_is_erased_whole_and_the_others_kept(world, staff):
    subject_erase(contact=world["zoe"], by=staff)

    rows = {row["name"]: row for row in DeliverySnapshot.objects.get().rows}
    assert set(rows) == {"Erased signatory", "Zoë Girard", "Erasmus University Rotterdam"}
    assert rows["Erased signatory"]["affiliation"] == ""
    assert rows["Erasmus University Rotterdam"]["website"] == world["university"].website


def test_her_address_in_another_contacts_note_and_its_history_is_removed_with_a_history_row(
    world, staff
):
    girard = world["girard"]
    girard.notes = f"Introduced by {EMAIL.upper()}, call {PHONE[:3]} 6 12 34 56 78."
    services.contact_save(contact=girard, by=staff)

    subject_erase(contact=world["zoe"], by=staff)

    girard.refresh_from_db()
    assert girard.notes == "Introduced by [erased], call [erased]."
    assert not Contact.history.filter(notes__icontains="zoe.et").exists()
    latest = girard.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        staff,
        privacy.CONTACT_DETAILS_REMOVED,
    )


def test_an_nfd_written_copy_of_her_address_is_removed_too(staff):
    zoe = Contact.objects.create(
        first_name="Zoë", last_name="Erasmus-Testa", email="zoë@example.org"
    )
    other = Contact.objects.create(
        first_name="Ana",
        last_name="Lima",
        notes=unicodedata.normalize("NFD", "Ask ZOË@example.org"),
    )

    subject_erase(contact=zoe, by=staff)

    other.refresh_from_db()
    assert other.notes == "Ask [erased]"


def keep_file(data, name):
    return ImportRecord.objects.create(
        kind="contacts", file_name=name, sha256=str(len(data)), data=data
    )


def test_kept_files_holding_her_on_another_sheet_or_above_the_header_are_dropped(world, staff):
    other_sheet = keep_file(
        xlsx_bytes(
            [["E-mail", "Name"], ["ana@example.org", "Ana"]],
            extra_sheets=[("Old list", [["Phone"], ["0612345678"]])],
        ),
        "list.xlsx",
    )
    above_header = keep_file(
        csv_bytes([[f"Sent by {EMAIL}"], ["E-mail", "Name"], ["ana@example.org", "Ana"]]),
        "list.csv",
    )
    unrelated = keep_file(csv_bytes([["E-mail"], ["ana@example.org"]]), "other.csv")

    erased = subject_erase(contact=world["zoe"], by=staff)

    for record in (other_sheet, above_header):
        record.refresh_from_db()
        assert (bytes(record.data), record.message) == (b"", FILE_DROPPED)
    unrelated.refresh_from_db()
    assert bytes(unrelated.data) != b""
    assert erased.rows["crm.importrecord (files)"] == 2


def test_the_copy_an_import_read_from_a_file_holding_her_is_dropped(world, staff):
    from crm.importing import run

    record = keep_file(csv_bytes([["E-mail", "Name"], [EMAIL.upper(), "Zoë"]]), "list.csv")
    run.read(record)
    record.refresh_from_db()
    assert (bytes(record.data), bool(record.table)) == (b"", True)  # only the copy is kept

    erased = subject_erase(contact=world["zoe"], by=staff)

    record.refresh_from_db()
    assert (bytes(record.table), record.message) == (b"", FILE_DROPPED)
    assert erased.rows["crm.importrecord (files)"] == 1


def test_her_name_elsewhere_is_listed_not_rewritten(world, staff):
    note = unicodedata.normalize("NFD", "Met ZOË ERASMUS-TESTA at the conference")
    world["university"].notes = note
    world["university"].save()
    naming_file = keep_file(csv_bytes([["Name"], ["Erasmus-Testa"]]), "names.csv")

    erased = subject_erase(contact=world["zoe"], by=staff)

    world["university"].refresh_from_db()
    assert world["university"].notes == note
    assert ("crm.organisation", world["university"].pk, ["notes"]) in erased.review
    assert ("crm.importrecord", naming_file.pk, ["data"]) in erased.review
    assert not any(label == "outreach.activity" for label, _, _ in erased.review)  # Girard's


def test_the_erasure_page_lists_records_naming_her_with_links(client, world, staff):
    world["university"].notes = "Zoë Erasmus-Testa is our contact"
    world["university"].save()
    client.force_login(staff)
    url = f"/contacts/{world['zoe'].pk}/erase/"

    page = client.get(url).content.decode()
    assert world["university"].get_absolute_url() in page
    assert "Erasmus University Rotterdam" in page

    after = client.post(url, {"confirm": "on"}, follow=True).content.decode()
    assert "data is erased" in after
    assert world["university"].get_absolute_url() in after
    assert "Erasmus-Testa" not in after


@pytest.mark.django_db(transaction=True)
def test_kept_files_are_read_outside_the_erasure_transaction_and_again_after_it(monkeypatch):
    staff = make_user(role="admin")
    zoe = Contact.objects.create(first_name="Zoë", last_name="Erasmus-Testa", email=EMAIL)
    keep_file(csv_bytes([["E-mail"], [EMAIL]]), "first.csv")
    read_inside_a_transaction, original = [], privacy.scan_import_files

    def scan(identifiers, scan=None):
        read_inside_a_transaction.append(connection.in_atomic_block)
        if scan is None:  # a file uploaded while the first read runs
            result = original(identifiers, scan)
            keep_file(csv_bytes([["E-mail"], [EMAIL]]), "meanwhile.csv")
            return result
        return original(identifiers, scan)

    monkeypatch.setattr(privacy, "scan_import_files", scan)

    erased = subject_erase(contact=zoe, by=staff)

    assert read_inside_a_transaction == [False, False]
    assert not ImportRecord.objects.exclude(data=b"").exists()
    assert erased.rows["crm.importrecord (files)"] == 2


def test_her_data_export_does_not_carry_records_that_only_share_a_word_with_her_name(world):
    from crm.privacy import subject_export

    export = subject_export(contact=world["zoe"])

    assert "Zoë Girard" not in str(export)
    assert "crm.organisation" not in export["records"]
    names = {row["display_name"] for row in export["records"]["outreach.signature"]}
    assert names == {"Zoë Erasmus-Testa"}


def test_a_person_is_erased_once_whichever_door_asks_again(client):
    person = make_contact(first_name="Ana", email="ana@x.org")
    subject_erase(contact=person)

    with pytest.raises(ValidationError) as refused:
        subject_erase(contact=person)
    admin = make_user(role="admin")
    client.force_login(admin)
    again = client.post(f"/contacts/{person.pk}/erase/", {"confirm": "on"}, follow=True)

    assert refused.value.messages == [str(ALREADY_ERASED)]
    assert [str(message) for message in again.context["messages"]] == [str(ALREADY_ERASED)]
