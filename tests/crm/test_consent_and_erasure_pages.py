"""Consent on a contact's page (give, withdraw in one click and a confirmation) and the
data-protection actions (export, erase) behind their permission."""

import json

import pytest
from django.utils import timezone

from crm.models import ConsentRecord, Contact, Suppression
from outreach.emails import CONSENT_WITHDRAWN, email_audience
from tests.factories import make_ask, make_message_template, make_outreach, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(db):
    return Contact.objects.create(first_name="Noor", last_name="Haddad", email="noor@example.org")


def signed_in(client, role):
    client.force_login(make_user(role=role))
    return client


def test_staff_record_a_consent_with_its_basis_source_and_version(client, contact):
    signed_in(client, "campaigner")

    response = client.post(
        f"/contacts/{contact.pk}/consents/new/",
        {
            "purpose": "newsletter",
            "lawful_basis": "consent",
            "given_at": "2026-11-20T10:30",
            "source": "Conference sign-up sheet",
            "text_version": "2026-11",
            "text": "",
        },
    )

    assert response.status_code == 302
    consent = contact.consents.get()
    assert (consent.purpose, consent.source, consent.text_version) == (
        "newsletter",
        "Conference sign-up sheet",
        "2026-11",
    )
    assert consent.history.get().history_user.groups.get().name == "campaigner"
    page = client.get(contact.get_absolute_url()).content.decode()
    assert "Conference sign-up sheet" in page and f"/consents/{consent.pk}/withdraw/" in page


def test_a_consent_form_with_a_missing_date_says_so(client, contact):
    signed_in(client, "campaigner")

    response = client.post(
        f"/contacts/{contact.pk}/consents/new/",
        {"purpose": "newsletter", "lawful_basis": "consent", "given_at": ""},
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_withdrawing_asks_once_then_withdraws_and_stops_outreach_emails(client, contact):
    consent = ConsentRecord.objects.create(
        contact=contact, purpose="outreach", given_at=timezone.now()
    )
    ask = make_ask()
    make_message_template(ask)
    make_outreach(ask=ask, contact=contact)
    signed_in(client, "campaigner")

    confirm = client.get(f"/consents/{consent.pk}/withdraw/")
    assert confirm.status_code == 200
    assert "no pipeline e-mail goes to this person" in confirm.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is None

    response = client.post(f"/consents/{consent.pk}/withdraw/")

    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    audience = email_audience(ask=ask, entries=ask.outreach.all(), purpose="invitation")
    assert list(audience.excluded) == [CONSENT_WITHDRAWN]


def test_a_viewer_can_neither_give_nor_withdraw_consent(client, contact):
    consent = ConsentRecord.objects.create(
        contact=contact, purpose="outreach", given_at=timezone.now()
    )
    signed_in(client, "viewer")

    assert client.get(f"/contacts/{contact.pk}/consents/new/").status_code == 403
    assert client.post(f"/consents/{consent.pk}/withdraw/").status_code == 403
    page = client.get(contact.get_absolute_url()).content.decode()
    assert "Record consent" not in page and "/withdraw/" not in page


@pytest.mark.parametrize("role", ["viewer", "campaigner", "coordinator"])
def test_only_data_protection_staff_export_or_erase(client, contact, role):
    signed_in(client, role)

    assert client.get(f"/contacts/{contact.pk}/data/").status_code == 403
    assert client.post(f"/contacts/{contact.pk}/erase/", {"confirm": "on"}).status_code == 403
    assert "Erase this person" not in client.get(contact.get_absolute_url()).content.decode()
    assert Contact.objects.get(pk=contact.pk).erased_at is None


def test_an_admin_downloads_everything_held_as_json_and_csv(client, contact):
    signed_in(client, "admin")

    response = client.get(f"/contacts/{contact.pk}/data/?format=json")
    assert response["Content-Disposition"].endswith('.json"')
    assert json.loads(response.content)["person"]["email"] == "noor@example.org"

    response = client.get(f"/contacts/{contact.pk}/data/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "noor@example.org" in response.content.decode("utf-8-sig")


def test_erasing_needs_the_confirmation_box(client, contact):
    signed_in(client, "admin")

    page = client.get(f"/contacts/{contact.pk}/erase/")
    assert "cannot be restored" in page.content.decode()
    response = client.post(f"/contacts/{contact.pk}/erase/", {})

    assert "Tick the box to confirm the erasure." in response.content.decode()
    assert Contact.objects.get(pk=contact.pk).erased_at is None


def test_an_admin_erases_a_person_from_their_page(client, contact):
    signed_in(client, "admin")

    response = client.post(f"/contacts/{contact.pk}/erase/", {"confirm": "on"}, follow=True)

    contact.refresh_from_db()
    assert (contact.first_name, contact.email, contact.erased_at is not None) == (
        "Erased",
        None,
        True,
    )
    assert Suppression.objects.count() == 1
    page = response.content.decode()
    assert "data is erased" in page and "noor" not in page.lower()


def test_an_admin_suppresses_an_address_never_in_the_crm(client):
    from crm.privacy import is_suppressed

    client.force_login(make_user(role="admin", is_superuser=True))

    response = client.post("/admin/crm/suppression/add/", {"email": "Objects@Example.org"})

    assert response.status_code == 302
    assert is_suppressed("objects@example.org")
    again = client.post("/admin/crm/suppression/add/", {"email": "objects@example.org"})
    assert "already suppressed" in again.content.decode()


def test_withdrawing_the_listing_consent_takes_the_name_off_public_lists(client, contact):
    from outreach.models import Signature
    from outreach.services import signature_record

    consent = ConsentRecord.objects.create(
        contact=contact, purpose="public_listing", given_at=timezone.now()
    )
    ask = make_ask(is_published=True)
    signature = signature_record(ask=ask, contact=contact, display_name="Noor Haddad", public=True)
    Signature.objects.filter(pk=signature.pk).update(listing_consent=consent)
    signed_in(client, "campaigner")

    client.post(f"/consents/{consent.pk}/withdraw/")

    signature.refresh_from_db()
    assert (signature.public, signature.status) == (False, "confirmed")
    assert signature.history.latest().history_change_reason == (
        "Consent to public listing withdrawn"
    )
    assert "Noor Haddad" not in client.get(f"/s/{ask.slug}/").content.decode()


def test_typing_in_an_erased_persons_email_again_warns_staff(client, contact):
    from crm.privacy import subject_erase
    from crm.views import ERASED_EMAIL_ADDED

    subject_erase(contact=contact)
    signed_in(client, "campaigner")

    response = client.post(
        "/contacts/new/",
        {"first_name": "Noor", "last_name": "Haddad", "email": "noor@example.org"},
        follow=True,
    )

    assert str(ERASED_EMAIL_ADDED) in response.content.decode().replace("&#x27;", "'")
    assert Contact.objects.filter(email="noor@example.org").exists()
