"""Which events are sent, to whom, when, and what they carry: after the change commits,
only to active endpoints subscribed to the event, and never a person's details."""

import json

import pytest
from django.db import transaction

from crm.privacy import subject_erase
from outreach import tokens
from outreach.models import Stage
from outreach.services import (
    SignOn,
    outreach_change_stage,
    signature_confirm,
    signature_submit,
    signature_verify,
    signature_withdraw,
)
from tests.factories import make_ask, make_contact, make_outreach, make_signature
from webhooks import services
from webhooks.models import Event, WebhookDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    return services.endpoint_create(url="https://10.9.9.9/all", events=Event.values)


def _sent(event=None):
    deliveries = WebhookDelivery.objects.order_by("pk")
    if event:
        deliveries = deliveries.filter(event=event)
    return list(deliveries)


def _data(delivery):
    return delivery.payload["data"]


def test_confirming_on_the_public_page_sends_signature_confirmed(subscribed):
    ask = make_ask(is_published=True, signers="individuals")
    sign_on = SignOn(as_organisation=False, name="Ana Example", email="ana@example.org")
    signature = signature_submit(ask=ask, sign_on=sign_on)
    assert _sent() == []  # pending confirmation: nothing happened yet

    signature_confirm(token=tokens.confirm_token(signature))

    (delivery,) = _sent()
    assert delivery.event == "signature.confirmed"
    assert delivery.payload["event"] == "signature.confirmed"
    assert _data(delivery)["identifiers"] == [f"coalition:signature:{signature.pk}"]
    assert _data(delivery)["petition"]["identifiers"] == [f"coalition:ask:{ask.pk}"]
    assert _data(delivery)["status"] == "confirmed"
    assert _data(delivery)["counted"] is True


def test_a_signature_recorded_again_is_not_confirmed_again(subscribed):
    ask = make_ask()
    signature = make_signature(ask)
    make_signature(ask, name="Other")
    from outreach.services import signature_record

    signature_record(ask=ask, contact=signature.contact, role="Director")

    assert [d.event for d in _sent()] == ["signature.confirmed", "signature.confirmed"]


def test_only_endpoints_subscribed_to_the_event_get_it(subscribed):
    erasures = services.endpoint_create(
        url="https://10.9.9.8/erased", events=[Event.CONTACT_ERASED]
    )
    services.endpoint_create(url="https://10.9.9.7/off", events=Event.values, active=False)

    make_signature(make_ask())
    subject_erase(contact=make_contact(email="gone@example.org"))

    assert {(d.endpoint_id, d.event) for d in _sent()} == {
        (subscribed.pk, "signature.confirmed"),
        (subscribed.pk, "contact.erased"),
        (erasures.pk, "contact.erased"),
    }


def test_withdrawing_sends_signature_withdrawn_and_the_stage_change(subscribed):
    ask = make_ask()
    signature = make_signature(ask)
    entry = make_outreach(ask=ask, contact=signature.contact, stage=Stage.SIGNED)

    signature_withdraw(signature=signature, reason="Changed their mind")

    (withdrawn,) = _sent("signature.withdrawn")
    assert _data(withdrawn)["status"] == "withdrawn"
    (moved,) = _sent("outreach.stage_changed")
    assert _data(moved)["identifiers"] == [f"coalition:outreach:{entry.pk}"]
    assert (_data(moved)["from_stage"], _data(moved)["to_stage"]) == ("signed", "withdrawn")


def test_verifying_an_organisation_signature_sends_signature_verified(subscribed):
    ask = make_ask(verify_organisation_signatures=True)
    signature = make_signature(ask, organisation=True, awaiting_verification=True)
    assert _data(_sent("signature.confirmed")[0])["counted"] is False

    signature_verify(signature=signature, by=None)

    (verified,) = _sent("signature.verified")
    assert _data(verified)["counted"] is True
    organisation = _data(verified)["coalition:organisation"]
    assert organisation["identifiers"] == [f"coalition:organisation:{signature.organisation_id}"]


def test_a_stage_change_names_both_stages(subscribed):
    entry = make_outreach()

    outreach_change_stage(outreach=entry, stage=Stage.INVITED)

    (moved,) = _sent()
    assert (_data(moved)["from_stage"], _data(moved)["to_stage"]) == ("prospect", "invited")
    assert _data(moved)["_links"]["self"]["href"] == f"/api/v1/outreach/{entry.pk}/"


def test_contact_erased_carries_only_the_contact_id(subscribed):
    contact = make_contact(first_name="Ana", last_name="Lovelace", email="ana.l@example.org")

    subject_erase(contact=contact)

    (erased,) = _sent()
    assert _data(erased) == {"identifiers": [f"coalition:contact:{contact.pk}"]}
    text = json.dumps(erased.payload).lower()
    assert "ana" not in text and "lovelace" not in text and "example.org" not in text


def test_no_event_names_or_addresses_a_person(subscribed):
    ask = make_ask(is_published=True)
    sign_on = SignOn(as_organisation=False, name="Bea Quintero", email="bea.q@example.net")
    signature = signature_submit(ask=ask, sign_on=sign_on)
    signature = signature_confirm(token=tokens.confirm_token(signature))
    signature_withdraw(signature=signature)
    subject_erase(contact=signature.contact)

    text = json.dumps([d.payload for d in _sent()]).lower()
    assert len(_sent()) == 3
    assert "bea" not in text and "quintero" not in text and "example.net" not in text


def test_nothing_is_recorded_or_sent_for_a_change_rolled_back(subscribed):
    entry = make_outreach()
    with pytest.raises(RuntimeError), transaction.atomic():
        outreach_change_stage(outreach=entry, stage=Stage.INVITED)
        raise RuntimeError

    assert _sent() == []


def test_deliveries_are_queued_only_once_the_change_commits(
    subscribed, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("webhooks.tasks.enqueue", queued.append)
    entry = make_outreach()

    with django_capture_on_commit_callbacks() as callbacks:
        outreach_change_stage(outreach=entry, stage=Stage.INVITED)
        assert queued == []
    for callback in callbacks:
        callback()

    assert queued == _sent()
