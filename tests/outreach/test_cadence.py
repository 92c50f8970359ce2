"""The follow-up cadence over many dates: weekends, holidays, month ends, leap days."""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.cadence import Cadence, add_business_days, is_business_day, next_business_day_from

days = st.dates(min_value=datetime.date(1999, 1, 1), max_value=datetime.date(2100, 12, 31))
holiday_sets = st.frozensets(days, max_size=30)
# Dates right around month ends and 29 February, where calendar arithmetic goes wrong.
edge_days = st.sampled_from(
    [
        datetime.date(2024, 2, 28),
        datetime.date(2024, 2, 29),
        datetime.date(2023, 2, 28),
        datetime.date(2000, 2, 29),
        datetime.date(2100, 2, 28),
        datetime.date(2025, 12, 31),
        datetime.date(2026, 1, 30),
        datetime.date(2026, 4, 30),
    ]
)
any_day = st.one_of(days, edge_days)


def _business_days_between(start, end, holidays):
    """Business days in (start, end]."""
    n, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        n += is_business_day(day, holidays)
    return n


@settings(max_examples=200, deadline=None)
@given(start=any_day, count=st.integers(min_value=1, max_value=30), holidays=holiday_sets)
def test_adding_business_days_lands_on_the_nth_business_day(start, count, holidays):
    result = add_business_days(start, count, holidays)

    assert result > start
    assert is_business_day(result, holidays)
    assert result.weekday() < 5
    assert result not in holidays
    assert _business_days_between(start, result, holidays) == count


@settings(max_examples=200, deadline=None)
@given(day=any_day, holidays=holiday_sets)
def test_the_next_business_day_skips_only_weekends_and_holidays(day, holidays):
    result = next_business_day_from(day, holidays)

    assert result >= day
    assert is_business_day(result, holidays)
    assert _business_days_between(day - datetime.timedelta(days=1), result, holidays) == 1


@settings(max_examples=200, deadline=None)
@given(
    invited=any_day,
    first=st.integers(min_value=1, max_value=20),
    every=st.integers(min_value=1, max_value=30),
    reminders=st.integers(min_value=1, max_value=5),
    holidays=holiday_sets,
)
def test_a_whole_cadence_moves_forward_on_business_days(invited, first, every, reminders, holidays):
    cadence = Cadence(first_after=first, every=every, max_reminders=reminders, holidays=holidays)

    due = cadence.after_invitation(invited)
    assert _business_days_between(invited, due, holidays) == first
    for _ in range(reminders):
        following = cadence.after_reminder(due)
        assert following >= due + datetime.timedelta(days=every)
        assert is_business_day(following, holidays)
        # Never later than needed: every day skipped past the M days is a day off.
        gap = following - (due + datetime.timedelta(days=every))
        for offset in range(gap.days):
            skipped = due + datetime.timedelta(days=every + offset)
            assert not is_business_day(skipped, holidays)
        due = following


def test_a_friday_invitation_is_followed_up_the_next_friday_at_five_business_days():
    cadence = Cadence(first_after=5, every=7, max_reminders=2)
    assert cadence.after_invitation(datetime.date(2026, 11, 27)) == datetime.date(2026, 12, 4)


def test_holidays_push_the_first_reminder_back():
    christmas = frozenset({datetime.date(2026, 12, 25), datetime.date(2026, 12, 28)})
    cadence = Cadence(first_after=2, every=7, max_reminders=2, holidays=christmas)
    # Wed 23 Dec + 2 business days: Thu 24, (Fri 25 holiday, weekend, Mon 28 holiday) Tue 29
    assert cadence.after_invitation(datetime.date(2026, 12, 23)) == datetime.date(2026, 12, 29)


def test_a_reminder_falling_on_a_weekend_moves_to_monday():
    cadence = Cadence(first_after=5, every=7, max_reminders=2)
    assert cadence.after_reminder(datetime.date(2024, 2, 24)) == datetime.date(2024, 3, 4)
    assert cadence.after_reminder(datetime.date(2024, 2, 22)) == datetime.date(2024, 2, 29)


def test_without_reminders_the_wait_after_the_invitation_is_the_interval():
    cadence = Cadence(first_after=5, every=10, max_reminders=0)
    assert cadence.after_invitation(datetime.date(2026, 3, 2)) == datetime.date(2026, 3, 12)
