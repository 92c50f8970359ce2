"""Every move of the pipeline table is allowed, every other move is refused."""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError

from outreach.models import TRANSITIONS, Activity, Outreach, Stage
from outreach.services import TRANSITION_REFUSED, outreach_change_stage
from tests.factories import make_outreach

pytestmark = pytest.mark.django_db

ALLOWED = [(a, b) for a, targets in TRANSITIONS.items() for b in targets]
REFUSED = [(a, b) for a, b in itertools.product(Stage, Stage) if a != b and b not in TRANSITIONS[a]]


def test_the_table_covers_every_stage():
    assert set(TRANSITIONS) == set(Stage)


@pytest.mark.parametrize(("from_stage", "to_stage"), ALLOWED)
def test_it_allows_the_move(from_stage, to_stage, staff):
    entry = make_outreach(stage=from_stage)

    outreach_change_stage(outreach=entry, stage=to_stage, by=staff, note="Spoke on the phone")

    entry.refresh_from_db()
    assert entry.stage == to_stage
    activity = Activity.objects.get(outreach=entry, kind=Activity.Kind.STAGE_CHANGE)
    assert (activity.from_stage, activity.to_stage) == (from_stage, to_stage)
    assert activity.actor == staff
    assert activity.summary == "Spoke on the phone"


@pytest.mark.parametrize(("from_stage", "to_stage"), REFUSED)
def test_it_refuses_the_move(from_stage, to_stage, staff):
    entry = make_outreach(stage=from_stage)

    with pytest.raises(ValidationError) as refused:
        outreach_change_stage(outreach=entry, stage=to_stage, by=staff)

    assert refused.value.message_dict["stage"] == [
        TRANSITION_REFUSED.format(from_stage=from_stage.label, to_stage=to_stage.label)
    ]
    entry.refresh_from_db()
    assert entry.stage == from_stage
    assert not Activity.objects.exists()


def test_it_does_nothing_when_already_there(staff):
    entry = make_outreach(stage=Stage.INVITED)

    outreach_change_stage(outreach=entry, stage=Stage.INVITED, by=staff)

    assert not Activity.objects.exists()


def test_it_refuses_a_stage_that_does_not_exist(staff):
    with pytest.raises(ValidationError, match="not a pipeline stage"):
        outreach_change_stage(outreach=make_outreach(), stage="maybe", by=staff)


def test_inviting_records_when_and_a_closed_entry_plans_no_follow_up(staff):
    entry = make_outreach(next_follow_up_on=datetime.date(2026, 12, 1))
    outreach_change_stage(outreach=entry, stage=Stage.INVITED, by=staff)
    entry.refresh_from_db()
    assert entry.invited_at is not None
    assert entry.next_follow_up_on == datetime.date(2026, 12, 1)

    outreach_change_stage(outreach=entry, stage=Stage.DECLINED, by=staff)
    entry.refresh_from_db()
    assert entry.next_follow_up_on is None


def test_the_change_is_in_the_audit_trail_with_who_made_it(staff):
    entry = make_outreach()
    outreach_change_stage(outreach=entry, stage=Stage.INVITED, by=staff)

    latest = Outreach.history.filter(id=entry.pk).latest("history_date")
    assert latest.stage == Stage.INVITED
    assert latest.history_user == staff
