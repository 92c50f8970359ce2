import re

import pytest
from playwright.sync_api import expect

from crm.models import Organisation
from tests.e2e.conftest import sign_in
from tests.factories import make_organisation, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The duplicates page caches what it found; pairs cached by an earlier test (the
    access matrix visits this page) would hide this test's organisations."""
    from django.core.cache import cache

    cache.clear()


def test_a_coordinator_reviews_a_pair_and_merges_it_with_the_keyboard(page, screenshot):
    make_user("coordinator")
    make_organisation("European Digital Rights", country="BE", city="Brussels")
    make_organisation("EDRi", website="https://edri.org", country="BE")
    make_organisation("Bits of Freedom", country="NL")
    make_organisation("BITS OF FREEDOM", country="NL", website="https://bof.nl")
    sign_in(page, "coordinator", "pw")

    page.get_by_role("link", name="Duplicates").click()
    page.get_by_role("link", name="Duplicate organisations").click()
    expect(page).to_have_title(re.compile("Duplicate organisations"))
    screenshot("duplicates-list")
    page.get_by_role("link", name=re.compile("Review European Digital Rights")).click()
    page.get_by_label("https://edri.org").check()
    screenshot("duplicates-review")
    page.get_by_role("button", name="Review the merge").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Merge “EDRi”")
    page.get_by_role("button", name="Merge", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("European Digital Rights")
    survivor = Organisation.objects.get(name="European Digital Rights")
    assert survivor.website == "https://edri.org"
    assert Organisation.objects.count() == 3
