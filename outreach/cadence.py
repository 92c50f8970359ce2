"""The follow-up cadence of an ask: when the next reminder is due.

First reminder N business days after the invitation (weekends and the ask's holidays
skipped), then one every M days (moved forward to the next business day when it falls on
a weekend or holiday), at most K reminders; after the last one the entry waits M more days
and then counts as "no response" (see `manage.py outreach_due`).
"""

import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, FR, MO, TH, TU, WE, rrule

_WEEKDAYS = (MO, TU, WE, TH, FR)


def _business_days_after(day, holidays):
    """Business days strictly after `day`, in order, forever."""
    start = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    for moment in rrule(DAILY, byweekday=_WEEKDAYS, dtstart=start):
        if moment.date() not in holidays:
            yield moment.date()


def is_business_day(day, holidays=frozenset()):
    return day.weekday() < 5 and day not in holidays


def add_business_days(day, count, holidays=frozenset()):
    """The `count`-th business day after `day` (`day` itself when count is 0)."""
    if count <= 0:
        return day
    for n, business_day in enumerate(_business_days_after(day, holidays), start=1):
        if n == count:
            return business_day
    raise AssertionError("unreachable: business days never run out")  # pragma: no cover


def next_business_day_from(day, holidays=frozenset()):
    """`day` when it is a business day, else the first business day after it."""
    if is_business_day(day, holidays):
        return day
    return next(_business_days_after(day, holidays))


@dataclass(frozen=True)
class Cadence:
    first_after: int
    every: int
    max_reminders: int
    holidays: frozenset = field(default_factory=frozenset)

    @classmethod
    def for_ask(cls, ask, holidays=None):
        if holidays is None:
            holidays = ask.holidays.values_list("day", flat=True)
        return cls(
            first_after=ask.first_reminder_after,
            every=ask.reminder_every,
            max_reminders=ask.max_reminders,
            holidays=frozenset(holidays),
        )

    def after_invitation(self, invited_on):
        """When the first reminder is due (with no reminders allowed: when to give up)."""
        if self.max_reminders == 0:
            return self.after_reminder(invited_on)
        return add_business_days(invited_on, max(self.first_after, 1), self.holidays)

    def after_reminder(self, reminded_on):
        """When the next reminder is due, or after the last one, when to give up."""
        return next_business_day_from(
            reminded_on + relativedelta(days=max(self.every, 1)), self.holidays
        )
