"""Invitation, reminder and thank-you e-mails: language, exclusions, activities, progress."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.models import ConsentRecord
from outreach.emails import (
    CONSENT_WITHDRAWN,
    DO_NOT_CONTACT,
    NO_EMAIL,
    NO_TEMPLATE,
    REMINDERS_USED_UP,
    WRONG_STAGE,
    check_merge_fields,
    email_audience,
    email_batch_start,
)
from outreach.models import Activity, AskTranslation, EmailBatch, Outreach, Stage
from tests.factories import make_ask, make_contact, make_message_template, make_outreach

pytestmark = pytest.mark.django_db


def _entry(ask, language="", stage=Stage.PROSPECT, **contact_fields):
    contact_fields.setdefault("email", f"{language or 'x'}{Outreach.objects.count()}@example.org")
    contact = make_contact(preferred_language=language, **contact_fields)
    return make_outreach(ask=ask, contact=contact, stage=stage)


def _send(ask, entries, purpose="invitation", by=None):
    return email_batch_start(
        ask=ask,
        purpose=purpose,
        entries=Outreach.objects.filter(pk__in=[e.pk for e in entries]),
        by=by,
        base_url="https://crm.example.org",
    )


def test_the_contacts_language_is_used_then_the_asks(staff):
    ask = make_ask(title="Ban facial recognition", slug="ban-fr", language="en")
    AskTranslation.objects.create(ask=ask, language="nl", title="Verbied gezichtsherkenning")
    make_message_template(ask, language="en")
    make_message_template(ask, language="nl")
    dutch = _entry(ask, "nl", first_name="Sanne", email="sanne@example.nl")
    japanese = _entry(ask, "ja", first_name="Yuki", email="yuki@example.jp")

    batch = _send(ask, [dutch, japanese], by=staff)

    assert (batch.status, batch.sent, batch.total) == (EmailBatch.Status.DONE, 2, 2)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    dutch_subject = by_recipient["sanne@example.nl"].subject
    assert dutch_subject == "Will you sign Verbied gezichtsherkenning? [nl]"
    assert by_recipient["yuki@example.jp"].subject == "Will you sign Ban facial recognition? [en]"
    assert "Dear Sanne" in by_recipient["sanne@example.nl"].body
    assert "https://crm.example.org/s/ban-fr/" in by_recipient["sanne@example.nl"].body


def test_sending_an_invitation_logs_it_and_moves_the_entry(staff):
    ask = make_ask()
    make_message_template(ask)
    entry = _entry(ask, "en")

    _send(ask, [entry], by=staff)

    entry.refresh_from_db()
    assert entry.stage == Stage.INVITED
    assert entry.next_follow_up_on > timezone.localdate()
    invitation = entry.activities.get(kind=Activity.Kind.INVITATION)
    assert invitation.actor == staff
    assert entry.contact.email in invitation.summary


def test_a_reminder_moves_invited_to_followed_up(staff):
    ask = make_ask()
    make_message_template(ask, purpose="reminder")
    entry = _entry(ask, "en", stage=Stage.INVITED)

    _send(ask, [entry], purpose="reminder", by=staff)

    entry.refresh_from_db()
    assert (entry.stage, entry.follow_up_count) == (Stage.FOLLOWED_UP, 1)
    assert len(mail.outbox) == 1


def test_do_not_contact_withdrawn_consent_and_others_are_counted_and_never_sent(staff):
    ask = make_ask()
    make_message_template(ask, language="en")
    fine = _entry(ask, "en")
    refuses = _entry(ask, "en", do_not_contact=True)
    withdrew = _entry(ask, "en")
    ConsentRecord.objects.create(
        contact=withdrew.contact,
        purpose=ConsentRecord.Purpose.OUTREACH,
        given_at=timezone.now() - datetime.timedelta(days=30),
        withdrawn_at=timezone.now() - datetime.timedelta(days=1),
    )
    gave_again = _entry(ask, "en")
    for given, withdrawn in [(60, 30), (10, None)]:
        ConsentRecord.objects.create(
            contact=gave_again.contact,
            purpose=ConsentRecord.Purpose.OUTREACH,
            given_at=timezone.now() - datetime.timedelta(days=given),
            withdrawn_at=withdrawn and timezone.now() - datetime.timedelta(days=withdrawn),
        )
    no_email = make_outreach(ask=ask, contact=make_contact())
    signed = _entry(ask, "en", stage=Stage.SIGNED)
    entries = [fine, refuses, withdrew, gave_again, no_email, signed]

    audience = email_audience(
        ask=ask, entries=Outreach.objects.filter(ask=ask), purpose="invitation"
    )
    assert [r.entry for r in audience.recipients] == [fine, gave_again]
    assert audience.excluded == {
        DO_NOT_CONTACT: [refuses],
        CONSENT_WITHDRAWN: [withdrew],
        NO_EMAIL: [no_email],
        WRONG_STAGE: [signed],
    }

    batch = _send(ask, entries, by=staff)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [fine.contact.email, gave_again.contact.email]
    )
    refuses.refresh_from_db()
    assert refuses.stage == Stage.PROSPECT
    assert batch.total == 2


def test_a_contact_marked_do_not_contact_after_queuing_is_skipped(staff, monkeypatch):
    from outreach import emails

    ask = make_ask()
    make_message_template(ask)
    entry = _entry(ask, "en")
    batch = EmailBatch.objects.create(
        ask=ask, purpose="invitation", outreach_ids=[entry.pk], total=1
    )
    entry.contact.do_not_contact = True
    entry.contact.save()

    batch = emails.email_batch_run(batch.pk)

    assert (batch.sent, batch.skipped) == (0, 1)
    assert mail.outbox == []
    assert DO_NOT_CONTACT in batch.problems[0]


def test_without_a_message_in_any_fallback_language_nothing_is_sent(staff):
    ask = make_ask(language="fr")
    make_message_template(ask, language="de")
    entry = _entry(ask, "nl")

    audience = email_audience(ask=ask, entries=Outreach.objects.all(), purpose="invitation")

    assert audience.excluded == {NO_TEMPLATE: [entry]}


def test_unknown_merge_fields_are_named():
    check_merge_fields("Hello {{ contact_name }}, sign at {{ sign_link }}")
    with pytest.raises(ValidationError) as error:
        check_merge_fields("Hello {{ first_name }}")
    assert "{{ first_name }}" in error.value.messages[0]


def test_messages_carry_no_tracking(staff):
    ask = make_ask()
    make_message_template(ask, body="Sign here: {{ sign_link }}")
    _send(ask, [_entry(ask, "en")], by=staff)
    [message] = mail.outbox
    # Plain text only: no HTML part to hide a pixel in, the link as written.
    assert message.content_subtype == "plain"
    assert not getattr(message, "alternatives", [])
    assert message.body.splitlines()[0].endswith(f"/s/{ask.slug}/")


def test_no_reminder_beyond_the_cadence(staff):
    ask = make_ask(max_reminders=2)
    make_message_template(ask, purpose="reminder")
    fresh = _entry(ask, "en", stage=Stage.INVITED)
    used_up = _entry(ask, "en", stage=Stage.FOLLOWED_UP)
    Outreach.objects.filter(pk=used_up.pk).update(follow_up_count=2)

    audience = email_audience(ask=ask, entries=Outreach.objects.all(), purpose="reminder")

    assert [r.entry for r in audience.recipients] == [fresh]
    assert [e.pk for e in audience.excluded[REMINDERS_USED_UP]] == [used_up.pk]


def test_a_message_template_with_an_unknown_field_is_invalid_everywhere():
    from outreach.models import MessageTemplate

    template = MessageTemplate(
        ask=make_ask(), purpose="invitation", language="en", subject="Hi", body="{{ nmae }}"
    )
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "body" in error.value.message_dict


def test_an_unexpected_error_marks_the_batch_failed(staff, monkeypatch):
    from outreach import emails

    ask = make_ask()
    make_message_template(ask)
    entry = _entry(ask, "en")
    batch = EmailBatch.objects.create(ask=ask, purpose="invitation", outreach_ids=[entry.pk])

    def explode(**kwargs):
        raise RuntimeError("template engine on fire")

    monkeypatch.setattr(emails, "email_send", explode)
    with pytest.raises(RuntimeError):
        emails.email_batch_run(batch.pk)

    batch.refresh_from_db()
    assert batch.status == EmailBatch.Status.FAILED
    assert batch.problems == ["Stopped: template engine on fire"]
