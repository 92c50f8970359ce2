import re

import pytest
from playwright.sync_api import expect

from crm.models import Contact, Tag
from tests.e2e.conftest import sign_in
from tests.factories import make_contact, make_organisation, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_filter_open_an_organisation_add_a_contact_and_tag_a_selection(page, screenshot):
    make_user("coordinator", first_name="Ines")
    make_organisation("Bits of Freedom", acronym="BoF", country="NL", city="Amsterdam")
    make_organisation("Digitalcourage", country="DE", city="Bielefeld")
    make_contact("Lotte", "Jansen", country="NL")
    make_contact("Hans", "Weber", country="DE")
    Tag.objects.create(name="Press contact")

    sign_in(page, "coordinator", "pw")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organisations").click()
    page.get_by_label("Country").select_option("NL")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_test_id("result-count")).to_have_text("1 organisation matches")
    expect(page).to_have_url(re.compile(r"country=NL"))
    screenshot("organisation-list")

    page.get_by_role("link", name="Bits of Freedom").click()
    expect(page).to_have_title(re.compile("Bits of Freedom"))
    page.get_by_role("link", name="Add a contact").click()
    page.get_by_label("First name").fill("Rejo")
    page.get_by_label("Last name").fill("Zenger")
    page.get_by_label("E-mail").fill("rejo@example.org")
    page.get_by_label("Role at the organisation").fill("Policy advisor")
    page.get_by_role("button", name="Create contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rejo Zenger")
    expect(page.get_by_role("link", name="Bits of Freedom (BoF)", exact=True)).to_be_visible()
    screenshot("contact-page")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    page.get_by_label("Country").select_option("NL")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_test_id("result-count")).to_have_text("1 contact matches")
    page.get_by_label("Country").select_option("")
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_label("Select Lotte Jansen").check()
    page.get_by_label("Select Rejo Zenger").check()
    page.get_by_label("Tag to add or remove").select_option(label="Press contact")
    page.get_by_role("button", name="Apply", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("added to 2 records")
    tagged = Contact.objects.filter(tags__name="Press contact")
    assert sorted(c.last_name for c in tagged) == ["Jansen", "Zenger"]
    screenshot("contact-list")


def test_header_search_is_reachable_by_keyboard(page):
    make_user("coordinator")
    make_organisation("Liga voor Mensenrechten")

    sign_in(page, "coordinator", "pw")
    expect(page).to_have_title(re.compile("Dashboard"))
    page.wait_for_load_state()  # crm.js (deferred) listens for "/"
    page.keyboard.press("/")
    expect(page.get_by_label("Search organisations, contacts and asks")).to_be_focused()
    page.keyboard.type("mensen")
    result = page.locator("#header-search-results").get_by_role(
        "link", name="Liga voor Mensenrechten"
    )
    expect(result).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(result).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile("Liga voor Mensenrechten"))
