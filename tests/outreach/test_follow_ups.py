"""Invitations, reminders, logged activities and `manage.py outreach_due`."""

import datetime
import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from outreach.models import Activity, AskHoliday, Stage
from outreach.services import (
    INVITE_FIRST,
    outreach_assign_owner,
    outreach_bulk_change_stage,
    outreach_invite,
    outreach_log_activity,
    outreach_log_follow_up,
    outreach_set_follow_up,
)
from tests.factories import make_ask, make_outreach, make_user

pytestmark = pytest.mark.django_db

# Wednesday 2 December 2026, 10:00 in Brussels.
WEDNESDAY = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)


def test_inviting_moves_to_invited_and_plans_the_first_reminder(staff):
    ask = make_ask(first_reminder_after=3, reminder_every=7, max_reminders=2)
    AskHoliday.objects.create(ask=ask, day=datetime.date(2026, 12, 4))
    entry = make_outreach(ask=ask)

    entry = outreach_invite(outreach=entry, by=staff, at=WEDNESDAY)

    assert entry.stage == Stage.INVITED
    # Thu 3, (Fri 4 holiday, weekend) Mon 7, Tue 8
    assert entry.next_follow_up_on == datetime.date(2026, 12, 8)
    kinds = list(entry.activities.values_list("kind", flat=True).order_by("pk"))
    assert kinds == [Activity.Kind.INVITATION, Activity.Kind.STAGE_CHANGE]


def test_a_reminder_moves_to_followed_up_counts_and_advances_the_cadence(staff):
    entry = make_outreach(ask=make_ask(reminder_every=7), stage=Stage.INVITED)

    entry = outreach_log_follow_up(outreach=entry, by=staff, at=WEDNESDAY)
    assert (entry.stage, entry.follow_up_count) == (Stage.FOLLOWED_UP, 1)
    assert entry.next_follow_up_on == datetime.date(2026, 12, 9)

    entry = outreach_log_follow_up(outreach=entry, by=staff, at=WEDNESDAY)
    assert (entry.stage, entry.follow_up_count) == (Stage.FOLLOWED_UP, 2)
    assert entry.activities.filter(kind=Activity.Kind.REMINDER).count() == 2


@pytest.mark.parametrize("stage", [Stage.SIGNED, Stage.DECLINED, Stage.WITHDRAWN, Stage.PROSPECT])
def test_no_reminder_for_prospects_or_closed_entries(stage, staff):
    entry = make_outreach(stage=stage)

    with pytest.raises(ValidationError) as error:
        outreach_log_follow_up(outreach=entry, by=staff)

    entry.refresh_from_db()
    assert entry.follow_up_count == 0
    assert not entry.activities.exists()
    if stage == Stage.PROSPECT:
        assert INVITE_FIRST in error.value.messages


def test_logging_a_call_and_refusing_a_stage_change_kind(staff):
    entry = make_outreach()
    activity = outreach_log_activity(
        outreach=entry, kind=Activity.Kind.CALL, summary="Will ask the board", by=staff
    )
    assert activity.actor == staff
    with pytest.raises(ValidationError):
        outreach_log_activity(outreach=entry, kind=Activity.Kind.STAGE_CHANGE, by=staff)


def test_bulk_owner_and_follow_up_are_recorded_in_the_history(staff):
    colleague = make_user("colleague")
    entries = [make_outreach() for _ in range(3)]
    day = datetime.date(2026, 12, 24)

    assert outreach_assign_owner(entries=entries, owner=colleague, by=staff) == 3
    assert outreach_assign_owner(entries=entries, owner=colleague, by=staff) == 0
    assert outreach_set_follow_up(entries=entries, on=day, by=staff) == 3

    entries[0].refresh_from_db()
    assert (entries[0].owner, entries[0].next_follow_up_on) == (colleague, day)
    assert entries[0].history.first().history_user == staff


def test_bulk_stage_change_moves_what_it_may_and_names_the_rest(staff):
    invited = make_outreach(stage=Stage.INVITED)
    signed = make_outreach(stage=Stage.SIGNED)
    already = make_outreach(stage=Stage.DECLINED)

    result = outreach_bulk_change_stage(
        entries=[invited, signed, already], stage=Stage.DECLINED, by=staff
    )

    assert [e.pk for e in result.moved] == [invited.pk]
    assert result.unchanged == [already]
    [(entry, message)] = result.refused
    assert entry == signed
    assert "“Signed” cannot move to “Declined”" in message


def _run_due(day, *args):
    out = StringIO()
    call_command("outreach_due", "--date", day.isoformat(), *args, stdout=out)
    return out.getvalue()


def test_outreach_due_lists_per_owner_and_closes_exhausted_entries_once(staff):
    ask = make_ask(max_reminders=2)
    day = datetime.date(2026, 12, 10)
    due = make_outreach(ask=ask, stage=Stage.INVITED, owner=staff, next_follow_up_on=day)
    late = make_outreach(
        ask=ask,
        stage=Stage.FOLLOWED_UP,
        follow_up_count=1,
        owner=staff,
        next_follow_up_on=day - datetime.timedelta(days=2),
    )
    exhausted = make_outreach(
        ask=ask, stage=Stage.FOLLOWED_UP, follow_up_count=2, next_follow_up_on=day
    )
    later = make_outreach(
        ask=ask, stage=Stage.FOLLOWED_UP, follow_up_count=2, next_follow_up_on=day.replace(day=11)
    )

    first = json.loads(_run_due(day, "--json"))

    assert [row["id"] for row in first["moved_to_no_response"]] == [exhausted.pk]
    [owner] = first["owners"]
    assert owner["owner"] == "campaigner"
    assert [(r["id"], r["overdue"]) for r in owner["follow_ups"]] == [
        (late.pk, True),
        (due.pk, False),
    ]
    exhausted.refresh_from_db()
    assert (exhausted.stage, exhausted.next_follow_up_on) == (Stage.NO_RESPONSE, None)
    later.refresh_from_db()
    assert later.stage == Stage.FOLLOWED_UP

    activities = Activity.objects.count()
    second = json.loads(_run_due(day, "--json"))
    assert second["moved_to_no_response"] == []
    assert second["owners"] == first["owners"]
    assert Activity.objects.count() == activities


def test_outreach_due_prints_text_and_rejects_a_bad_date(staff):
    make_outreach(stage=Stage.INVITED, owner=staff, next_follow_up_on=timezone.localdate())
    text = _run_due(timezone.localdate())
    assert "campaigner" in text and "Follow-ups due on" in text
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("outreach_due", "--date", "31/12/2026")
