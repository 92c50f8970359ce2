"""The public sign form: double opt-in, consent, one signature per signer, rate limits,
verification of organisations, matching, withdrawal."""

import datetime
import io
import time
from unittest import mock

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from crm.models import Affiliation, ConsentRecord, Contact, Organisation
from outreach.models import Signature, Stage
from outreach.privacy import PRIVACY_NOTICE_VERSION
from outreach.services import signature_verify
from tests.factories import make_contact, make_organisation, make_outreach
from tests.outreach.public.conftest import link_in_last_email, sign, sign_and_confirm

pytestmark = pytest.mark.django_db


def test_signing_leaves_a_pending_signature_and_sends_a_confirmation_link(client, ask):
    response = sign(client, ask, public="on")

    assert response.status_code == 302
    assert response["Location"] == f"/s/{ask.slug}/en/thanks/"
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING
    assert signature.source == Signature.Source.PUBLIC_FORM
    assert signature.public is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.org"]
    assert "/confirm/" in mail.outbox[0].body
    assert "/withdraw/" in mail.outbox[0].body
    assert "Ana Example" not in client.get(f"/s/{ask.slug}/").content.decode()


def test_following_the_link_confirms_and_lists_the_name_with_consent(client, ask):
    sign_and_confirm(client, ask, public="on", affiliation="University of Somewhere")

    signature = Signature.objects.get()
    assert signature.status == Signature.Status.CONFIRMED
    assert signature.public is True
    assert signature.confirmed_at is not None
    assert signature.statement_version.statement == ask.statement
    assert signature.language == "en"
    consent = signature.listing_consent
    assert consent.purpose == ConsentRecord.Purpose.PUBLIC_LISTING
    assert consent.text_version == PRIVACY_NOTICE_VERSION
    assert "List my name publicly" in consent.text
    page = client.get(f"/s/{ask.slug}/").content.decode()
    assert "Ana Example" in page
    assert "University of Somewhere" in page
    assert "for identification only" in page


def test_without_ticking_the_box_the_signer_is_counted_but_not_named(client, ask):
    sign_and_confirm(client, ask)

    signature = Signature.objects.get()
    assert signature.status == Signature.Status.CONFIRMED and signature.public is False
    assert not ConsentRecord.objects.filter(purpose=ConsentRecord.Purpose.PUBLIC_LISTING)
    page = client.get(f"/s/{ask.slug}/")
    assert "Ana Example" not in page.content.decode()
    assert page.context["counts"].individuals == 1


def test_the_list_me_publicly_and_newsletter_boxes_start_unticked(client, ask):
    page = client.get(f"/s/{ask.slug}/").content.decode()

    assert 'name="public"' in page and 'name="newsletter"' in page
    for box in ('id="id_public"', 'id="id_newsletter"'):
        tag = page[page.index(box) - 60 : page.index(box) + 60]
        assert "checked" not in tag


def test_newsletter_consent_is_recorded_only_when_asked(client, ask):
    sign_and_confirm(client, ask, newsletter="on", email="news@example.org")
    sign_and_confirm(client, ask, email="quiet@example.org", name="Quiet One")

    assert list(
        ConsentRecord.objects.filter(purpose=ConsentRecord.Purpose.NEWSLETTER).values_list(
            "contact__email", flat=True
        )
    ) == ["news@example.org"]


def test_the_confirmation_link_works_once(client, ask):
    sign(client, ask)
    link = link_in_last_email()

    assert client.post(link).status_code == 200
    again = client.post(link)

    assert again.status_code == 400
    assert "already been used" in again.content.decode()


def test_the_confirmation_link_expires(client, ask):
    sign(client, ask)
    link = link_in_last_email()

    eight_days_later = time.time() + 8 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=eight_days_later):
        response = client.post(link)

    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert Signature.objects.get().status == Signature.Status.PENDING


def test_a_forged_link_is_refused(client, ask):
    sign(client, ask)
    link = link_in_last_email()

    response = client.post(link.replace("/confirm/", "/confirm/x"))

    assert response.status_code == 400
    assert Signature.objects.get().status == Signature.Status.PENDING


def test_opening_the_link_does_not_confirm_only_the_button_does(client, ask):
    sign(client, ask)

    client.get(link_in_last_email())

    assert Signature.objects.get().status == Signature.Status.PENDING


