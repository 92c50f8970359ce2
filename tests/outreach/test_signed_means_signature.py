"""The pipeline and the signature list never disagree: an entry at “Signed” stands for a
live signature, and a counted signature's entry is at “Signed”, whichever door the move
came through (board, entry page, bulk change, admin, API)."""

import random

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import api_token_create
from crm.models import Affiliation
from outreach.models import TRANSITIONS, Activity, Ask, Outreach, Signature, Stage
from outreach.services import (
    SIGNATURE_AWAITS_CONFIRMATION,
    SIGNATURE_AWAITS_VERIFICATION,
    WITHDRAWN_ON_THE_PIPELINE,
    outreach_add_targets,
    outreach_bulk_change_stage,
    outreach_change_stage,
    signature_record,
    signature_reject,
)
from tests.factories import (
    make_ask,
    make_contact,
    make_organisation,
    make_outreach,
    make_user,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _api_as(role):
    _, token = api_token_create(user=make_user(role=role), name=f"{role} script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def assert_pipeline_and_signatures_agree():
    """Every entry at Signed has a live signature; every counted signature's entry (where
    the signer is in the pipeline) is at Signed."""
    live = Signature.objects.live()
    for entry in Outreach.objects.filter(stage=Stage.SIGNED):
        if entry.organisation_id:
            signed = live.filter(ask=entry.ask_id, organisation=entry.organisation_id)
        else:
            signed = live.filter(ask=entry.ask_id, organisation=None, contact=entry.contact_id)
        assert signed.exists(), f"{entry} is at Signed without a live signature"
    for signature in Signature.objects.counted():
        entries = Outreach.objects.filter(ask=signature.ask_id)
        if signature.organisation_id:
            entries = entries.filter(organisation=signature.organisation_id)
        else:
            entries = entries.filter(organisation=None, contact=signature.contact_id)
        for entry in entries:
            assert entry.stage == Stage.SIGNED, f"{signature} is counted; {entry} is {entry.stage}"


def _organisation_entry(stage=Stage.INVITED, **ask_fields):
    organisation = make_organisation("Datenwerk", country="DE")
    person = make_contact("Jana", "Weber")
    Affiliation.objects.create(
        contact=person, organisation=organisation, role="Director", is_primary=True
    )
    entry = make_outreach(
        ask=make_ask(**ask_fields), organisation=organisation, contact=person, stage=stage
    )
    return entry, organisation, person


def test_moving_an_organisation_to_signed_records_its_signature_signed_by_its_contact(staff):
    entry, organisation, person = _organisation_entry()

    outreach_change_stage(outreach=entry, stage=Stage.SIGNED, by=staff, note="Said yes by phone")

    signature = Signature.objects.get(ask=entry.ask)
    assert (signature.organisation, signature.contact) == (organisation, person)
    assert signature.role == "Director"
    assert signature.source == Signature.Source.STAFF
    assert signature.status == Signature.Status.CONFIRMED
    assert signature.public is False  # nobody consented to a listing
    assert signature.country == "DE"
    assert Signature.objects.counted().count() == 1
    entry.refresh_from_db()
    assert entry.stage == Stage.SIGNED
    move = Activity.objects.get(outreach=entry, kind=Activity.Kind.STAGE_CHANGE)
    assert (move.from_stage, move.to_stage, move.actor) == (Stage.INVITED, Stage.SIGNED, staff)
    assert move.summary == "Said yes by phone"
    assert Activity.objects.filter(outreach=entry, kind=Activity.Kind.SIGNATURE).count() == 1


def test_moving_an_individual_to_signed_records_their_own_signature(staff):
    person = make_contact("Mira", "Okafor")
    entry = make_outreach(contact=person, stage=Stage.FOLLOWED_UP)

    outreach_change_stage(outreach=entry, stage=Stage.SIGNED, by=staff)

    signature = Signature.objects.get(ask=entry.ask)
    assert signature.organisation is None
    assert signature.contact == person
    assert signature.display_name == "Mira Okafor"


def test_an_organisation_without_a_contact_person_signs_as_the_organisation(staff):
    entry = make_outreach(stage=Stage.INVITED)

    outreach_change_stage(outreach=entry, stage=Stage.SIGNED, by=staff)

    signature = Signature.objects.get(ask=entry.ask)
    assert (signature.organisation, signature.contact) == (entry.organisation, None)


def test_a_counted_signature_already_there_is_not_recorded_twice(staff):
    entry, organisation, person = _organisation_entry(stage=Stage.WITHDRAWN)
    earlier = signature_record(ask=entry.ask, organisation=organisation, contact=person)
    entry.refresh_from_db()
    assert entry.stage == Stage.SIGNED  # recording it moved the entry already
    outreach_change_stage(outreach=entry, stage=Stage.WITHDRAWN, by=staff)
    earlier.refresh_from_db()
    assert earlier.status == Signature.Status.WITHDRAWN

    outreach_change_stage(outreach=entry, stage=Stage.SIGNED, by=staff)

    assert Signature.objects.live().get(ask=entry.ask).pk != earlier.pk
    assert Signature.objects.filter(ask=entry.ask).count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": Signature.Status.PENDING}, SIGNATURE_AWAITS_CONFIRMATION),
        ({"awaiting_verification": True}, SIGNATURE_AWAITS_VERIFICATION),
    ],
)
def test_a_signature_from_the_public_page_not_yet_counted_is_not_overridden(staff, fields, message):
    entry, organisation, person = _organisation_entry()
    signature_record(
        ask=entry.ask,
        organisation=organisation,
        contact=person,
        display_name="Datenwerk e.V.",
        source=Signature.Source.PUBLIC_FORM,
        **fields,
    )

    with pytest.raises(ValidationError) as refused:
        outreach_change_stage(outreach=entry, stage=Stage.SIGNED, by=staff)

    assert refused.value.message_dict["stage"] == [message.format(name="Datenwerk e.V.")]
    entry.refresh_from_db()
    assert entry.stage == Stage.INVITED
    assert Signature.objects.counted().count() == 0


