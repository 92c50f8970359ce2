"""Attacks: write through the REST API around the rules the pages follow.

- Withdrawing a listing consent with PATCH left the signature public.
- POST /signatures/ for the signer of a pending public-form signature confirmed and listed
  it, with no confirmation by the signer and no consent record.
- POST /activities/ skipped the activity service.
- Organisations, contacts and affiliations were saved by the serializers, which checked
  the models' rules again by hand and left the history without who made the change.
- DELETE /contacts/<id>/ removed a person but kept their details in the history, with
  no suppression: the next import brought them back.
Each write now goes through the pages' service (crm.services.consent_give /
consent_withdraw, organisation_save, contact_save, affiliation_save, crm.privacy.
subject_erase, outreach.services.signature_record, outreach_log_activity)."""

import pytest

from crm.models import Affiliation, ConsentRecord, Contact, Organisation
from crm.privacy import is_suppressed
from outreach.models import Activity, Signature
from tests.factories import make_ask, make_contact, make_organisation
from tests.outreach.public.conftest import sign, sign_and_confirm

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask(db):
    return make_ask(slug="stop-frt", is_published=True)


def test_withdrawing_a_listing_consent_through_the_api_delists_the_signature(client, api, ask):
    sign_and_confirm(client, ask, public="on")
    signature = Signature.objects.get()
    consent = signature.listing_consent
    assert signature.is_listed

    coordinator = api("coordinator")
    patched = coordinator.patch(
        f"/api/v1/consent-records/{consent.pk}/", {"withdrawn_at": "2026-12-07T10:00:00Z"}
    )
    withdrawn = coordinator.post(f"/api/v1/consent-records/{consent.pk}/withdraw/")

    assert patched.status_code == 400 and "withdraw/" in patched.json()["withdrawn_at"][0]
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    signature.refresh_from_db()
    assert signature.public is False and not signature.is_listed


def test_a_withdrawn_consent_cannot_be_given_again_by_editing_it(client, api, ask):
    sign_and_confirm(client, ask, public="on")
    consent = ConsentRecord.objects.get(purpose=ConsentRecord.Purpose.PUBLIC_LISTING)
    coordinator = api("coordinator")
    coordinator.post(f"/api/v1/consent-records/{consent.pk}/withdraw/")

    response = coordinator.patch(f"/api/v1/consent-records/{consent.pk}/", {"source": "x"})

    assert response.status_code == 400
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_the_api_cannot_confirm_and_list_a_pending_public_form_signature(client, api, ask):
    sign(client, ask)  # pending: the signer has not followed the link
    pending = Signature.objects.get()

    response = api("coordinator").post(
        "/api/v1/signatures/",
        {"ask": ask.pk, "contact": pending.contact_id, "status": "confirmed", "public": True},
        format="json",
    )

    assert response.status_code == 200
    pending.refresh_from_db()
    assert (pending.status, pending.public) == (Signature.Status.PENDING, False)
    assert pending.source == Signature.Source.PUBLIC_FORM
    assert not ConsentRecord.objects.exists()


def test_a_staff_signature_is_still_recorded_and_listed_through_the_api(api, ask):
    organisation = make_organisation("Datenwerk")

    response = api("coordinator").post(
        "/api/v1/signatures/",
        {"ask": ask.pk, "organisation": organisation.pk, "public": True},
        format="json",
    )

    assert response.status_code == 201
    assert Signature.objects.get().is_listed


def test_an_activity_logged_through_the_api_goes_through_the_service(api, monkeypatch):
    from outreach import api as outreach_api

    organisation = make_organisation("Datenwerk")
    calls = []
    service = outreach_api.outreach_log_activity

    def spy(**kwargs):
        calls.append(kwargs)
        return service(**kwargs)

    monkeypatch.setattr(outreach_api, "outreach_log_activity", spy)
    campaigner = api("campaigner")

    response = campaigner.post(
        "/api/v1/activities/",
        {"kind": "call", "organisation": organisation.pk, "summary": "Called the director"},
        format="json",
    )
    nothing = campaigner.post("/api/v1/activities/", {"kind": "note"}, format="json")

    assert response.status_code == 201 and len(calls) == 2
    activity = Activity.objects.get()
    assert (activity.actor, activity.organisation) == (campaigner.user, organisation)
    assert nothing.status_code == 400


