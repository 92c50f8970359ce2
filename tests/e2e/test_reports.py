import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from outreach.models import Stage
from outreach.services import signature_record
from tests.e2e.conftest import sign_in
from tests.factories import make_ask, make_contact, make_organisation, make_outreach, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BRUSSELS = ZoneInfo("Europe/Brussels")


def test_the_growth_chart_shows_a_point_per_day_with_its_table(page, screenshot):
    make_user("lead", first_name="Lea")
    ask = make_ask(
        title="Stop facial recognition surveillance now",
        slug="stop-facial-recognition",
        opens_on=datetime.date(2026, 3, 2),
        target_count=40,
    )
    first = datetime.datetime(2026, 3, 2, 10, tzinfo=BRUSSELS)
    for n, day in enumerate([0, 0, 0, 1, 3, 3, 4, 6, 6, 6, 6, 8, 9, 9]):
        when = first + datetime.timedelta(days=day, hours=n % 5)
        if n % 4 == 3:
            signature_record(ask=ask, contact=make_contact(country="NL"), signed_at=when)
        else:
            entry = make_outreach(ask=ask, organisation=make_organisation(country="BE"))
            signature_record(ask=ask, organisation=entry.organisation, signed_at=when)
    make_outreach(ask=ask, stage=Stage.INVITED)

    sign_in(page, "lead", "pw")
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page).to_have_title(re.compile("Reports"))
    page.get_by_role("link", name="Stop facial recognition surveillance now").click()
    page.get_by_label("From", exact=True).fill("2026-03-02")
    page.get_by_label("To", exact=True).fill("2026-03-11")
    page.get_by_label("Show by").select_option("day")
    page.get_by_role("button", name="Show").click()

    chart = page.get_by_test_id("growth-chart")
    expect(chart.locator("circle.point")).to_have_count(10)
    expect(page.get_by_test_id("table-growth").locator("tbody tr")).to_have_count(10)
    expect(page.get_by_test_id("total")).to_have_text("14")
    expect(page.get_by_test_id("table-growth").locator("tbody tr").last).to_contain_text("14")
    screenshot("reports-ask")
