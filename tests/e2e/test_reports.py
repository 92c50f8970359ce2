import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from crm.models import Organisation, Tag
from outreach.models import Signature, Stage
from outreach.services import outreach_change_stage, signature_record
from tests.e2e.conftest import sign_in
from tests.factories import make_ask, make_contact, make_organisation, make_outreach, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BRUSSELS = ZoneInfo("Europe/Brussels")


def test_the_growth_chart_shows_a_point_per_day_with_its_table(page, screenshot):
    make_user("lead", first_name="Lea", last_name="Dupont")
    ask = make_ask(
        title="Stop facial recognition surveillance now",
        slug="stop-facial-recognition",
        opens_on=datetime.date(2026, 3, 2),
        target_count=40,
    )
    first = datetime.datetime(2026, 3, 2, 10, tzinfo=BRUSSELS)
    invited = first - datetime.timedelta(days=5)
    owners = [make_user("ines", first_name="Ines"), make_user("tomas", first_name="Tomás")]
    privacy = Tag.objects.create(name="Privacy", kind=Tag.Kind.CAUSE)
    countries = ["BE", "NL", "FR", "DE", "BE", "ES"]
    kinds = [Organisation.Kind.NGO, Organisation.Kind.NETWORK, Organisation.Kind.ACADEMIC]
    for n, day in enumerate([0, 0, 0, 1, 3, 3, 4, 6, 6, 6, 6, 8, 9, 9]):
        when = first + datetime.timedelta(days=day, hours=n % 5)
        if n % 4 == 3:
            signature_record(
                ask=ask, contact=make_contact(country=countries[n % 6]), signed_at=when
            )
            continue
        organisation = make_organisation(country=countries[n % 6], kind=kinds[n % 3])
        if n % 2:
            organisation.tags.add(privacy)
        entry = make_outreach(ask=ask, organisation=organisation, owner=owners[n % 2])
        outreach_change_stage(outreach=entry, stage=Stage.INVITED, at=invited)
        if n % 3 == 0:
            outreach_change_stage(
                outreach=entry, stage=Stage.FOLLOWED_UP, at=invited + datetime.timedelta(days=4)
            )
        signature_record(
            ask=ask, organisation=organisation, signed_at=when, source=Signature.Source.STAFF
        )
    for owner in owners:
        make_outreach(ask=ask, stage=Stage.INVITED, owner=owner)

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
