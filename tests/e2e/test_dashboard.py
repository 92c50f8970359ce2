import re

import pytest
from playwright.sync_api import expect

from outreach.models import Stage
from outreach.services import signature_record
from tests.e2e.conftest import sign_in
from tests.factories import make_ask, make_outreach, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_sign_in_and_read_the_dashboard_figures(page, screenshot):
    coordinator = make_user("coordinator", first_name="Ines")
    ask = make_ask(title="End biometric mass surveillance", target_count=200)
    for _ in range(3):
        entry = make_outreach(ask=ask, stage=Stage.INVITED)
        signature_record(ask=ask, organisation=entry.organisation, by=coordinator)
    make_outreach(ask=ask, stage=Stage.INVITED)

    sign_in(page, "coordinator", "pw")

    expect(page).to_have_title(re.compile("Dashboard"))
    card = page.get_by_role("article", name="End biometric mass surveillance")
    expect(card.get_by_test_id("signatures")).to_have_text(re.compile(r"3\s+of 200 signatures"))
    expect(card.locator('dd[data-stage="Signed"]')).to_have_text("3")
    expect(card.locator('dd[data-stage="Invited"]')).to_have_text("1")
    screenshot("dashboard")


def test_a_wrong_password_is_refused_with_a_clear_message(page):
    make_user("coordinator")

    sign_in(page, "coordinator", "not-the-password")

    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