def test_signing_again_updates_the_one_signature_and_answers_the_same(client, ask):
    first = sign(client, ask, name="Ana Example")
    client.post(link_in_last_email())
    second = sign(client, ask, name="Ana Example", public="on", affiliation="New affiliation")

    assert second.status_code == first.status_code == 302
    assert second["Location"] == first["Location"]
    assert Signature.objects.count() == 1
    assert Contact.objects.count() == 1
    # Nothing changes until the new link is followed.
    assert Signature.objects.get().public is False
    client.post(link_in_last_email())
    signature = Signature.objects.get()
    assert signature.public is True
    assert signature.affiliation_text == "New affiliation"
    assert signature.status == Signature.Status.CONFIRMED


def test_a_known_contact_keeps_their_names(client, ask):
    known = make_contact(first_name="Ana", last_name="Known", email="ana@example.org")

    sign_and_confirm(client, ask, name="Someone Else")

    known.refresh_from_db()
    assert (known.first_name, known.last_name) == ("Ana", "Known")
    assert Signature.objects.get().contact == known


def test_the_honeypot_answers_like_success_and_saves_nothing(client, ask):
    response = sign(client, ask, homepage="http://spam.example")

    assert response.status_code == 302
    assert not Signature.objects.exists()
    assert not Contact.objects.exists()
    assert not mail.outbox


def test_a_missing_e_mail_is_named_in_the_error(client, ask):
    response = sign(client, ask, email="")

    assert response.status_code == 400
    assert response.context["form"].errors["email"]
    assert not Signature.objects.exists()


@override_settings(PUBLIC_SIGN_RATE_PER_IP="3/3600")
def test_too_many_submissions_from_one_address_get_429(client, ask):
    for n in range(3):
        assert sign(client, ask, email=f"p{n}@example.org").status_code == 302

    response = sign(client, ask, email="p9@example.org")

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert Signature.objects.count() == 3


@override_settings(PUBLIC_SIGN_RATE_PER_EMAIL="2/3600")
def test_too_many_submissions_for_one_e_mail_get_429(client, ask):
    for _ in range(2):
        assert sign(client, ask).status_code == 302

    response = sign(client, ask)

    assert response.status_code == 429
    assert len(mail.outbox) == 2


def test_an_organisation_signature_waits_for_verification(client, ask, staff):
    entry = make_outreach(
        ask=ask,
        organisation=make_organisation("Digital Rights Watch", website="https://drw.example"),
        stage=Stage.INVITED,
    )
    sign_and_confirm(
        client,
        ask,
        signing_as="organisation",
        organisation_name="Digital Rights Watch",
        website="https://www.drw.example/",
        name="Lea Signer",
        role="Director",
        email="lea@drw.example",
        public="on",
    )

    signature = Signature.objects.get()
    assert signature.organisation == entry.organisation
    assert signature.organisation_was_known
    assert signature.awaiting_verification
    page = client.get(f"/s/{ask.slug}/")
    assert "Digital Rights Watch" not in page.content.decode()
    assert page.context["counts"].organisations == 0
    entry.refresh_from_db()
    assert entry.stage == Stage.INVITED

    signature_verify(signature=signature, by=staff)

    page = client.get(f"/s/{ask.slug}/")
    assert "Digital Rights Watch" in page.content.decode()
    assert page.context["counts"].organisations == 1
    entry.refresh_from_db()
    assert entry.stage == Stage.SIGNED
    assert Affiliation.objects.filter(
        organisation=entry.organisation, contact__email="lea@drw.example"
    ).exists()


def test_an_ask_without_verification_lists_organisations_at_once(client, ask):
    ask.verify_organisation_signatures = False
    ask.save()

    sign_and_confirm(
        client, ask, signing_as="organisation", organisation_name="Quick Org", public="on"
    )

    assert "Quick Org" in client.get(f"/s/{ask.slug}/").content.decode()


@pytest.mark.parametrize(
    ("typed", "website", "email"),
    [
        ("Another Name", "http://privacy-first.example/join", "x@gmail.com"),
        ("privacy  first", "", "x@gmail.com"),
        ("Another Name", "", "someone@privacy-first.example"),
    ],
    ids=["website domain", "normalised name", "e-mail domain"],
)
def test_a_signing_organisation_is_matched_to_the_crm(client, ask, typed, website, email):
    existing = make_organisation("Privacy First", website="https://privacy-first.example")

    sign(client, ask, signing_as="organisation", organisation_name=typed, website=website,
         email=email)  # fmt: skip

    assert Signature.objects.get().organisation == existing
    assert Organisation.objects.count() == 1


def test_an_unknown_organisation_is_created(client, ask):
    sign(client, ask, signing_as="organisation", organisation_name="Brand New Collective",
         website="https://new.example", country="NL")  # fmt: skip

    organisation = Signature.objects.get().organisation
    assert organisation.name == "Brand New Collective"
    assert organisation.domain == "new.example"
    assert not Signature.objects.get().organisation_was_known


