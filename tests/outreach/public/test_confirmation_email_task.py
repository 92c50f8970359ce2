"""Signer confirmation e-mails leave the sign-up request: the signature is recorded there,
the e-mail is queued for when it commits, a task sends it (retrying a refused send), and
a confirmation that finally fails is shown to staff, who can send it again."""

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.test import TestCase

from outreach import emails
from outreach.models import Activity, Signature
from outreach.services import SignOn
from tests.factories import make_user
from tests.outreach.public.conftest import link_in_last_email, sign


@pytest.fixture
def mail_server_down(monkeypatch, settings):
    """Every send refused, as by an SMTP server that is down; counts the attempts."""
    settings.SIGN_ON_EMAIL_RETRY_SECONDS = [1, 5]
    attempts = []

    def refuse(self, messages):
        attempts.append([m.to for m in messages])
        raise ConnectionRefusedError("Connection refused by mail.example")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    return attempts


def _sign_on(ask, email="ana@example.org"):
    return SignOn(as_organisation=False, name="Ana Example", email=email, language="en")


def _staff_client(client, role):
    client.force_login(make_user(role, role=role))
    return client


def _signatures_page(client, ask):
    return client.get(f"/asks/{ask.pk}/signatures/").content.decode()


# --- out of the request, after commit -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_sends_the_confirmation_once_the_sign_up_commits(ask):
    with transaction.atomic():
        emails.signature_submit_and_email(ask=ask, sign_on=_sign_on(ask), base_url="http://x")
        assert mail.outbox == []  # not while the sign-up may still roll back

    [message] = mail.outbox
    assert message.to == ["ana@example.org"]


@pytest.mark.django_db(transaction=True)
def test_it_sends_nothing_for_a_sign_up_that_rolls_back(ask):
    with pytest.raises(RuntimeError), transaction.atomic():
        emails.signature_submit_and_email(ask=ask, sign_on=_sign_on(ask), base_url="http://x")
        raise RuntimeError("something later in the request failed")

    assert not Signature.objects.exists()
    assert mail.outbox == []


def test_the_signer_sees_the_thanks_page_and_gets_the_link(client, ask):
    response = sign(client, ask)

    assert response.status_code == 302
    assert response.url == f"/s/{ask.slug}/en/thanks/"
    assert "Check your e-mail" in client.get(response.url).content.decode()
    assert "/confirm/" in link_in_last_email()
    assert Signature.objects.get().confirmation_email_error == ""


# --- a mail server that refuses -----------------------------------------------------------


def test_a_refused_send_is_tried_again_then_shown_to_staff(client, ask, mail_server_down):
    response = sign(client, ask, public="on")

    # The signer is not told about our mail server: the signature waits for its link.
    assert response.status_code == 302
    assert response.url == f"/s/{ask.slug}/en/thanks/"
    assert mail_server_down == [[["ana@example.org"]]] * 3  # the first try and two retries
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING and not signature.is_listed
    assert "Connection refused by mail.example" in signature.confirmation_email_error
    assert Activity.objects.filter(
        summary__startswith="The confirmation e-mail to ana@example.org could not be sent"
    ).exists()

    page = _signatures_page(_staff_client(client, "campaigner"), ask)
    assert "confirmation e-mail failed" in page
    assert f"/signatures/{signature.pk}/send-confirmation/" in page


def test_a_send_that_works_on_a_retry_records_no_failure(client, ask, monkeypatch, settings):
    settings.SIGN_ON_EMAIL_RETRY_SECONDS = [1, 5]
    real_send = EmailBackend.send_messages
    calls = []

    def flaky(self, messages):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionRefusedError("busy")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    sign(client, ask)

    assert len(calls) == 2
    assert len(mail.outbox) == 1
    assert Signature.objects.get().confirmation_email_error == ""


def test_a_viewer_sees_the_failure_without_the_button(client, ask, mail_server_down):
    sign(client, ask)

    page = _signatures_page(_staff_client(client, "viewer"), ask)
    assert "confirmation e-mail failed" in page
    assert "send-confirmation" not in page


# --- send again ---------------------------------------------------------------------------


def _send_again(client, signature):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(f"/signatures/{signature.pk}/send-confirmation/")