def test_an_ask_for_individuals_refuses_an_organisation_at_signed_and_saves_nothing(staff):
    entry, _, _ = _organisation_entry(signers=Ask.Signers.INDIVIDUALS)

    with pytest.raises(ValidationError, match="signed by individuals only"):
        outreach_change_stage(outreach=entry, stage=Stage.SIGNED, by=staff)

    entry.refresh_from_db()
    assert entry.stage == Stage.INVITED
    assert not Signature.objects.exists()
    assert not Activity.objects.filter(outreach=entry).exists()


def test_moving_a_signed_entry_to_withdrawn_withdraws_its_signature(staff):
    entry, organisation, person = _organisation_entry()
    outreach_change_stage(outreach=entry, stage=Stage.SIGNED, by=staff)

    outreach_change_stage(outreach=entry, stage=Stage.WITHDRAWN, by=staff)

    signature = Signature.objects.get(ask=entry.ask)
    assert signature.status == Signature.Status.WITHDRAWN
    assert signature.withdrawn_by == staff
    assert signature.status_reason == WITHDRAWN_ON_THE_PIPELINE
    entry.refresh_from_db()
    assert entry.stage == Stage.WITHDRAWN
    moves = Activity.objects.filter(outreach=entry, kind=Activity.Kind.STAGE_CHANGE)
    assert [m.to_stage for m in moves.order_by("pk")] == [Stage.SIGNED, Stage.WITHDRAWN]


def test_the_note_of_a_withdrawal_on_the_pipeline_is_the_signatures_reason(staff):
    entry, _, _ = _organisation_entry()
    outreach_change_stage(outreach=entry, stage=Stage.SIGNED, by=staff)

    outreach_change_stage(outreach=entry, stage=Stage.WITHDRAWN, by=staff, note="Board said no")

    assert Signature.objects.get(ask=entry.ask).status_reason == "Board said no"


def test_rejecting_a_counted_signature_takes_the_entry_off_signed(staff):
    entry, _, _ = _organisation_entry()
    outreach_change_stage(outreach=entry, stage=Stage.SIGNED, by=staff)

    signature_reject(signature=Signature.objects.get(), by=staff, reason="Not authorised")

    entry.refresh_from_db()
    assert entry.stage == Stage.WITHDRAWN
    assert_pipeline_and_signatures_agree()


def test_a_signer_added_to_the_pipeline_after_signing_joins_at_signed(staff):
    ask = make_ask()
    organisation, person = make_organisation(), make_contact()
    signature_record(ask=ask, organisation=organisation)
    signature_record(ask=ask, contact=person)

    added = outreach_add_targets(
        ask=ask, organisations=[organisation, make_organisation()], contacts=[person]
    )

    stages = sorted(entry.stage for entry in added.added)
    assert stages == [Stage.PROSPECT, Stage.SIGNED, Stage.SIGNED]
    assert_pipeline_and_signatures_agree()


def test_bulk_change_to_signed_records_each_signature_and_names_the_refused(staff):
    ask = make_ask(signers=Ask.Signers.ORGANISATIONS)
    organisation_entry = make_outreach(ask=ask, stage=Stage.INVITED)
    individual = make_outreach(ask=ask, contact=make_contact(), stage=Stage.INVITED)

    result = outreach_bulk_change_stage(
        entries=[organisation_entry, individual], stage=Stage.SIGNED, by=staff
    )

    assert [e.pk for e in result.moved] == [organisation_entry.pk]
    assert [(e.pk, reason) for e, reason in result.refused] == [
        (individual.pk, "This ask is signed by organisations only.")
    ]
    assert Signature.objects.get().organisation == organisation_entry.organisation


