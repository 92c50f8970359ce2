"""Attack: sign the public form as an organisation that has signed already (same name, any
person, the attacker's e-mail) to get its links, withdraw it or take it over.

Before the fix the live signature was reused: its withdraw link went to the attacker, who
withdrew the organisation's verified signature; with verification off the attacker's
confirmation replaced its person and role and unlisted it. Now the submission changes
nothing and hands out no link; the submitter is told it is signed already, the signer is
told the form was used, staff get a note (outreach.services.signature_submit)."""

import pytest
from django.core import mail

from outreach.models import Activity, Signature
from outreach.services import signature_record, signature_verify
from tests.factories import make_ask, make_organisation
from tests.outreach.public.conftest import link_in_last_email, sign, sign_and_confirm

pytestmark = pytest.mark.django_db

ORG = {"signing_as": "organisation", "organisation_name": "Datenwerk e.V."}


@pytest.fixture
def ask(db):
    return make_ask(slug="stop-frt", is_published=True)


def signed_by_the_organisation(client, ask, staff=None):
    sign_and_confirm(client, ask, **ORG, name="Real Signer", email="boss@datenwerk.example",
                     role="Director", public="on")  # fmt: skip
    signature = Signature.objects.get()
    if staff is not None:
        signature = signature_verify(signature=signature, by=staff)
    mail.outbox.clear()
    return signature


def attack(client, ask, **extra):
    return sign(client, ask, **ORG, name="Mallory", email="mallory@evil.example",
                role="Intern", **extra)  # fmt: skip


def test_a_stranger_signing_for_a_signed_organisation_gets_no_link(client, ask, staff):
    before = signed_by_the_organisation(client, ask, staff)

    response = attack(client, ask)

    assert response.status_code == 302  # the same thanks page as any submission
    to_attacker = [m for m in mail.outbox if m.to == ["mallory@evil.example"]]
    [message] = to_attacker
    assert "/withdraw/" not in message.body and "/confirm/" not in message.body
    assert "has signed this statement already" in message.body
    signature = Signature.objects.get()
    assert (signature.withdraw_nonce, signature.confirm_nonce) == (before.withdraw_nonce, "")
    assert signature.pending_changes == {}


def test_the_organisations_signer_is_told_and_staff_get_a_note(client, ask, staff):
    signed_by_the_organisation(client, ask, staff)

    attack(client, ask)

    [notice] = [m for m in mail.outbox if m.to == ["boss@datenwerk.example"]]
    assert "Nothing was changed" in notice.body and "mallory" not in notice.body
    note = Activity.objects.get(kind=Activity.Kind.NOTE)
    assert note.contact.email == "mallory@evil.example"


def test_the_stranger_cannot_withdraw_the_organisations_verified_signature(client, ask, staff):
    signed_by_the_organisation(client, ask, staff)

    attack(client, ask)
    for message in mail.outbox:  # any link the attacker might have been sent
        assert "/withdraw/" not in message.body

    signature = Signature.objects.get()
    assert signature.status == Signature.Status.CONFIRMED and signature.is_listed


def test_with_verification_off_the_stranger_cannot_replace_person_role_or_listing(client):
    ask = make_ask(slug="open-letter", is_published=True, verify_organisation_signatures=False)
    before = signed_by_the_organisation(client, ask)

    attack(client, ask)  # and unticked "list publicly"

    signature = Signature.objects.get()
    assert signature.contact_id == before.contact_id
    assert (signature.role, signature.public) == ("Director", True)
    assert signature.is_listed


def test_a_stranger_cannot_take_over_a_pending_organisation_signature(client, ask):
    sign(client, ask, **ORG, name="Real Signer", email="boss@datenwerk.example")
    pending = Signature.objects.get()

    attack(client, ask)

    assert not [m for m in mail.outbox if m.to == ["mallory@evil.example"] and "/s/" in m.body]
    pending.refresh_from_db()
    assert pending.pending_changes["contact_id"] == pending.contact_id


def test_a_signature_staff_recorded_without_a_person_is_not_claimed_either(client, ask):
    organisation = make_organisation("Datenwerk e.V.")
    signature_record(ask=ask, organisation=organisation)

    attack(client, ask)

    signature = Signature.objects.get()
    assert signature.contact is None and signature.pending_changes == {}
    [message] = mail.outbox
    assert message.to == ["mallory@evil.example"] and "/withdraw/" not in message.body


def test_the_signer_themself_still_changes_their_listing_with_their_own_link(client, ask):
    signed_by_the_organisation(client, ask)

    sign(client, ask, **ORG, name="Real Signer", email="boss@datenwerk.example", role="Chair")
    client.post(link_in_last_email())

    assert Signature.objects.get().role == "Chair"
