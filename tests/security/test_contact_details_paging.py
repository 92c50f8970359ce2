"""Attack: a viewer pages through every contact's e-mail and phone with the API
(`page_size=200`), without an audit line — the export permission made moot. Viewers now
see e-mails and phones one contact at a time (its page, its API detail), not in lists;
the roles that see them in lists leave an audit line every API_PAGING_AUDIT_AFTER rows
read within an hour, like an export."""

import logging

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from crm.models import Contact
from crm.roles import CAMPAIGNER, VIEWER
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts():
    return [
        Contact.objects.create(first_name=f"P{n}", email=f"p{n}@example.org", phone="+3224000000")
        for n in range(5)
    ]


def api_for(role, user=None):
    client = APIClient()
    client.force_authenticate(user or make_user(role, role=role))
    return client


def audit_lines(caplog):
    return [r for r in caplog.records if r.name == "coalition.audit"]


def test_a_viewer_lists_contacts_without_emails_or_phones(contacts):
    response = api_for(VIEWER).get("/api/v1/contacts/", {"page_size": 200})

    rows = response.json()["results"]
    assert len(rows) == 5
    assert all("email" not in row and "phone" not in row for row in rows)


def test_a_viewer_sees_them_one_contact_at_a_time(contacts):
    response = api_for(VIEWER).get(f"/api/v1/contacts/{contacts[0].pk}/")

    assert response.json()["email"] == "p0@example.org"


def test_the_viewers_contact_list_page_has_no_email_column(client, contacts):
    client.force_login(make_user("viewer", role=VIEWER))

    page = client.get(reverse("crm:contact-list")).content.decode()

    assert "p0@example.org" not in page
    assert "P0" in page


def test_a_campaigner_still_sees_them_in_lists(client, contacts):
    campaigner = make_user("campaigner", role=CAMPAIGNER)
    client.force_login(campaigner)

    assert "p0@example.org" in client.get(reverse("crm:contact-list")).content.decode()
    api = api_for(CAMPAIGNER, campaigner)
    assert "email" in api.get("/api/v1/contacts/").json()["results"][0]


def test_paging_past_the_threshold_leaves_an_audit_line(contacts, settings, caplog):
    settings.API_PAGING_AUDIT_AFTER = 4
    client = api_for(CAMPAIGNER)

    with caplog.at_level(logging.INFO, logger="coalition.audit"):
        client.get("/api/v1/contacts/", {"page_size": 3})
        first = len(audit_lines(caplog))
        client.get("/api/v1/contacts/", {"page_size": 3, "page": 2})

    [line] = audit_lines(caplog)
    assert first == 0
    assert (line.kind, line.rows, line.via, line.user) == ("contacts", 5, "api paging", CAMPAIGNER)
    assert "p0@example.org" not in line.getMessage()
