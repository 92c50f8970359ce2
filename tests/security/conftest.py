"""Shared by the access matrix, the UI check and the crawl: a user per role and one of
every record the staff pages show."""

import datetime

import pytest
from django.utils import timezone

from crm.importing import run
from crm.models import Affiliation, ConsentRecord, ExportFile, SavedView, Tag
from crm.roles import ADMIN, CAMPAIGNER, COORDINATOR, VIEWER
from outreach.models import EmailBatch
from outreach.services import delivery_snapshot_create, outreach_log_activity
from tests.factories import (
    make_ask,
    make_contact,
    make_message_template,
    make_organisation,
    make_outreach,
    make_signature,
    make_user,
)
from webhooks.models import Event, WebhookDelivery, WebhookEndpoint

ROLES = [None, VIEWER, CAMPAIGNER, COORDINATOR, ADMIN]


@pytest.fixture
def users():
    return {role: make_user(role, role=role) for role in ROLES if role}


@pytest.fixture
def objects(users):
    coordinator = users[COORDINATOR]
    ask = make_ask(statement="We call for **this**.", is_published=True, target_count=10)
    organisation = make_organisation()
    contact = make_contact()
    affiliation = Affiliation.objects.create(contact=contact, organisation=organisation)
    outreach = make_outreach(ask=ask, organisation=organisation)

    activity = outreach_log_activity(outreach=outreach, kind="note", by=coordinator, summary="Hi")
    signature = make_signature(ask, public=True)
    record = run.new_record(
        kind="contacts", data=b"email\nx@example.org\n", file_name="x.csv", user=coordinator
    )
    snapshot = delivery_snapshot_create(
        ask=ask, as_of=timezone.now() + datetime.timedelta(minutes=1), language="en", by=None
    )

    # Made directly: the address checks would resolve the name (webhooks/safety.py).
    webhook = WebhookEndpoint.objects.create(url="https://hooks.example.org/in", events=["x"])
    return {
        "ask": ask,
        "campaign": ask.campaign,
        "organisation": organisation,
        "contact": contact,
        "affiliation": affiliation,
        "tag": Tag.objects.create(name="press"),
        "consent": ConsentRecord.objects.create(
            contact=contact, purpose="newsletter", given_at=timezone.now()
        ),
        "outreach": outreach,
        "activity": activity,
        "signature": signature,
        "import": record,
        "snapshot": snapshot,
        "message": make_message_template(ask),
        "batch": EmailBatch.objects.create(ask=ask, purpose="invitation", created_by=coordinator),
        "saved_views": {
            username: SavedView.objects.create(user=user, list="contacts", name="v", query="")
            for username, user in users.items()
        },
        # A large export each may have asked for (those without the permission cannot).
        "exports": {
            username: ExportFile.objects.create(
                kind="contacts",
                file_format="csv",
                status=ExportFile.Status.READY,
                created_by=user,
                file_name="contacts.csv",
                content=b"email\n",
                expires_at=timezone.now() + datetime.timedelta(hours=1),
            )
            for username, user in users.items()
            if user is not None
        },
        "webhook": webhook,
        "webhook_delivery": WebhookDelivery.objects.create(
            endpoint=webhook, event=Event.CONTACT_ERASED, payload={}, status="failed"
        ),
    }
