"""Asks and campaigns pages, outreach detail, my follow-ups and the e-mail pages."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from crm.models import ConsentRecord
from outreach.models import Activity, Ask, AskTranslation, EmailBatch, MessageTemplate, Stage
from outreach.services import outreach_change_stage
from tests.factories import (
    make_ask,
    make_campaign,
    make_contact,
    make_message_template,
    make_organisation,
    make_outreach,
)

pytestmark = pytest.mark.django_db


def _ask_data(campaign, **overrides):
    data = {
        "campaign": campaign.pk,
        "title": "Stop facial recognition",
        "slug": "stop-fr",
        "kind": "statement",
        "signers": "both",
        "language": "en",
        "statement": "We **demand** a ban.<script>alert(1)</script>",
        "opens_on": "2026-09-01",
        "closes_on": "2026-12-31",
        "target_count": "200",
        "first_reminder_after": "5",
        "reminder_every": "7",
        "max_reminders": "2",
        "holidays": "2026-12-25\n2026-12-26",
        "tr-TOTAL_FORMS": "1",
        "tr-INITIAL_FORMS": "0",
        "tr-0-language": "nl",
        "tr-0-title": "Stop gezichtsherkenning",
        "tr-0-statement": "Wij eisen een verbod.",
    }
    data.update(overrides)
    return data


def test_creating_an_ask_with_a_translation_and_holidays(staff_client):
    campaign = make_campaign()

    response = staff_client.post(reverse("outreach:ask-create"), _ask_data(campaign))

    ask = Ask.objects.get(slug="stop-fr")
    assert response.url == reverse("outreach:ask-detail", args=["stop-fr"])
    assert ask.translations.get().title == "Stop gezichtsherkenning"
    assert [h.day.day for h in ask.holidays.all()] == [25, 26]
    page = staff_client.get(response.url).content.decode()
    assert "<strong>demand</strong>" in page
    assert "<script>alert" not in page
    assert "Wij eisen een verbod." in page


def test_a_bad_ask_is_refused_naming_the_field_and_nothing_is_saved(staff_client):
    campaign = make_campaign()
    data = _ask_data(campaign, holidays="2026-12-25\nChristmas", closes_on="2026-01-01")

    response = staff_client.post(reverse("outreach:ask-create"), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Line 2: “Christmas” is not a date" in html
    assert not Ask.objects.exists()
    assert not AskTranslation.objects.exists()


def test_editing_an_ask_replaces_its_holidays(staff_client):
    ask = make_ask(slug="edit-me")
    data = _ask_data(ask.campaign, slug="edit-me", holidays="2027-01-01")
    data["tr-0-language"] = data["tr-0-title"] = data["tr-0-statement"] = ""

    staff_client.post(reverse("outreach:ask-update", args=["edit-me"]), data)

    ask.refresh_from_db()
    assert ask.title == "Stop facial recognition"
    assert [h.day for h in ask.holidays.all()] == [datetime.date(2027, 1, 1)]
    assert staff_client.get(reverse("outreach:ask-update", args=["edit-me"])).status_code == 200


def test_the_ask_list_and_campaign_forms(staff_client):
    make_ask(title="Listed ask")
    assert "Listed ask" in staff_client.get(reverse("outreach:ask-list")).content.decode()
    response = staff_client.post(
        reverse("outreach:campaign-create"), {"name": "Reclaim Your Face", "slug": "ryf"}
    )
    assert response.status_code == 302
    assert staff_client.get(reverse("outreach:campaign-update", args=["ryf"])).status_code == 200


def test_the_detail_shows_the_timeline_and_the_partners_history(staff_client, staff):
    organisation = make_organisation("Bits of Freedom")
    earlier = make_outreach(
        organisation=organisation, ask=make_ask(title="Earlier ask"), stage=Stage.INVITED
    )
    outreach_change_stage(outreach=earlier, stage=Stage.DECLINED, by=staff)
    entry = make_outreach(organisation=organisation, stage=Stage.PROSPECT)
    url = entry.get_absolute_url()

    staff_client.post(
        reverse("outreach:outreach-log", args=[entry.pk]),
        {"kind": "call", "summary": "Will discuss with the board"},
    )
    staff_client.post(
        reverse("outreach:outreach-follow-up", args=[entry.pk]), {"next_follow_up_on": "2026-12-24"}
    )
    html = staff_client.get(url).content.decode()

    assert "Will discuss with the board" in html
    assert "Earlier ask" in html and "Declined" in html
    entry.refresh_from_db()
    assert entry.next_follow_up_on == datetime.date(2026, 12, 24)
    assert entry.activities.get().kind == Activity.Kind.CALL


def test_logging_nothing_names_the_missing_summary(staff_client):
    entry = make_outreach()
    response = staff_client.post(
        reverse("outreach:outreach-log", args=[entry.pk]), {"kind": "call"}, follow=True
    )
    assert "summary: This field is required." in response.content.decode()


def test_my_follow_ups_groups_and_one_click_reminder(staff_client, staff):
    today = timezone.localdate()
    overdue = make_outreach(
        stage=Stage.INVITED, owner=staff, next_follow_up_on=today - datetime.timedelta(days=3)
    )
    due = make_outreach(stage=Stage.FOLLOWED_UP, owner=staff, next_follow_up_on=today)
    make_outreach(stage=Stage.INVITED, next_follow_up_on=today)  # someone else's

    response = staff_client.get(reverse("outreach:my-follow-ups"))
    sections = {key: entries for key, _, entries in response.context["sections"]}
    assert sections["overdue"] == [overdue]
    assert sections["today"] == [due]

    staff_client.post(
        reverse("outreach:outreach-reminder-sent", args=[overdue.pk]),
        {"next": reverse("outreach:my-follow-ups")},
    )
    overdue.refresh_from_db()
    assert (overdue.stage, overdue.follow_up_count) == (Stage.FOLLOWED_UP, 1)
    assert overdue.next_follow_up_on > today


def test_a_reminder_for_a_prospect_is_refused_with_the_reason(staff_client):
    entry = make_outreach(stage=Stage.PROSPECT)
    response = staff_client.post(
        reverse("outreach:outreach-reminder-sent", args=[entry.pk]), follow=True
    )
    assert "Invite this entry before sending a reminder." in response.content.decode()


def test_message_templates_refuse_unknown_fields_and_duplicates(staff_client):
    ask = make_ask()
    url = reverse("outreach:message-template-create", args=[ask.slug])
    data = {"purpose": "invitation", "language": "en", "subject": "Sign {{ ask_title }}"}

    bad = staff_client.post(url, {**data, "body": "Hi {{ first_name }}"})
    assert "Unknown merge field {{ first_name }}" in bad.content.decode()
    good = staff_client.post(url, {**data, "body": "Hi {{ contact_name }}"})
    assert good.status_code == 302
    again = staff_client.post(url, {**data, "body": "Hi"})
    assert "already has a message for invitation in English" in again.content.decode()
    assert MessageTemplate.objects.count() == 1


def test_compose_counts_the_excluded_and_previews_then_sends(staff_client, staff):
    ask = make_ask(slug="ban")
    make_message_template(ask, body="Dear {{ contact_name }}, sign: {{ sign_link }}")
    fine = make_outreach(ask=ask, contact=make_contact("Ana", "Lima", email="ana@example.org"))
    blocked = make_outreach(
        ask=ask, contact=make_contact(email="no@example.org", do_not_contact=True)
    )
    withdrew = make_outreach(ask=ask, contact=make_contact(email="gone@example.org"))
    ConsentRecord.objects.create(
        contact=withdrew.contact,
        purpose="outreach",
        given_at=timezone.now() - datetime.timedelta(days=9),
        withdrawn_at=timezone.now(),
    )
    url = reverse("outreach:email-compose", args=[ask.slug])
    ids = [fine.pk, blocked.pk, withdrew.pk]

    page = staff_client.get(url, {"purpose": "invitation", "ids": ids})

    html = page.content.decode()
    assert page.context["audience"].excluded_count == 2
    assert "1 — contact is marked do-not-contact" in html
    assert "1 — contact withdrew consent to outreach e-mails" in html
    assert "Dear Ana Lima, sign: http://testserver/s/ban/" in html

    response = staff_client.post(url, {"purpose": "invitation", "ids": ids})

    batch = EmailBatch.objects.get()
    assert response.url == batch.get_absolute_url()
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert "1 sent of 1" in staff_client.get(response.url).content.decode()
    progress = staff_client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in progress and "1 sent of 1" in progress


def test_compose_without_a_message_says_to_write_one(staff_client):
    ask = make_ask()
    make_outreach(ask=ask, contact=make_contact(email="a@example.org"))
    html = staff_client.get(
        reverse("outreach:email-compose", args=[ask.slug]), {"purpose": "reminder"}
    ).content.decode()
    assert "no message for this purpose yet" in html


def test_the_nav_and_dashboard_link_to_the_pipeline(staff_client, staff):
    ask = make_ask(title="Linked ask")
    make_outreach(ask=ask, owner=staff, stage=Stage.INVITED, next_follow_up_on=timezone.localdate())
    html = staff_client.get(reverse("outreach:dashboard")).content.decode()
    assert f'href="{reverse("outreach:ask-list")}"' in html
    assert f'href="{reverse("outreach:my-follow-ups")}"' in html
    assert f'href="{ask.get_absolute_url()}"' in html


@pytest.mark.parametrize(
    "name", ["ask-board", "ask-table", "ask-detail", "message-template-list", "email-compose"]
)
def test_ask_pages_are_for_staff_only(client, django_user_model, name):
    ask = make_ask()
    url = reverse(f"outreach:{name}", args=[ask.slug])
    missing = reverse(f"outreach:{name}", args=["no-such-ask"])
    assert client.get(url).status_code == 302
    assert client.get(missing).status_code == 302
    client.force_login(django_user_model.objects.create_user("outsider", password="pw"))
    assert client.get(url).status_code == 403
    assert client.get(missing).status_code == 403


def test_the_ask_list_counts_entries_and_confirmed_signatures(staff_client, staff):
    from outreach.services import signature_record

    ask = make_ask(title="Counted")
    make_ask(title="Empty")
    entries = [make_outreach(ask=ask, stage=Stage.INVITED) for _ in range(3)]
    signature_record(ask=ask, organisation=entries[0].organisation, by=staff)
    signature_record(ask=ask, organisation=entries[1].organisation, status="pending", by=staff)

    asks = {
        a.title: a for a in staff_client.get(reverse("outreach:ask-list")).context["object_list"]
    }

    assert (asks["Counted"].entry_count, asks["Counted"].signature_count) == (3, 1)
    assert (asks["Empty"].entry_count, asks["Empty"].signature_count) == (0, 0)


def test_the_owner_is_set_on_the_entry_page(staff_client, staff):
    entry = make_outreach()
    staff_client.post(reverse("outreach:outreach-owner", args=[entry.pk]), {"owner": staff.pk})
    entry.refresh_from_db()
    assert entry.owner == staff
    assert entry.history.first().history_user == staff


def test_an_empty_board_says_how_to_fill_it(staff_client):
    ask = make_ask()
    html = staff_client.get(ask.get_absolute_url()).content.decode()
    assert "Nobody is in this ask's pipeline yet" in html


def test_reminder_sent_from_my_follow_ups_replaces_the_row_in_place(staff_client, staff):
    entry = make_outreach(stage=Stage.INVITED, owner=staff, next_follow_up_on=timezone.localdate())
    prospect = make_outreach(stage=Stage.PROSPECT, owner=staff)
    url = reverse("outreach:outreach-reminder-sent", args=[entry.pk])

    row = staff_client.post(url, HTTP_HX_REQUEST="true").content.decode()

    assert row.strip().startswith('<tr class="done-row">')
    assert "Reminder logged for" in row
    refused = staff_client.post(
        reverse("outreach:outreach-reminder-sent", args=[prospect.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Invite this entry before sending a reminder." in refused
