"""Attacks: write through the REST API around the rules the pages follow.

- Withdrawing a listing consent with PATCH left the signature public.
- POST /signatures/ for the signer of a pending public-form signature confirmed and listed
  it, with no confirmation by the signer and no consent record.
- POST /activities/ skipped the activity service.
Each write now goes through the pages' service (crm.services.consent_give /
consent_withdraw, outreach.services.signature_record, outreach_log_activity)."""

import pytest

from crm.models import ConsentRecord
from outreach.models import Activity, Signature
from tests.factories import make_ask, make_organisation
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
