"""The growth series: confirmed signatories per local day or week, against hand-computed
figures (gaps, withdrawals, the 23:30 and DST boundaries, partial periods)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outreach import reports
from outreach.models import Signature
from outreach.services import signature_record, signature_withdraw
from tests.factories import make_ask, make_contact, make_organisation

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")


def at(day, hour=12, minute=0):
    """A Brussels wall-clock time."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BRUSSELS)


def d(text):
    return datetime.date.fromisoformat(text)


def sign(ask, when, *, individual=False, **fields):
    if individual:
        return signature_record(ask=ask, contact=make_contact(), signed_at=when, **fields)
    return signature_record(ask=ask, organisation=make_organisation(), signed_at=when, **fields)


def rows(growth):
    return [
        (p.period.isoformat(), p.new, p.cumulative, p.organisations, p.individuals)
        for p in growth.points
    ]


def test_it_counts_per_day_with_gaps_and_running_totals():
    ask = make_ask(opens_on=d("2026-03-02"))
    sign(ask, at(d("2026-03-02"), 9))
    sign(ask, at(d("2026-03-02"), 17), individual=True)
    sign(ask, at(d("2026-03-05"), 10))  # 3 and 4 March: nothing

    growth = reports.growth_series(ask=ask, by="day", end=d("2026-03-06"), today=d("2026-03-10"))

    assert rows(growth) == [
        ("2026-03-02", 2, 2, 1, 1),
        ("2026-03-03", 0, 2, 1, 1),
        ("2026-03-04", 0, 2, 1, 1),
        ("2026-03-05", 1, 3, 2, 1),
        ("2026-03-06", 0, 3, 2, 1),
    ]
    assert not any(p.partial for p in growth.points)


def test_withdrawn_rejected_and_pending_signatures_do_not_count():
    ask = make_ask(opens_on=d("2026-03-02"))
    kept = sign(ask, at(d("2026-03-02")))
    withdrawn = sign(ask, at(d("2026-03-02")))
    signature_withdraw(signature=withdrawn, reason="Changed their mind")
    sign(ask, at(d("2026-03-03")), status=Signature.Status.PENDING)
    sign(ask, at(d("2026-03-03")), status=Signature.Status.REJECTED)

    growth = reports.growth_series(ask=ask, end=d("2026-03-03"), today=d("2026-03-10"))

    assert rows(growth) == [("2026-03-02", 1, 1, 1, 0), ("2026-03-03", 0, 1, 1, 0)]
    assert growth.total == 1 == Signature.objects.confirmed().filter(ask=ask).count()
    assert kept.status == Signature.Status.CONFIRMED


def test_a_signature_at_23_30_local_time_counts_on_that_local_day():
    ask = make_ask(opens_on=d("2026-01-14"))
    sign(ask, at(d("2026-01-14"), 23, 30))  # 22:30 UTC, winter
    sign(ask, at(d("2026-07-14"), 23, 30))  # 21:30 UTC, summer
    sign(ask, at(d("2026-07-15"), 0, 15))  # 22:15 UTC on the 14th

    growth = reports.growth_series(ask=ask, today=d("2026-08-01"))
    new_on = {p.period.isoformat(): p.new for p in growth.points if p.new}

    assert new_on == {"2026-01-14": 1, "2026-07-14": 1, "2026-07-15": 1}


def test_days_around_the_clock_changes_are_local_days():
    # Brussels: 29 March 2026 has 23 hours, 25 October 2026 has 25 hours.
    ask = make_ask(opens_on=d("2026-03-28"))
    for when in (
        at(d("2026-03-28"), 23, 30),
        at(d("2026-03-29"), 0, 30),
        at(d("2026-03-29"), 23, 30),
        at(d("2026-10-24"), 23, 30),
        datetime.datetime(2026, 10, 24, 23, 30, tzinfo=datetime.UTC),  # 01:30 CEST on the 25th
        datetime.datetime(2026, 10, 25, 1, 30, tzinfo=datetime.UTC),  # 02:30 CET on the 25th
        at(d("2026-10-25"), 23, 30),  # 22:30 UTC: the 25-hour day's last hour
        at(d("2026-10-26"), 0, 30),
        datetime.datetime(2026, 10, 26, 23, 59, 59, 999999, tzinfo=BRUSSELS),
    ):
        sign(ask, when)

    growth = reports.growth_series(ask=ask, end=d("2026-10-27"), today=d("2026-11-01"))
    new_on = {p.period.isoformat(): p.new for p in growth.points if p.new}

    assert new_on == {
        "2026-03-28": 1,
        "2026-03-29": 2,
        "2026-10-24": 1,
        "2026-10-25": 3,
        "2026-10-26": 2,
    }
    assert growth.points[-1].cumulative == 9


