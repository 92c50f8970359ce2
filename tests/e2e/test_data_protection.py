import re

import pytest
from playwright.sync_api import expect

from crm.models import Affiliation, Contact
from tests.e2e.conftest import sign_in
from tests.factories import make_organisation, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_record_and_withdraw_consent_then_erase_the_person(page, screenshot):
    make_user("dpo", role="admin", first_name="Dana")
    contact = Contact.objects.create(
        first_name="Lotte", last_name="Jansen", email="lotte@example.org", country="NL"
    )
    Affiliation.objects.create(
        contact=contact, organisation=make_organisation("Bits of Freedom"), role="Policy advisor"
    )

    sign_in(page, "dpo", "pw")
    page.goto(contact.get_absolute_url())
    page.get_by_role("link", name="Record consent").click()
    page.get_by_label("Purpose").select_option("outreach")
    page.get_by_label("Source").fill("Reply to our invitation")
    page.get_by_label("Text version").fill("2026-11")
    page.get_by_role("button", name="Record consent").click()
    expect(page.get_by_text("Consent to “Outreach e-mails” recorded.")).to_be_visible()
    page.get_by_role("link", name="Record consent").click()
    page.get_by_label("Purpose").select_option("newsletter")
    page.get_by_role("button", name="Record consent").click()
    screenshot("data-protection-contact")

    page.get_by_role("link", name="Withdraw consent to newsletter").click()
    page.get_by_role("button", name="Withdraw consent").click()
    expect(page.get_by_text("withdrawn", exact=False).first).to_be_visible()

    page.get_by_role("link", name="Erase this person…").click()
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erased person")
    assert Contact.objects.get(pk=contact.pk).erased_at is not None
