"""The record signature helper, POST /api/osdi/v1/petitions/<id>/signatures/: the person
matched or added by e-mail, one live signature per signer, listed only with the consent
given in the body, erased people kept out, and double opt-in through the public form's
service. Attacked with the roles, closed asks, forged fields and repeats."""

import datetime

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from crm.models import ConsentRecord, Contact, Suppression, Tag
from crm.privacy import subject_erase
from osdi.helper import IN_THE_FUTURE, NO_EMAIL
from osdi.services import SUPPRESSED_EMAIL
from outreach import tokens
from outreach.models import Activity, Outreach, Signature
from outreach.services import ASK_NOT_OPEN, signature_confirm
from tests.factories import make_ask, make_contact, make_outreach
from tests.osdi.conftest import BASE

pytestmark = pytest.mark.django_db


def _body(email="ana@example.org", **extra):
    return {
        "person": {
            "given_name": "Ana",
            "family_name": "Silva",
            "email_addresses": [{"address": email, "primary": True}],
            "postal_addresses": [{"country": "PT", "primary": True}],
        },
        **extra,
    }


@pytest.fixture
def ask():
    return make_ask(is_published=True, signers="both")


def _post(client, ask, body):
    # As if the request's transaction committed: the confirmation e-mail goes then.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(BASE + f"petitions/{ask.pk}/signatures/", body, format="json")


def test_it_adds_the_person_and_records_a_confirmed_unlisted_signature(osdi, ask):
    client = osdi("campaigner")
    response = _post(client, ask, _body(comments="Count me in", add_tags=["volunteer"]))
    assert response.status_code == 201
    contact = Contact.objects.get(email="ana@example.org")
    assert (contact.first_name, contact.last_name, contact.country.code) == ("Ana", "Silva", "PT")
    assert contact.history.latest().history_user == client.user
    signature = Signature.objects.get(ask=ask)
    assert signature.contact == contact
    assert signature.status == Signature.Status.CONFIRMED
    assert signature.source == Signature.Source.PARTNER
    assert not signature.public
    assert list(contact.tags.values_list("name", flat=True)) == ["volunteer"]
    note = Activity.objects.get(kind=Activity.Kind.NOTE, contact=contact)
    assert "Count me in" in note.summary
    body = response.json()
    assert body["identifiers"] == [f"coalition_crm:{signature.pk}"]
    assert body["_links"]["osdi:person"]["href"].endswith(f"/people/{contact.pk}/")
    assert body["coalition:counted"] is True and body["coalition:public"] is False


def test_it_matches_a_known_person_by_email_and_leaves_their_names(osdi, ask):
    known = make_contact(first_name="Ana Maria", last_name="Silva Santos", email="ana@example.org")
    response = _post(osdi(), ask, _body(email="ANA@Example.org"))
    assert response.status_code == 201
    assert Contact.objects.count() == 1
    known.refresh_from_db()
    assert known.first_name == "Ana Maria"
    assert Signature.objects.get(ask=ask).contact == known


def test_a_repeat_post_keeps_one_live_signature_and_its_listing(osdi, ask):
    client = osdi()
    first = _post(client, ask, _body(**{"coalition:public_listing_consent": True}))
    again = _post(client, ask, _body())
    assert (first.status_code, again.status_code) == (201, 200)
    (signature,) = Signature.objects.filter(ask=ask)
    assert signature.public  # a repeat without the consent does not take it back
    assert again.json()["identifiers"] == first.json()["identifiers"]


def test_it_lists_the_signer_only_with_the_consent_given_in_the_body(osdi, ask):
    client = osdi()
    _post(client, ask, _body(**{"coalition:public_listing_consent": True}))
    signature = Signature.objects.get(ask=ask)
    assert signature.is_listed
    consent = signature.listing_consent
    assert consent.purpose == ConsentRecord.Purpose.PUBLIC_LISTING
    assert consent.contact == signature.contact and consent.withdrawn_at is None


def test_forged_fields_change_nothing(osdi, ask):
    other = make_contact(first_name="Other", email="other@example.org")
    forged = _body(
        status="confirmed",
        public=True,
        identifiers=[f"coalition_crm:{other.pk}"],
        _links={"osdi:person": {"href": f"http://testserver{BASE}people/{other.pk}/"}},
        **{"coalition:public": True, "coalition:status": "confirmed", "coalition:counted": True},
    )
    forged["person"]["identifiers"] = [f"coalition_crm:{other.pk}"]
    response = _post(osdi(), ask, forged)
    assert response.status_code == 201
    signature = Signature.objects.get(ask=ask)
    assert signature.contact.email == "ana@example.org"
    assert not signature.public
    assert not other.signatures.exists()


def test_a_viewer_records_nothing(osdi, ask):
    response = _post(osdi("viewer"), ask, _body())
    assert response.status_code == 403
    assert not Signature.objects.exists() and not Contact.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"is_published": False},
        {"closes_on": datetime.date(2020, 1, 1), "opens_on": datetime.date(2019, 1, 1)},
        {"opens_on": datetime.date(2999, 1, 1)},
    ],
    ids=["unpublished", "closed", "not yet open"],
)
def test_a_petition_that_takes_no_signatures_from_outside_refuses(osdi, fields):
    ask = make_ask(**{"is_published": True, **fields})
    response = _post(osdi(), ask, _body())
    assert response.status_code == 400
    assert response.json()["detail"] == [ASK_NOT_OPEN]
    assert not Signature.objects.exists() and not Contact.objects.exists()


