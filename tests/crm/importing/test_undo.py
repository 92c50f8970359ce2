import pytest

from crm.importing.undo import CHANGED_SINCE, import_undo, undo_plan
from crm.models import Affiliation, Contact, ImportRecord, Organisation
from tests.crm.importing.helpers import csv_bytes, do_import

pytestmark = pytest.mark.django_db


def test_undo_removes_what_the_import_created_and_restores_what_it_updated(staff):
    Contact.objects.create(first_name="Ana", email="ana@example.org")
    data = csv_bytes(
        [
            ["E-mail", "First name", "Last name", "Organisation"],
            ["ana@example.org", "", "López", "Liga"],
            ["ben@example.org", "Ben", "Ng", "Liga"],
        ]
    )
    do_import("contacts", data, user=staff)
    record = ImportRecord.objects.get()
    assert Contact.objects.get(email="ana@example.org").last_name == "López"

    preview = undo_plan(record)
    assert preview.counts == {"remove": 4, "withdraw": 0, "restore": 1, "kept": 0}
    assert Contact.objects.count() == 2  # the preview changes nothing

    import_undo(record=record, by=staff)

    ana = Contact.objects.get()
    assert (ana.email, ana.last_name) == ("ana@example.org", "")
    assert Organisation.objects.count() == Affiliation.objects.count() == 0
    record.refresh_from_db()
    assert record.status == ImportRecord.Status.UNDONE


def test_undo_keeps_what_was_changed_since_the_import(staff):
    do_import("contacts", csv_bytes([["E-mail", "First name"], ["ben@example.org", "Ben"]]))
    ben = Contact.objects.get()
    ben.expertise = "Biometrics"
    ben.save()

    plan = import_undo(record=ImportRecord.objects.get(), by=staff)

    assert [(label, reason) for label, _i, reason in plan.kept] == [("crm.contact", CHANGED_SINCE)]
    assert Contact.objects.get().expertise == "Biometrics"
