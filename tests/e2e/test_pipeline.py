import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from outreach.models import Activity, Outreach, Stage
from tests.e2e.conftest import sign_in
from tests.factories import (
    make_ask,
    make_contact,
    make_message_template,
    make_organisation,
    make_outreach,
    make_user,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_drag_a_card_then_send_an_invitation(page, screenshot, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    make_user("coordinator", first_name="Ines")
    ask = make_ask(title="End biometric mass surveillance", slug="ebms")
    make_message_template(
        ask,
        subject="Will you sign {{ ask_title }}?",
        body="Dear {{ contact_name }}: {{ sign_link }}",
    )
    mover = make_outreach(
        ask=ask, organisation=make_organisation("Privacy Commons"), stage=Stage.INVITED
    )
    invitee = make_outreach(
        ask=ask,
        organisation=make_organisation("Digital Rights Watch"),
        contact=make_contact("Mira", "Okafor", email="mira@example.org"),
    )
    sign_in(page, "coordinator", "pw")

    # Drag "Privacy Commons" from Invited to Declined: the board updates in place.
    page.goto(ask.get_absolute_url())
    card = page.locator(f"#card-{mover.pk}")
    page.drag_and_drop(f"#card-{mover.pk}", '.board-column[data-stage="declined"]')
    expect(page.get_by_test_id("count-declined")).to_have_text("1")
    expect(page.get_by_test_id("count-invited")).to_have_text("0")
    expect(page.locator('.board-column[data-stage="declined"]')).to_contain_text("Privacy Commons")
    expect(card).to_be_visible()
    mover.refresh_from_db()
    assert mover.stage == Stage.DECLINED

    # A refused drag says why.
    page.drag_and_drop(f"#card-{mover.pk}", '.board-column[data-stage="prospect"]')
    expect(page.get_by_test_id("move-error")).to_contain_text(
        "An entry that is “Declined” cannot move to “Prospect”."
    )
    screenshot("pipeline-board")

    # Send the invitation from the entry's page: preview, then send.
    page.get_by_role("link", name="Digital Rights Watch").click()
    page.get_by_role("link", name="E-mail the invitation…").click()
    expect(page.get_by_test_id("preview-subject")).to_have_text(
        "Will you sign End biometric mass surveillance?"
    )
    page.get_by_role("button", name=re.compile("Send to 1 recipient")).click()
    expect(page.get_by_test_id("batch-status")).to_contain_text("1 sent of 1")

    [message] = mail.outbox
    assert message.to == ["mira@example.org"]
    assert "Dear Mira Okafor:" in message.body and "/s/ebms/" in message.body
    invitee.refresh_from_db()
    assert invitee.stage == Stage.INVITED
    assert Activity.objects.filter(outreach=invitee, kind=Activity.Kind.INVITATION).exists()
    assert Outreach.objects.get(pk=invitee.pk).next_follow_up_on is not None