def test_an_organisation_must_be_named(client, ask):
    response = sign(client, ask, signing_as="organisation", organisation_name="")

    assert response.status_code == 400
    assert "organisation you sign for" in response.content.decode()


def test_withdrawing_by_link_removes_the_name_at_once_and_keeps_the_record(client, ask):
    sign_and_confirm(client, ask, public="on")
    assert client.get(f"/s/{ask.slug}/").context["counts"].individuals == 1
    withdraw_link = link_in_last_email("withdraw")

    response = client.post(withdraw_link, {"reason": "Changed my mind"})

    assert response.status_code == 200
    page = client.get(f"/s/{ask.slug}/")
    assert "Ana Example" not in page.content.decode()
    assert page.context["counts"].individuals == 0
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.WITHDRAWN
    assert signature.withdrawn_at is not None and signature.withdrawn_by is None
    assert signature.status_reason == "Changed my mind"
    assert signature.listing_consent.withdrawn_at is not None
    assert client.post(withdraw_link).status_code == 400


def test_a_closed_ask_takes_no_signatures(client, ask):
    ask.closes_on = datetime.date(2000, 1, 1)
    ask.save()

    response = sign(client, ask)

    assert response.status_code == 400
    assert not Signature.objects.exists()
    assert "closed" in client.get(f"/s/{ask.slug}/").content.decode()


def test_an_unpublished_ask_has_no_public_page(client, ask):
    ask.is_published = False
    ask.save()

    assert client.get(f"/s/{ask.slug}/").status_code == 404
    assert client.get(f"/s/{ask.slug}/signatories.csv").status_code == 404


def test_the_sign_form_is_protected_against_cross_site_posts(ask):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        f"/s/{ask.slug}/en/sign/", {"name": "X", "email": "x@example.org"}
    )

    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_unconfirmed_sign_ups_are_forgotten_after_thirty_days(client, ask):
    from django.core.management import call_command

    known = make_contact(first_name="Known", last_name="Person", email="known@example.org")
    sign(client, ask, email="never@example.org", name="Never Confirmed")
    sign(client, ask, signing_as="organisation", organisation_name="Ghost Org",
         email="ghost@ghost.example")  # fmt: skip
    sign(client, ask, email="known@example.org")
    sign_and_confirm(client, ask, email="kept@example.org", name="Kept Signer")
    Signature.objects.update(created_at=timezone.now() - datetime.timedelta(days=31))

    call_command("purge_unconfirmed_signatures", "--days", "30", stdout=io.StringIO())

    assert list(Signature.objects.values_list("display_name", flat=True)) == ["Kept Signer"]
    assert set(Contact.objects.values_list("email", flat=True)) == {
        "known@example.org",
        "kept@example.org",
    }
    assert not Organisation.objects.exists()
    assert not Signature.history.filter(display_name="Never Confirmed").exists()
    assert not Contact.history.filter(email="never@example.org").exists()
    assert known.pk in Contact.objects.values_list("pk", flat=True)


def test_a_mail_server_failure_lists_nothing_and_is_for_staff_to_see(client, ask):
    # The e-mail is sent by a task after the sign-up: the signer sees the thanks page
    # (check your e-mail); the failure is recorded for staff (test_confirmation_email_task).
    with mock.patch("outreach.emails.send_sign_confirmation", side_effect=ConnectionRefusedError):
        response = sign(client, ask, public="on")

    assert response.status_code == 302
    assert response.url == f"/s/{ask.slug}/en/thanks/"
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING and not signature.is_listed
    assert signature.confirmation_email_error != ""
    assert not mail.outbox


def test_another_person_signing_for_a_listed_organisation_changes_nothing_public(
    client, ask, staff
):
    from outreach.models import Activity

    as_organisation = {"signing_as": "organisation", "website": "https://listed.example"}
    sign_and_confirm(
        client,
        ask,
        organisation_name="Listed Org",
        email="boss@listed.example",
        public="on",
        **as_organisation,
    )
    signature_verify(signature=Signature.objects.get(), by=staff)

    sign(
        client,
        ask,
        organisation_name="Renamed by someone",
        email="someone@gmail.com",
        **as_organisation,
    )

    signature = Signature.objects.get()
    assert signature.is_listed and signature.display_name == "Listed Org"
    assert signature.contact.email == "boss@listed.example"
    assert "Listed Org" in client.get(f"/s/{ask.slug}/").content.decode()
    note = Activity.objects.get(kind=Activity.Kind.NOTE)
    assert "Nothing was changed" in note.summary and note.contact.email == "someone@gmail.com"