def test_weeks_run_monday_to_sunday_and_the_current_one_is_partial():
    ask = make_ask(opens_on=d("2026-03-04"))  # a Wednesday
    sign(ask, at(d("2026-03-04")))
    sign(ask, at(d("2026-03-08"), 23, 30))  # Sunday night: still that week
    sign(ask, at(d("2026-03-09"), 8))  # Monday
    sign(ask, at(d("2026-03-17")))  # the week of "today"

    growth = reports.growth_series(ask=ask, by="week", today=d("2026-03-18"))

    assert rows(growth) == [
        ("2026-03-02", 2, 2, 2, 0),
        ("2026-03-09", 1, 3, 3, 0),
        ("2026-03-16", 1, 4, 4, 0),
    ]
    # The first week starts before the range (cut), the last one has not ended.
    assert [p.partial for p in growth.points] == [True, False, True]
    assert growth.this_week == 1


def test_today_is_a_partial_day():
    ask = make_ask(opens_on=d("2026-03-16"))
    sign(ask, at(d("2026-03-17")))

    growth = reports.growth_series(ask=ask, today=d("2026-03-17"))

    assert [(p.period.isoformat(), p.partial) for p in growth.points] == [
        ("2026-03-16", False),
        ("2026-03-17", True),
    ]


def test_a_range_starts_from_the_signatories_gathered_before_it():
    ask = make_ask(opens_on=d("2026-03-01"))
    sign(ask, at(d("2026-03-01")))
    sign(ask, at(d("2026-03-02")), individual=True)
    sign(ask, at(d("2026-03-10")))
    sign(ask, at(d("2026-03-20")))

    growth = reports.growth_series(
        ask=ask, start=d("2026-03-09"), end=d("2026-03-11"), today=d("2026-04-01")
    )

    assert rows(growth) == [
        ("2026-03-09", 0, 2, 1, 1),
        ("2026-03-10", 1, 3, 2, 1),
        ("2026-03-11", 0, 3, 2, 1),
    ]
    assert growth.total == 4


def test_it_counts_one_ask_only_and_all_asks_together():
    ask, other = make_ask(opens_on=d("2026-03-01")), make_ask(opens_on=d("2026-03-01"))
    sign(ask, at(d("2026-03-01")))
    sign(other, at(d("2026-03-01")))
    sign(other, at(d("2026-03-02")))

    one = reports.growth_series(ask=ask, end=d("2026-03-02"), today=d("2026-04-01"))
    overview = reports.asks_overview(end=d("2026-03-02"), today=d("2026-04-01"))

    assert one.points[-1].cumulative == 1
    assert [(p.new, p.cumulative) for p in overview.growth.points] == [(2, 2), (1, 3)]
    totals = {summary.ask.pk: summary.total for summary in overview.asks}
    assert totals == {ask.pk: 1, other.pk: 2}


def test_the_growth_series_takes_two_queries():
    ask = make_ask(opens_on=d("2026-03-01"))
    sign(ask, at(d("2026-03-01")))

    with CaptureQueriesContext(connection) as queries:
        reports.growth_series(ask=ask, by="week", today=d("2026-04-01"))

    assert len(queries) == 2
    # No per-row Python: neither Django's SQLite helper functions nor TruncDate there.
    assert not any("django_" in query["sql"] for query in queries)


def test_the_sqlite_local_day_expression_matches_python_for_every_hour_of_a_year():
    """The SQL-only local day agrees with zoneinfo at every hour across both DST
    changes (on PostgreSQL, AT TIME ZONE does the same)."""
    ask = make_ask()
    organisations = Signature.objects.none()
    start = datetime.datetime(2026, 3, 27, 20, 5, tzinfo=datetime.UTC)
    instants = [start + datetime.timedelta(hours=h) for h in range(0, 72)]
    fall = datetime.datetime(2026, 10, 23, 20, 35, tzinfo=datetime.UTC)
    instants += [fall + datetime.timedelta(hours=h) for h in range(0, 72)]
    Signature.objects.bulk_create(
        Signature(ask=ask, organisation=make_organisation(), display_name="x", signed_at=when)
        for when in instants
    )
    organisations = Signature.objects.filter(ask=ask)
    first, last = d("2026-03-27"), d("2026-10-27")
    expression = reports.local_day_expression(organisations, "signed_at", first, last)

    found = dict(organisations.annotate(day=expression).values_list("signed_at", "day"))

    assert found == {when: when.astimezone(BRUSSELS).date() for when in instants}
