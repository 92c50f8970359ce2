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
    monkeypatch.setattr(planning, "_existing_contacts", lambda emails: {})
    data = csv_bytes(
        [["E-mail", "First name"], ["b@example.org", "Ben"], ["ana@example.org", "Ana"]]
    )

    outcome = do_import("contacts", data)

    assert not outcome.committed
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "E-mail")]
    assert "saved by someone else" in outcome.errors[0].reason
    assert list(Contact.objects.values_list("email", flat=True)) == ["ana@example.org"]