# --- Every door ------------------------------------------------------------------------


def test_the_board_move_to_signed_records_the_signature(staff_client, staff):
    entry, organisation, _ = _organisation_entry()

    staff_client.post(reverse("outreach:outreach-move", args=[entry.pk]), {"stage": "signed"})

    assert Signature.objects.counted().get().organisation == organisation
    assert Signature.objects.get().history.first().history_user == staff


def test_the_board_says_why_a_move_to_signed_is_refused(staff_client):
    entry, _, _ = _organisation_entry(signers=Ask.Signers.INDIVIDUALS)

    response = staff_client.post(
        reverse("outreach:outreach-move", args=[entry.pk]), {"stage": "signed"}, **HTMX
    )

    assert response.context["error"] == "Datenwerk: This ask is signed by individuals only."
    assert not Signature.objects.exists()


def test_the_bulk_page_move_to_signed_records_signatures(staff_client):
    entry, _, _ = _organisation_entry()

    staff_client.post(
        reverse("outreach:ask-bulk", args=[entry.ask.slug]),
        {"ids": [entry.pk], "action": "stage", "stage": "signed"},
    )

    assert Signature.objects.counted().count() == 1


def test_the_admin_action_to_signed_records_signatures(client, superuser):
    entry, _, _ = _organisation_entry()
    client.force_login(superuser)

    client.post(
        reverse("admin:outreach_outreach_changelist"),
        {"action": "move_to_signed", "_selected_action": [entry.pk]},
    )

    assert Signature.objects.counted().get().organisation == entry.organisation


def test_the_api_change_stage_to_signed_records_the_signature():
    entry, _, person = _organisation_entry()

    response = _api_as("campaigner").post(
        f"/api/v1/outreach/{entry.pk}/change-stage/", {"stage": "signed"}, format="json"
    )

    assert response.status_code == 200
    assert Signature.objects.counted().get().contact == person


# --- Attacks ----------------------------------------------------------------------------


def test_a_viewer_cannot_sign_anyone_by_moving_a_card(client):
    entry, _, _ = _organisation_entry()
    client.force_login(make_user(role="viewer"))

    board = client.post(reverse("outreach:outreach-move", args=[entry.pk]), {"stage": "signed"})
    bulk = client.post(
        reverse("outreach:ask-bulk", args=[entry.ask.slug]),
        {"ids": [entry.pk], "action": "stage", "stage": "signed"},
    )

    assert (board.status_code, bulk.status_code) == (403, 403)
    entry.refresh_from_db()
    assert entry.stage == Stage.INVITED
    assert not Signature.objects.exists()


def test_a_viewer_cannot_sign_anyone_through_the_api():
    entry, _, _ = _organisation_entry()

    response = _api_as("viewer").post(
        f"/api/v1/outreach/{entry.pk}/change-stage/", {"stage": "signed"}, format="json"
    )

    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_a_forged_bulk_post_with_another_asks_entry_signs_nothing(staff_client):
    entry, _, _ = _organisation_entry()
    other_ask = make_ask()

    response = staff_client.post(
        reverse("outreach:ask-bulk", args=[other_ask.slug]),
        {"ids": [entry.pk], "action": "stage", "stage": "signed"},
        follow=True,
    )

    assert "Select a valid choice" in response.content.decode()
    entry.refresh_from_db()
    assert entry.stage == Stage.INVITED
    assert not Signature.objects.exists()


# --- On the demo coalition ---------------------------------------------------------------


def test_on_the_demo_pipeline_and_signatures_agree_after_random_board_moves(settings, client):
    settings.DEBUG = True
    call_command("demo_setup", verbosity=0)
    assert_pipeline_and_signatures_agree()

    client.force_login(get_user_model().objects.get(username="campaigner"))
    rng = random.Random(23)
    entries = list(Outreach.objects.order_by("pk"))
    moved = 0
    for _ in range(150):
        entry = rng.choice(entries)
        entry.refresh_from_db()
        stage = rng.choice(sorted(TRANSITIONS[entry.stage]))
        client.post(reverse("outreach:outreach-move", args=[entry.pk]), {"stage": stage}, **HTMX)
        entry.refresh_from_db()
        moved += entry.stage == stage

    assert moved > 100  # most moves went through; the refused ones said why
    assert_pipeline_and_signatures_agree()