def test_an_attendance_ask_is_no_petition(osdi):
    ask = make_ask(is_published=True, kind="attendance")
    assert _post(osdi(), ask, _body()).status_code == 404


def test_an_erased_person_is_not_added_again(osdi, ask):
    person = make_contact(email="ana@example.org")
    subject_erase(contact=person, suppress=True)
    response = _post(osdi(), ask, _body(email="Ana@example.org"))
    assert response.status_code == 400
    assert response.json() == {"person": [SUPPRESSED_EMAIL]}
    assert not Signature.objects.exists()
    assert not Contact.objects.filter(email="ana@example.org").exists()
    assert Suppression.objects.get().matches == 1


def test_the_pipeline_entry_moves_to_signed(osdi, ask):
    contact = make_contact(email="ana@example.org")
    entry = make_outreach(ask=ask, contact=contact, organisation=None)
    assert _post(osdi(), ask, _body()).status_code == 201
    entry.refresh_from_db()
    assert entry.stage == Outreach.Stage.SIGNED


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"person": {"given_name": "Ana", "email_addresses": []}}, "person", NO_EMAIL),
        ({"action_date": "2999-01-01T00:00:00Z"}, "action_date", IN_THE_FUTURE),
    ],
)
def test_a_body_without_what_it_needs_is_refused(osdi, ask, change, field, message):
    response = _post(osdi(), ask, {**_body(), **change})
    assert response.status_code == 400
    assert message in str(response.json()[field])
    assert not Signature.objects.exists()


def test_action_date_is_when_they_signed(osdi, ask):
    when = timezone.now() - datetime.timedelta(days=2)
    _post(osdi(), ask, _body(action_date=when.isoformat()))
    assert abs(Signature.objects.get().signed_at - when) < datetime.timedelta(seconds=1)


def test_existing_tags_are_reused_whatever_their_case(osdi, ask):
    tag = Tag.objects.create(name="Volunteer")
    _post(osdi(), ask, _body(add_tags=["volunteer", "VOLUNTEER"]))
    assert list(Contact.objects.get().tags.all()) == [tag]


# --- double opt-in ----------------------------------------------------------------------


def test_with_double_opt_in_nothing_counts_until_the_person_confirms(osdi, ask):
    body = _body(**{"coalition:double_opt_in": True, "coalition:public_listing_consent": True})
    response = _post(osdi(), ask, body)
    assert response.status_code == 201
    signature = Signature.objects.get(ask=ask)
    assert signature.status == Signature.Status.PENDING and not signature.public
    assert response.json()["coalition:counted"] is False
    (message,) = mail.outbox
    assert message.to == ["ana@example.org"]

    confirmed = signature_confirm(token=tokens.confirm_token(signature))
    assert confirmed.status == Signature.Status.CONFIRMED and confirmed.is_listed
    assert confirmed.listing_consent.purpose == ConsentRecord.Purpose.PUBLIC_LISTING


def test_with_double_opt_in_an_erased_person_is_held_for_staff_to_check(osdi, ask):
    person = make_contact(email="ana@example.org")
    subject_erase(contact=person, suppress=True)
    response = _post(osdi(), ask, _body(**{"coalition:double_opt_in": True}))
    assert response.status_code == 201
    signature = signature_confirm(token=tokens.confirm_token(Signature.objects.get(ask=ask)))
    assert signature.awaiting_verification  # not counted until staff verify it


def test_a_token_set_to_double_opt_in_asks_for_confirmation_when_the_body_is_silent(osdi, ask):
    response = _post(osdi(double_opt_in=True), ask, _body())

    assert response.status_code == 201
    assert Signature.objects.get(ask=ask).status == Signature.Status.PENDING
    assert response.json()["coalition:counted"] is False
    assert mail.outbox[0].to == ["ana@example.org"]


def test_the_token_setting_holds_with_the_authorization_header_too(osdi, ask):
    client = osdi(double_opt_in=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {client.token}")

    _post(client, ask, _body())

    assert Signature.objects.get(ask=ask).status == Signature.Status.PENDING


def test_the_body_says_what_the_token_would_otherwise_decide(osdi, ask):
    _post(osdi(double_opt_in=True), ask, _body(**{"coalition:double_opt_in": False}))
    _post(osdi(), ask, _body("zoe@example.org", **{"coalition:double_opt_in": True}))

    statuses = dict(Signature.objects.values_list("contact__email", "status"))
    assert statuses == {
        "ana@example.org": Signature.Status.CONFIRMED,
        "zoe@example.org": Signature.Status.PENDING,
    }


def test_a_token_without_the_setting_records_at_once(osdi, ask):
    _post(osdi(), ask, _body())

    assert Signature.objects.get(ask=ask).status == Signature.Status.CONFIRMED
    assert mail.outbox == []


def test_with_double_opt_in_a_mail_failure_counts_nothing_and_is_for_staff_to_see(
    osdi, ask, monkeypatch
):
    # As on the public form: the e-mail is sent by a task after the signature is
    # recorded, retried, and a final failure shown to staff on the signatures page.
    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("outreach.emails.send_sign_confirmation", broken)
    response = _post(osdi(), ask, _body(**{"coalition:double_opt_in": True}))
    assert response.status_code == 201
    assert response.json()["coalition:counted"] is False
    signature = Signature.objects.get(ask=ask)
    assert signature.status == Signature.Status.PENDING and not signature.is_listed
    assert signature.confirmation_email_error != ""
    assert mail.outbox == []
