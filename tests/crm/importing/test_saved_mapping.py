"""A saved column mapping applies itself to the next file with the same columns."""

import pytest
from django.urls import reverse

from crm.models import ImportRecord, SavedMapping
from tests.crm.importing.helpers import csv_bytes
from tests.crm.importing.test_wizard_views import _upload
from tests.factories import make_user

pytestmark = pytest.mark.django_db

APPLIED = "Applied your saved mapping “Partner list” — check the columns and go on"
HEADER = ["Courriel", "Prénom", "Organisation", "Notes"]
# What the user chose for HEADER: the guess would take "Notes" as notes and the
# organisation as the organisation.
CHOSEN = ["email", "first_name", "", "expertise"]


def _file(header, values=("ana@example.org", "Ana", "Liga", "Privacy")):
    by_key = dict(zip(HEADER, values, strict=True))
    return csv_bytes([header, [by_key.get(h.strip().title(), "x") for h in header]])


def _save_mapping(client, name="Partner list", header=HEADER, chosen=CHOSEN):
    _upload(client, data=_file(header))
    record = ImportRecord.objects.latest("pk")
    fields = {f"column_{i}": field for i, field in enumerate(chosen)}
    client.post(
        reverse("imports:mapping", args=[record.pk]),
        {**fields, "policy": "fill", "dates": "day", "save_as": name},
    )
    return SavedMapping.objects.get(name=name)


def _mapping_page(client, header, *, kind="contacts", **query):
    _upload(client, data=_file(header), name="next.csv", kind=kind)
    record = ImportRecord.objects.latest("pk")
    return client.get(reverse("imports:mapping", args=[record.pk]), query)


def _chosen(page):
    return {field.label: field.value() for field in page.context["form"].column_fields()}


def test_a_file_with_the_same_columns_in_another_order_gets_the_saved_mapping(staff_client):
    _save_mapping(staff_client)

    page = _mapping_page(staff_client, [" NOTES", "organisation", "Prénom", "courriel "])

    assert _chosen(page) == {
        "NOTES": "expertise",
        "organisation": "",
        "Prénom": "first_name",
        "courriel": "email",
    }
    assert APPLIED in page.text
    assert 'value="expertise" selected' in page.text
    assert "Use the automatic guess instead" in page.text


def test_a_file_with_other_columns_gets_the_automatic_guess_and_no_notice(staff_client):
    _save_mapping(staff_client)

    page = _mapping_page(staff_client, ["E-mail", "Vorname"])

    assert _chosen(page) == {"E-mail": "email", "Vorname": "first_name"}
    assert "Applied your saved mapping" not in page.text
    assert 'data-testid="offered-mapping"' not in page.text


def test_a_mapping_that_fits_only_some_columns_is_offered_not_applied(staff_client):
    saved = _save_mapping(staff_client)

    page = _mapping_page(staff_client, ["Courriel", "Prénom", "Notes", "Ville"])

    assert _chosen(page)["Notes"] == "notes"  # the guess, not the saved "expertise"
    assert "Applied your saved mapping" not in page.text
    assert "Your saved mapping “Partner list” fits 3 of this file's 4 columns" in page.text
    assert f'href="?saved={saved.pk}"' in page.text


def test_going_back_to_the_automatic_guess(staff_client):
    _save_mapping(staff_client)

    page = _mapping_page(staff_client, HEADER, guess="1")

    assert _chosen(page) == dict(
        zip(HEADER, ["email", "first_name", "organisation", "notes"], strict=True)
    )
    assert "Applied your saved mapping" not in page.text


def test_of_two_mappings_for_the_same_columns_the_one_used_last_applies(staff_client):
    _save_mapping(staff_client, name="Old list", chosen=["email", "first_name", "", "notes"])
    _save_mapping(staff_client, name="Partner list")
    page = _mapping_page(staff_client, HEADER)
    assert APPLIED in page.text

    # The older one picked by hand and used: it is now the latest.
    old = SavedMapping.objects.get(name="Old list")
    page = _mapping_page(staff_client, HEADER, saved=str(old.pk))
    record = page.context["record"]
    form = {f"column_{i}": f for i, f in enumerate(["email", "first_name", "", "notes"])}
    staff_client.post(
        reverse("imports:mapping", args=[record.pk]),
        {**form, "policy": "fill", "dates": "day", "saved_mapping": str(old.pk)},
    )

    page = _mapping_page(staff_client, HEADER)
    assert "Applied your saved mapping “Old list”" in page.text
    assert _chosen(page)["Notes"] == "notes"


def test_the_choice_made_for_an_import_is_kept_when_coming_back_to_its_columns(staff_client):
    _save_mapping(staff_client)
    page = _mapping_page(staff_client, HEADER)
    record = page.context["record"]
    form = {f"column_{i}": f for i, f in enumerate(["email", "", "", ""])}
    staff_client.post(
        reverse("imports:mapping", args=[record.pk]), {**form, "policy": "fill", "dates": "day"}
    )

    page = staff_client.get(reverse("imports:mapping", args=[record.pk]))

    assert _chosen(page) == dict(zip(HEADER, ["email", "", "", ""], strict=True))
    assert "Applied your saved mapping" not in page.text


def test_saved_mappings_are_shared_by_the_staff_who_import(staff_client, client):
    # The model keeps one mapping per name and kind for everyone who imports (no owner
    # filter anywhere): a colleague's upload of the same layout gets it too.
    _save_mapping(staff_client)
    client.force_login(make_user("colleague"))

    page = _mapping_page(client, HEADER)

    assert APPLIED in page.text


def test_a_mapping_saved_for_one_kind_of_import_never_applies_to_another(staff_client):
    _save_mapping(staff_client)

    page = _mapping_page(staff_client, HEADER, kind="organisations")
    forged = staff_client.get(
        reverse("imports:mapping", args=[page.context["record"].pk]),
        {"saved": str(SavedMapping.objects.get().pk)},
    )

    assert "Applied your saved mapping" not in page.text
    assert _chosen(page)["Organisation"] == "name"
    assert "Applied your saved mapping" not in forged.text
    assert 'data-testid="offered-mapping"' not in page.text


def test_a_forged_saved_mapping_of_another_kind_is_not_marked_used(staff_client):
    other = SavedMapping.objects.create(kind="organisations", name="Orgs", columns={"Name": "name"})
    _upload(staff_client, data=_file(HEADER))
    record = ImportRecord.objects.latest("pk")
    form = {f"column_{i}": f for i, f in enumerate(CHOSEN)}

    staff_client.post(
        reverse("imports:mapping", args=[record.pk]),
        {**form, "policy": "fill", "dates": "day", "saved_mapping": str(other.pk)},
    )

    other.refresh_from_db()
    record.refresh_from_db()
    assert other.used_at is None
    assert record.status == ImportRecord.Status.PREVIEWED