def test_records_written_through_the_api_name_who_wrote_them(api):
    campaigner = api("campaigner")

    organisation = campaigner.post(
        "/api/v1/organisations/", {"name": "  Datenwerk  ", "website": "https://www.datenwerk.de"}
    ).json()
    contact = campaigner.post("/api/v1/contacts/", {"first_name": "Ana", "email": "ana@x.org"})
    affiliation = campaigner.post(
        "/api/v1/affiliations/",
        {"contact": contact.json()["id"], "organisation": organisation["id"], "is_primary": True},
    )
    campaigner.patch(f"/api/v1/contacts/{contact.json()['id']}/", {"last_name": "Souza"})

    assert (organisation["name"], organisation["domain"]) == ("Datenwerk", "datenwerk.de")
    assert affiliation.status_code == 201
    for model in (Organisation, Contact, Affiliation):
        assert {row.history_user for row in model.history.all()} == {campaigner.user}
    assert Contact.history.filter(last_name="Souza", history_type="~").exists()


def test_a_second_primary_affiliation_through_the_api_moves_the_flag_as_the_page_does(api):
    contact = make_contact(email="ana@x.org")
    first, second = make_organisation("Datenwerk"), make_organisation("EDRi")
    campaigner = api("campaigner")
    for organisation in (first, second):
        response = campaigner.post(
            "/api/v1/affiliations/",
            {"contact": contact.pk, "organisation": organisation.pk, "is_primary": True},
        )
        assert response.status_code == 201

    primary = Affiliation.objects.get(is_primary=True)
    assert primary.organisation == second


def test_the_models_rules_are_named_on_their_fields_through_the_api(api):
    contact, organisation = make_contact(email="ana@x.org"), make_organisation("Datenwerk")
    campaigner = api("campaigner")

    nameless = campaigner.post("/api/v1/contacts/", {"notes": "who?"})
    reversed_dates = campaigner.post(
        "/api/v1/affiliations/",
        {
            "contact": contact.pk,
            "organisation": organisation.pk,
            "started_on": "2026-05-01",
            "ended_on": "2026-01-01",
        },
    )
    taken = campaigner.patch(
        f"/api/v1/contacts/{make_contact(first_name='Bo').pk}/", {"email": "ANA@x.org"}
    )

    assert nameless.status_code == 400
    assert "A contact needs a name or an e-mail." in str(nameless.json())
    assert reversed_dates.json() == {"ended_on": ["An affiliation cannot end before it starts."]}
    assert taken.json() == {"email": ["A contact with this e-mail already exists."]}
    assert Affiliation.objects.count() == 0
    assert Contact.objects.filter(email="ana@x.org").count() == 1


def test_a_contact_cannot_be_deleted_through_the_api_only_erased(api):
    contact = make_contact(first_name="Ana", last_name="Souza", email="ana@x.org")
    admin = api("admin")

    deleted = admin.delete(f"/api/v1/contacts/{contact.pk}/")
    refused = api("coordinator").post(f"/api/v1/contacts/{contact.pk}/erase/")
    erased = admin.post(f"/api/v1/contacts/{contact.pk}/erase/")
    again = admin.post(f"/api/v1/contacts/{contact.pk}/erase/")

    assert deleted.status_code == 405 and "erase/" in deleted.json()["detail"]
    assert refused.status_code == 403
    assert erased.status_code == 200 and erased.json()["suppressed"] is True
    assert again.status_code == 400
    contact.refresh_from_db()
    assert contact.erased_at is not None and contact.email is None
    assert not Contact.history.filter(email="ana@x.org").exists()
    assert is_suppressed("ana@x.org")
