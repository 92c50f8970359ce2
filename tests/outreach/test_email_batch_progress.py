"""Sending an ask's e-mail is a task: its page shows the progress and the result when
the user comes back to it, a failed sending says why, and a retry sends to those not
reached yet (nobody twice)."""

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import TestCase
from django.urls import reverse

from outreach import emails
from outreach.models import EmailBatch
from tests.factories import make_ask, make_contact, make_message_template, make_outreach, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask():
    ask = make_ask(slug="ban")
    make_message_template(ask, body="Dear {{ contact_name }}, sign: {{ sign_link }}")
    for name in ("ana", "ben"):
        make_outreach(ask=ask, contact=make_contact(name.title(), email=f"{name}@example.org"))
    return ask


@pytest.fixture
def coordinator(client):
    client.force_login(make_user("coordinator", role="coordinator"))
    return client


@pytest.fixture
def queued_only(monkeypatch):
    """A worker that has not come yet: the task is queued and nothing runs."""
    queued = []

    class Waiting:
        def enqueue(self, batch_id):
            queued.append(batch_id)

    monkeypatch.setattr("outreach.tasks.send_email_batch", Waiting())
    return queued


def _compose(client, ask):
    url = reverse("outreach:email-compose", args=[ask.slug])
    return client.post(url, {"purpose": "invitation"})


def _page(client, batch):
    return client.get(batch.get_absolute_url()).content.decode()


def _retry(client, batch):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("outreach:email-batch-retry", args=[batch.pk]))


def test_the_user_can_leave_and_come_back_to_the_result(coordinator, ask, queued_only):
    response = _compose(coordinator, ask)

    batch = EmailBatch.objects.get()
    assert response.url == batch.get_absolute_url()
    assert queued_only == [batch.pk] and mail.outbox == []
    waiting = _page(coordinator, batch)
    assert "Queued" in waiting and "0 sent of 2" in waiting
    assert 'hx-trigger="every 2s"' in waiting  # the page keeps asking while it waits

    coordinator.get(reverse("outreach:dashboard"))  # elsewhere in the app meanwhile
    emails.email_batch_run(batch.pk)  # the worker's turn

    later = _page(coordinator, batch)
    assert "Done" in later and "2 sent of 2" in later
    assert 'hx-trigger="every 2s"' not in later  # finished: no more polling
    assert len(mail.outbox) == 2


def test_a_stopped_sending_says_why_and_a_retry_finishes_it(coordinator, ask, monkeypatch):
    real_send = emails.email_send
    calls = []

    def second_one_explodes(**kwargs):
        calls.append(kwargs["entry"].pk)
        if len(calls) == 2:
            raise RuntimeError("template engine on fire")
        return real_send(**kwargs)

    monkeypatch.setattr(emails, "email_send", second_one_explodes)
    _compose(coordinator, ask)
    batch = EmailBatch.objects.get()
    page = _page(coordinator, batch)
    assert batch.status == EmailBatch.Status.FAILED
    assert "Stopped: template engine on fire" in page and "Retry" in page
    monkeypatch.setattr(emails, "email_send", real_send)

    response = _retry(coordinator, batch)

    assert response.url == batch.get_absolute_url()
    assert "2 sent of 2" in _page(coordinator, batch)
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "ben@example.org"]


def test_a_retry_sends_only_to_those_the_mail_server_refused(coordinator, ask, monkeypatch):
    real_send = EmailBackend.send_messages

    def refuse_ben(self, messages):
        if messages[0].to == ["ben@example.org"]:
            raise ConnectionRefusedError("mail server down")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_ben)
    _compose(coordinator, ask)
    batch = EmailBatch.objects.get()
    page = _page(coordinator, batch)
    assert "1 sent of 2" in page and "1 failed" in page and "mail server down" in page
    monkeypatch.undo()

    _retry(coordinator, batch)

    assert "2 sent of 2" in _page(coordinator, batch)
    assert [m.to for m in mail.outbox] == [["ana@example.org"], ["ben@example.org"]]


def test_a_sending_that_went_well_is_not_sent_again(coordinator, ask):
    _compose(coordinator, ask)
    batch = EmailBatch.objects.get()
    assert "Retry" not in _page(coordinator, batch)
    mail.outbox.clear()

    response = _retry(coordinator, batch)

    assert mail.outbox == []
    assert [str(m) for m in response.wsgi_request._messages] == [emails.NOTHING_TO_RETRY]


def test_a_campaigner_cannot_retry(client, ask, monkeypatch):
    monkeypatch.setattr(emails, "email_send", lambda **kwargs: 1 / 0)
    batch = emails.email_batch_start(ask=ask, purpose="invitation", entries=ask.outreach.all())
    assert batch.status == EmailBatch.Status.FAILED
    client.force_login(make_user("cam", role="campaigner"))

    response = _retry(client, batch)

    assert response.status_code == 403
    batch.refresh_from_db()
    assert batch.status == EmailBatch.Status.FAILED