def test_a_campaigner_sends_it_again_and_the_link_works(client, ask, mail_server_down, monkeypatch):
    sign(client, ask, public="on")
    signature = Signature.objects.get()
    monkeypatch.undo()  # the mail server is back

    response = _send_again(_staff_client(client, "campaigner"), signature)

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["ana@example.org"]
    assert Signature.objects.get().confirmation_email_error == ""
    assert Activity.objects.filter(
        summary="Confirmation e-mail to ana@example.org queued again.", actor__username="campaigner"
    ).exists()
    client.logout()
    assert client.post(link_in_last_email()).status_code == 200
    assert Signature.objects.get().is_listed


def test_a_viewer_cannot_send_it_again(client, ask, mail_server_down):
    sign(client, ask)
    signature = Signature.objects.get()
    mail_server_down.clear()

    response = _send_again(_staff_client(client, "viewer"), signature)

    assert response.status_code == 403
    assert mail_server_down == []
    assert Signature.objects.get().confirmation_email_error != ""


def test_there_is_nothing_to_send_again_once_confirmed(client, ask):
    sign(client, ask)
    client.post(link_in_last_email())
    signature = Signature.objects.get()
    mail.outbox.clear()

    response = _send_again(_staff_client(client, "campaigner"), signature)

    assert response.status_code == 302
    assert mail.outbox == []
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [emails.NOTHING_TO_CONFIRM]


def test_a_late_retry_of_an_older_submission_neither_sends_nor_records(client, ask, monkeypatch):
    from outreach.tasks import send_sign_on_email

    sign(client, ask)
    older = Signature.objects.get().pending_changes["submitted_at"]
    sign(client, ask, name="Ana B. Example")  # signs again: a new link is on its way
    signature = Signature.objects.get()
    assert signature.pending_changes["submitted_at"] != older
    mail.outbox.clear()
    attempts = []
    monkeypatch.setattr(EmailBackend, "send_messages", lambda self, m: attempts.append(m) or 1)

    # The older submission's last retry comes late, with the mail server down.
    send_sign_on_email.call(
        emails.CONFIRMATION, signature.pk, signature.contact_id, "en", "http://x", submission=older
    )
    emails.sign_on_email_failed(
        kind=emails.CONFIRMATION, signature_id=signature.pk, error=OSError("down"), submission=older
    )

    assert attempts == []  # the newer submission's e-mail is the one that counts
    assert Signature.objects.get().confirmation_email_error == ""


def test_an_address_erased_before_the_task_runs_is_sent_nothing(client, ask, monkeypatch):
    from crm.models import Contact
    from outreach.tasks import send_sign_on_email

    queued = []

    class Waiting:  # the worker has not come yet
        def enqueue(self, *args, **kwargs):
            queued.append((args, kwargs))

    monkeypatch.setattr("outreach.tasks.send_sign_on_email", Waiting())
    sign(client, ask)
    [(args, kwargs)] = queued
    assert "ana@example.org" not in repr((args, kwargs))  # the queue holds ids only
    Contact.objects.update(email=None)  # erased while it waited

    assert send_sign_on_email.call(*args, **kwargs) is False
    assert mail.outbox == []


def test_a_withdrawn_signature_gets_no_confirmation_again(client, ask, mail_server_down):
    sign(client, ask)
    signature = Signature.objects.get()
    Signature.objects.filter(pk=signature.pk).update(status=Signature.Status.WITHDRAWN)
    mail_server_down.clear()

    response = _send_again(_staff_client(client, "campaigner"), signature)

    assert [str(m) for m in response.wsgi_request._messages] == [emails.NOTHING_TO_CONFIRM]
    assert mail_server_down == []


def test_erasing_the_signer_erases_the_failure_that_may_quote_their_address(
    client, ask, monkeypatch, settings
):
    from crm.models import Contact
    from crm.privacy import subject_erase

    settings.SIGN_ON_EMAIL_RETRY_SECONDS = []

    def refuse(self, messages):
        raise OSError("550 <ana@example.org> mailbox unavailable")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    sign(client, ask)
    assert "ana@example.org" in Signature.objects.get().confirmation_email_error

    subject_erase(contact=Contact.objects.get(email="ana@example.org"))

    assert Signature.objects.get().confirmation_email_error == ""
