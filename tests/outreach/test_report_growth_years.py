"""A growth series spanning years: months when no period is asked for, and labels that
name the year whenever the series runs over more than one."""

import pytest

from outreach import charts, reports
from tests.factories import make_ask
from tests.outreach.test_report_growth import at, d, rows, sign

pytestmark = pytest.mark.django_db


def _five_years():
    ask = make_ask(opens_on=d("2021-09-27"))
    sign(ask, at(d("2021-09-27")))
    sign(ask, at(d("2023-02-14")), individual=True)
    sign(ask, at(d("2026-03-31"), 23, 30))  # the last evening of March, locally
    return ask


def test_a_multi_year_range_is_shown_by_month_when_no_period_is_asked():
    growth = reports.growth_series(ask=_five_years(), by=None, today=d("2026-04-15"))

    assert growth.by == reports.MONTH
    assert len(growth.points) == 56  # Sep 2021 … Apr 2026
    assert rows(growth)[:2] == [("2021-09-01", 1, 1, 1, 0), ("2021-10-01", 0, 1, 1, 0)]
    march = next(p for p in growth.points if p.period == d("2026-03-01"))
    assert (march.period_end, march.new, march.cumulative) == (d("2026-03-31"), 1, 3)
    assert growth.points[0].partial and growth.points[-1].partial  # cut, and not over


def test_a_range_of_some_months_stays_weekly_and_a_short_one_daily():
    assert reports.choose_period(None, d("2026-01-01"), d("2026-12-31")) == reports.WEEK
    assert reports.choose_period(None, d("2026-01-01"), d("2026-02-01")) == reports.DAY
    assert reports.choose_period(None, d("2025-01-01"), d("2026-03-01")) == reports.MONTH
    assert reports.choose_period(reports.WEEK, d("2021-01-01"), d("2026-03-01")) == "week"


def test_monthly_labels_carry_the_year():
    growth = reports.growth_series(ask=_five_years(), by=None, today=d("2026-04-15"))

    chart = charts.growth_chart(growth)

    labels = [tick.label for tick in chart.x_ticks]
    assert labels[0] == "Sep 2021"
    assert all(label[-4:].isdigit() for label in labels)
    assert len(labels) <= 8
    assert chart.points[-1].label == "April 2026: 3"


def test_weekly_labels_name_the_year_when_the_weeks_cross_into_another():
    ask = make_ask(opens_on=d("2025-09-29"))
    sign(ask, at(d("2025-09-29")))
    sign(ask, at(d("2026-01-06")))

    growth = reports.growth_series(ask=ask, by="week", today=d("2026-01-20"))
    labels = [tick.label for tick in charts.growth_chart(growth).x_ticks]

    assert labels[0] == "w/c 29 Sep 2025"
    assert any(label.endswith("2026") for label in labels)


def test_labels_within_one_year_stay_short():
    ask = make_ask(opens_on=d("2026-03-02"))
    sign(ask, at(d("2026-03-02")))

    growth = reports.growth_series(ask=ask, by="week", today=d("2026-05-20"))
    labels = [tick.label for tick in charts.growth_chart(growth).x_ticks]

    assert labels[0] == "w/c 2 Mar"
    assert not any("2026" in label for label in labels)


def test_the_report_page_offers_months(staff_client):
    ask = _five_years()

    response = staff_client.get(f"/reports/asks/{ask.slug}/", {"by": "month"})

    assert response.status_code == 200
    assert response.context["growth"].by == reports.MONTH
    assert "Sep 2021" in response.content.decode()
