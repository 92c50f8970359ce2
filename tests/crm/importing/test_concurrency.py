import pytest

from crm.importing import planning
from crm.models import Contact
from tests.crm.importing.helpers import csv_bytes, do_import

pytestmark = pytest.mark.django_db


def test_a_contact_saved_meanwhile_with_the_same_email_gives_one_contact_and_a_row_error(
    monkeypatch,
):
    # The import looked before someone else saved ana@example.org: its read finds
    # nothing, and its write then meets the other contact.
    Contact.objects.create(first_name="Ana", email="ANA@example.org")
    monkeypatch.setattr(planning, "existing_contacts", lambda emails: {})
    data = csv_bytes(
        [["E-mail", "First name"], ["b@example.org", "Ben"], ["ana@example.org", "Ana"]]
    )

    outcome = do_import("contacts", data)

    assert not outcome.committed
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "E-mail")]
    assert "saved by someone else" in outcome.errors[0].reason
    assert list(Contact.objects.values_list("email", flat=True)) == ["ana@example.org"]


@pytest.mark.django_db(transaction=True)
def test_commit_progress_is_visible_outside_the_import_transaction(monkeypatch):
    from django.db import DEFAULT_DB_ALIAS, connection, connections

    from crm.importing import run, writing
    from crm.models import ImportRecord

    if connection.vendor != "postgresql":
        pytest.skip("SQLite allows one writer at a time: there the page shows a plain bar")
    seen = {}
    real_write = writing.write_contacts

    def looking_write(plan, record, user):
        other = connections.create_connection(DEFAULT_DB_ALIAS)  # another session
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT progress_done, progress_total FROM crm_importrecord WHERE id = %s",
                [record.pk],
            )
            seen["progress"] = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM crm_contact")
            seen["contacts"] = cursor.fetchone()[0]
        other.close()
        return real_write(plan, record, user)

    monkeypatch.setattr(writing, "write_contacts", looking_write)
    data = csv_bytes([["E-mail"]] + [[f"p{i}@example.org"] for i in range(5)])
    record = run.new_record(kind="contacts", data=data, file_name="f.csv")

    outcome = run.commit(record)

    assert outcome.committed
    assert seen == {"progress": (5, 5), "contacts": 0}
    assert ImportRecord.objects.get().status == ImportRecord.Status.COMMITTED
