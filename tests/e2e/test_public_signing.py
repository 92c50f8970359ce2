import email
import email.policy
import re

import pytest
from playwright.sync_api import expect

from outreach.models import AskTranslation
from tests.e2e.conftest import sign_in
from tests.factories import make_ask, make_signature, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_organisation_signs_confirms_and_is_listed_after_verification(
    page, screenshot, settings, capsys
):
    # The development set-up: e-mails printed on the console, read from there.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    make_user("coordinator")
    ask = make_ask(
        title="Stop facial recognition surveillance now",
        slug="stop-facial-recognition",
        statement="We, the undersigned, call for a **ban** on biometric mass surveillance.",
        is_published=True,
        target_count=200,
    )
    AskTranslation.objects.create(
        ask=ask,
        language="nl",
        title="Stop gezichtsherkenning nu",
        statement="Wij, de ondertekenaars, eisen een **verbod**.",
    )
    for name, country in [("Bits of Freedom", "NL"), ("La Quadrature du Net", "FR")]:
        make_signature(ask, name=name, organisation=True, country=country)
    make_signature(
        ask, name="Prof. Mira Example", country="DE", affiliation_text="University of Somewhere"
    )

    page.goto(f"/s/{ask.slug}/")
    expect(page).to_have_title("Stop facial recognition surveillance now")
    page.get_by_label("on behalf of an organisation").check()
    expect(page.get_by_label("Affiliation (for identification only)")).to_be_hidden()
    page.get_by_label("Organisation name").fill("Privacy Collective")
    page.get_by_label("Organisation website").fill("https://privacy-collective.example")
    page.get_by_label("Your name").fill("Lea Signer")
    page.get_by_label("Your role in the organisation").fill("Director")
    # The list's filter has a "Country" too; this is the one of the form.
    page.get_by_role("group", name="You").get_by_label("Country").select_option("BE")
    page.get_by_label("E-mail").fill("lea@privacy-collective.example")
    page.get_by_label("List my name publicly").check()
    screenshot("public-statement")
    page.wait_for_timeout(2100)  # a person takes seconds to fill the form (its time check)
    page.get_by_role("button", name="Sign", exact=True).click()

    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    printed = capsys.readouterr().out.split("-" * 79)[0]
    message = email.message_from_string(printed, policy=email.policy.default)
    assert message["Subject"].strip().startswith("Please confirm your signature")
    assert message["To"] == "lea@privacy-collective.example"
    body = message.get_content()
    link = re.search(r"http://[^/]+(/s/\S+/confirm/\S+/)", body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_text("We check signatures made on behalf of organisations")).to_be_visible()
    page.goto(f"/s/{ask.slug}/")
    expect(page.get_by_text("Privacy Collective")).to_have_count(0)

    sign_in(page, "coordinator", "pw")
    page.goto(f"/asks/{ask.pk}/signatures/?awaiting_verification=true")
    row = page.get_by_role("row").filter(has_text="Privacy Collective")
    expect(row).to_contain_text("e-mail domain matches the website")
    screenshot("staff-signatures")
    row.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("status")).to_contain_text("verified")

    page.goto(f"/s/{ask.slug}/nl/")
    expect(page.get_by_role("heading", name="Stop gezichtsherkenning nu")).to_be_visible()
    expect(page.locator(".signatory-list")).to_contain_text("Privacy Collective")
    expect(page.get_by_test_id("counts")).to_contain_text("3 organisaties")
