"""API writes go through the services: same invariants, same activities as the staff pages."""

import pytest

from outreach.models import Activity, Outreach, Signature, Stage
from outreach.services import TRANSITION_REFUSED
from tests.factories import make_ask, make_contact, make_organisation, make_outreach

pytestmark = pytest.mark.django_db


def test_changing_stage_logs_the_same_activity_as_the_ui(api):
    client = api("campaigner")
    entry = make_outreach()

    response = client.post(
        f"/api/v1/outreach/{entry.pk}/change-stage/",
        {"stage": "invited", "note": "Sent by the mailing tool"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["stage"] == "invited"
    activity = Activity.objects.get(outreach=entry)
    assert (activity.kind, activity.from_stage, activity.to_stage) == (
        Activity.Kind.STAGE_CHANGE,
        Stage.PROSPECT,
        Stage.INVITED,
    )
    assert activity.actor == client.user
    assert Outreach.history.filter(id=entry.pk, history_user=client.user).exists()


def test_a_refused_move_is_a_400_saying_why(api):
    entry = make_outreach(stage=Stage.SIGNED)

    response = api("campaigner").post(
        f"/api/v1/outreach/{entry.pk}/change-stage/", {"stage": "invited"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "stage": [TRANSITION_REFUSED.format(from_stage="Signed", to_stage="Invited")]
    }


def test_the_stage_cannot_be_set_by_editing_the_entry(api):
    entry = make_outreach()

    response = api("campaigner").patch(
        f"/api/v1/outreach/{entry.pk}/", {"stage": "signed", "notes": "Call back"}, format="json"
    )

    entry.refresh_from_db()
    assert response.status_code == 200
    assert entry.stage == Stage.PROSPECT
    assert entry.notes == "Call back"


def test_recording_a_signature_moves_the_pipeline_and_a_repeat_updates_it(api):
    client = api("campaigner")
    entry = make_outreach(stage=Stage.INVITED)
    payload = {"ask": entry.ask.pk, "organisation": entry.organisation.pk, "public": True}

    first = client.post("/api/v1/signatures/", payload, format="json")
    again = client.post("/api/v1/signatures/", {**payload, "public": False}, format="json")

    assert first.status_code == 201, first.content
    assert again.status_code == 200
    assert Signature.objects.count() == 1
    assert Signature.objects.get().public is False
    entry.refresh_from_db()
    assert entry.stage == Stage.SIGNED


def test_a_signature_without_a_signer_is_a_400(api):
    response = api("campaigner").post("/api/v1/signatures/", {"ask": make_ask().pk}, format="json")
    assert response.status_code == 400
    assert "organisation or a person" in str(response.json())


def test_withdrawing_a_signature_through_the_api(api):
    client = api("campaigner")
    entry = make_outreach(stage=Stage.INVITED)
    created = client.post(
        "/api/v1/signatures/",
        {"ask": entry.ask.pk, "organisation": entry.organisation.pk},
        format="json",
    ).json()

    response = client.post(
        f"/api/v1/signatures/{created['id']}/withdraw/", {"reason": "Board decision"}, format="json"
    )

    assert response.json()["status"] == "withdrawn"
    entry.refresh_from_db()
    assert entry.stage == Stage.WITHDRAWN


def test_adding_targets_in_bulk_skips_those_already_there(api):
    client = api("coordinator")
    ask = make_ask()
    organisations = [make_organisation().pk for _ in range(3)]
    person = make_contact().pk

    first = client.post(
        f"/api/v1/asks/{ask.pk}/targets/",
        {"organisations": organisations, "contacts": [person]},
        format="json",
    )
    again = client.post(
        f"/api/v1/asks/{ask.pk}/targets/", {"organisations": organisations}, format="json"
    )

    assert first.status_code == 201
    assert first.json() == {"added": 4, "skipped": 0}
    assert again.json() == {"added": 0, "skipped": 3}
    assert Outreach.objects.filter(ask=ask).count() == 4


def test_a_duplicate_email_is_refused_naming_the_field(api):
    make_contact(email="ana@x.org")

    response = api("campaigner").post(
        "/api/v1/contacts/", {"first_name": "Ana", "email": " Ana@X.org"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"email": ["A contact with this e-mail already exists."]}


def test_a_duplicate_the_database_catches_is_a_409(api, monkeypatch):
    from crm.models import Contact

    make_contact(email="ana@x.org")
    # As if another request created the same address between validation and saving.
    monkeypatch.setattr(Contact, "validate_constraints", lambda self, exclude=None: None)

    response = api("campaigner").post(
        "/api/v1/contacts/", {"first_name": "Ana", "email": "ana@x.org"}, format="json"
    )

    assert response.status_code == 409


def test_unknown_fields_and_wrong_types_are_named(api):
    response = api("coordinator").post(
        "/api/v1/asks/", {"title": "X", "slug": "x", "target_count": "lots"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"campaign", "target_count"}


def test_logging_a_call_records_who(api):
    client = api("campaigner")
    entry = make_outreach()

    response = client.post(
        "/api/v1/activities/",
        {"kind": "call", "outreach": entry.pk, "summary": "Will bring it to the board"},
        format="json",
    )

    assert response.status_code == 201
    assert Activity.objects.get().actor == client.user


def test_stage_changes_cannot_be_forged_as_activities(api):
    response = api("campaigner").post(
        "/api/v1/activities/",
        {"kind": "stage_change", "outreach": make_outreach().pk},
        format="json",
    )
    assert response.status_code == 400
