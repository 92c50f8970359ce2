import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.models import Contact, ImportRecord
from outreach.models import Signature
from tests.crm.importing.helpers import csv_bytes
from tests.factories import make_ask

pytestmark = pytest.mark.django_db


def _csv_format(response):
    form = response.context["form"]
    return next(value for value, label in form.fields["format"].choices if label == "csv")


def _admin_import(client, url_name, data, **extra):
    url = reverse(url_name)
    page = client.get(url)
    response = client.post(
        url,
        {"format": _csv_format(page), "import_file": SimpleUploadedFile("f.csv", data), **extra},
    )
    return response


def test_the_admin_import_previews_with_row_errors_and_commits_nothing(admin_client):
    data = csv_bytes([["E-mail", "First name"], ["ana@example.org", "Ana"], ["bad", "Ben"]])

    response = _admin_import(admin_client, "admin:crm_contact_import", data)

    assert response.status_code == 200
    assert "“bad” is not a valid e-mail address." in response.text
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert Contact.objects.count() == 0


def test_the_admin_import_confirms_through_the_planner(admin_client):
    data = csv_bytes(
        [["Email address", "Vorname"], ["ANA@example.org ", "Ana"], ["ana@example.org", ""]]
    )
    response = _admin_import(admin_client, "admin:crm_contact_import", data)
    confirm = response.context["confirm_form"]

    admin_client.post(reverse("admin:crm_contact_process_import"), confirm.initial)

    assert list(Contact.objects.values_list("email", "first_name")) == [("ana@example.org", "Ana")]
    assert ImportRecord.objects.get().status == ImportRecord.Status.COMMITTED


def test_the_admin_signature_import_asks_for_the_ask(admin_client):
    ask = make_ask()
    data = csv_bytes([["Organisation", "Public"], ["Liga", "yes"]])
    response = _admin_import(admin_client, "admin:outreach_signature_import", data, ask=ask.pk)
    confirm = response.context["confirm_form"]

    admin_client.post(reverse("admin:outreach_signature_process_import"), confirm.initial)

    signature = Signature.objects.get()
    assert (signature.ask, signature.organisation.name, signature.public) == (ask, "Liga", True)


def test_an_import_record_can_be_read_in_the_admin(admin_client):
    data = csv_bytes([["Email address"], ["ana@example.org"]])
    response = _admin_import(admin_client, "admin:crm_contact_import", data)
    admin_client.post(
        reverse("admin:crm_contact_process_import"), response.context["confirm_form"].initial
    )
    record = ImportRecord.objects.get()

    page = admin_client.get(reverse("admin:crm_importrecord_change", args=[record.pk]))

    assert page.status_code == 200
    assert record.sha256 in page.text
