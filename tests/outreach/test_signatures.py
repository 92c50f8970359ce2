"""signature_record: one live signature per signer, and the pipeline follows."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from outreach.models import Activity, Ask, Signature, Stage
from outreach.services import (
    ASK_TAKES_NO_INDIVIDUALS,
    SIGNER_MISSING,
    signature_record,
    signature_withdraw,
)
from tests.factories import make_ask, make_contact, make_organisation, make_outreach

pytestmark = pytest.mark.django_db

DAY_ONE = datetime.datetime(2026, 10, 12, 9, 30, tzinfo=datetime.UTC)


def test_signing_moves_the_matching_outreach_to_signed(staff):
    entry = make_outreach(stage=Stage.INVITED)

    signature = signature_record(ask=entry.ask, organisation=entry.organisation, by=staff)

    entry.refresh_from_db()
    assert entry.stage == Stage.SIGNED
    assert signature.status == Signature.Status.CONFIRMED
    assert signature.display_name == entry.organisation.name
    assert Activity.objects.filter(outreach=entry, kind=Activity.Kind.SIGNATURE).exists()


def test_an_individual_signature_moves_the_individual_entry(staff):
    person = make_contact(first_name="Zoë", last_name="Kowalska")
    entry = make_outreach(contact=person, stage=Stage.FOLLOWED_UP)

    signature_record(ask=entry.ask, contact=person, affiliation_text="University of X", by=staff)

    entry.refresh_from_db()
    assert entry.stage == Stage.SIGNED


def test_signing_twice_keeps_one_signature_and_the_earliest_date(staff):
    ask = make_ask()
    organisation = make_organisation()
    signature_record(ask=ask, organisation=organisation, signed_at=DAY_ONE, by=staff)

    later = DAY_ONE + datetime.timedelta(days=3)
    again = signature_record(
        ask=ask, organisation=organisation, signed_at=later, public=True, by=staff
    )

    assert Signature.objects.count() == 1
    assert again.signed_at == DAY_ONE
    assert again.public is True


def test_a_person_signing_for_an_organisation_may_also_sign_as_an_individual(staff):
    ask = make_ask()
    person = make_contact()
    signature_record(ask=ask, organisation=make_organisation(), contact=person, by=staff)
    signature_record(ask=ask, contact=person, by=staff)

    assert Signature.objects.count() == 2


def test_a_pending_signature_does_not_move_the_pipeline(staff):
    entry = make_outreach(stage=Stage.INVITED)

    signature_record(
        ask=entry.ask,
        organisation=entry.organisation,
        status=Signature.Status.PENDING,
        by=staff,
    )

    entry.refresh_from_db()
    assert entry.stage == Stage.INVITED


def test_an_error_midway_leaves_neither_signature_nor_stage_change(staff):
    entry = make_outreach(stage=Stage.INVITED)

    with (
        mock.patch("outreach.services._move", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        signature_record(ask=entry.ask, organisation=entry.organisation, by=staff)

    entry.refresh_from_db()
    assert entry.stage == Stage.INVITED
    assert not Signature.objects.exists()
    assert not Activity.objects.exists()


def test_an_error_in_the_stage_change_rolls_back_the_update_of_an_existing_signature(staff):
    entry = make_outreach(stage=Stage.INVITED)
    pending = signature_record(
        ask=entry.ask,
        organisation=entry.organisation,
        status=Signature.Status.PENDING,
        by=staff,
    )

    with (
        mock.patch.object(Activity.objects, "create", side_effect=IntegrityError("disk full")),
        pytest.raises(IntegrityError),
    ):
        signature_record(ask=entry.ask, organisation=entry.organisation, by=staff)

    pending.refresh_from_db()
    entry.refresh_from_db()
    assert pending.status == Signature.Status.PENDING
    assert entry.stage == Stage.INVITED


def test_a_signature_needs_a_signer(staff):
    with pytest.raises(ValidationError) as refused:
        signature_record(ask=make_ask(), by=staff)
    assert refused.value.messages == [SIGNER_MISSING]


def test_an_organisations_only_ask_refuses_individuals(staff):
    ask = make_ask(signers=Ask.Signers.ORGANISATIONS)
    with pytest.raises(ValidationError) as refused:
        signature_record(ask=ask, contact=make_contact(), by=staff)
    assert refused.value.messages == [ASK_TAKES_NO_INDIVIDUALS]
    assert not Signature.objects.exists()


def test_the_database_refuses_a_second_live_signature():
    ask, organisation = make_ask(), make_organisation()
    Signature.objects.create(ask=ask, organisation=organisation, display_name="X")
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(
            ask=ask, organisation=organisation, display_name="X", status="pending"
        )


def test_the_database_refuses_a_second_live_individual_signature():
    ask, person = make_ask(), make_contact()
    Signature.objects.create(ask=ask, contact=person, display_name="X")
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(ask=ask, contact=person, display_name="X")


def test_withdrawn_and_rejected_signatures_do_not_block_signing_again(staff):
    ask, organisation = make_ask(), make_organisation()
    for status in (Signature.Status.WITHDRAWN, Signature.Status.REJECTED):
        Signature.objects.create(
            ask=ask, organisation=organisation, display_name="X", status=status
        )

    signature_record(ask=ask, organisation=organisation, by=staff)

    assert Signature.objects.live().count() == 1


def test_a_signature_names_an_organisation_or_a_person():
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(ask=make_ask(), display_name="Nobody")


def test_withdrawing_moves_the_outreach_to_withdrawn(staff):
    entry = make_outreach(stage=Stage.INVITED)
    signature = signature_record(ask=entry.ask, organisation=entry.organisation, by=staff)

    signature_withdraw(signature=signature, by=staff, reason="Board decision")

    signature.refresh_from_db()
    entry.refresh_from_db()
    assert signature.status == Signature.Status.WITHDRAWN
    assert signature.status_reason == "Board decision"
    assert entry.stage == Stage.WITHDRAWN
    assert not Signature.objects.for_public_listing().exists()
