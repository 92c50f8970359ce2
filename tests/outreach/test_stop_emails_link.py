"""Every pipeline message ends with a link to stop them: one click, one confirmation."""

import re

import pytest
from django.core import mail

from crm.models import ConsentRecord
from outreach.emails import CONSENT_WITHDRAWN, email_audience, email_batch_start
from outreach.models import Outreach
from tests.factories import make_ask, make_contact, make_message_template, make_outreach

pytestmark = pytest.mark.django_db


def _invite(ask, entry):
    email_batch_start(
        ask=ask,
        purpose="invitation",
        entries=Outreach.objects.filter(pk=entry.pk),
        base_url="https://crm.example.org",
    )
    return re.search(r"https://crm\.example\.org(/s/stop-emails/\S+/)", mail.outbox[-1].body)


def test_following_the_stop_link_stops_outreach_emails(client):
    ask = make_ask()
    make_message_template(ask)
    entry = make_outreach(ask=ask, contact=make_contact(email="lea@example.org"))
    link = _invite(ask, entry).group(1)

    page = client.get(link)
    assert page.status_code == 200 and "Stop the e-mails" in page.content.decode()
    assert not ConsentRecord.objects.exists()  # looking is not deciding

    assert client.post(link).status_code == 200
    assert client.post(link).status_code == 200  # a second click changes nothing

    objection = ConsentRecord.objects.get()
    assert (objection.purpose, objection.withdrawn_at is not None) == ("outreach", True)
    audience = email_audience(ask=ask, entries=Outreach.objects.all(), purpose="reminder")
    assert list(audience.excluded) == [CONSENT_WITHDRAWN]


def test_a_standing_outreach_consent_is_withdrawn_by_the_link(client):
    from django.utils import timezone

    ask = make_ask()
    make_message_template(ask)
    contact = make_contact(email="tom@example.org")
    consent = ConsentRecord.objects.create(
        contact=contact, purpose="outreach", given_at=timezone.now()
    )
    link = _invite(ask, make_outreach(ask=ask, contact=contact)).group(1)

    client.post(link)

    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert ConsentRecord.objects.count() == 1


def test_a_forged_stop_link_is_not_found(client):
    assert client.get("/s/stop-emails/eyJjIjoxfQ:forged:signature/").status_code == 404
