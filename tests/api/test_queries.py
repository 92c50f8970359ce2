"""List endpoints cost the same number of queries for 10 rows as for 1,000."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Contact, Organisation, Tag
from outreach.models import Activity, Outreach, Signature
from tests.factories import make_ask

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "organisations",
    "contacts",
    "tags",
    "outreach",
    "signatures",
    "activities",
    "asks",
    "campaigns",
]


def _grow(n):
    ask = make_ask()
    tag = Tag.objects.get_or_create(name="Privacy")[0]
    start = Organisation.objects.count()
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Org {start + i}") for i in range(n)
    )
    contacts = Contact.objects.bulk_create(
        Contact(first_name="P", last_name=f"{start + i}") for i in range(n)
    )
    for organisation in organisations:
        organisation.tags.add(tag)
    entries = Outreach.objects.bulk_create(Outreach(ask=ask, organisation=o) for o in organisations)
    Signature.objects.bulk_create(
        Signature(ask=ask, organisation=o, display_name=o.name) for o in organisations
    )
    Activity.objects.bulk_create(Activity(kind="note", outreach=e) for e in entries)
    return contacts


def _queries(client, endpoint):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/{endpoint}/")
    assert response.status_code == 200
    return len(queries)


def test_list_query_counts_do_not_grow_with_rows(api):
    client = api("viewer")
    _grow(10)
    small = {endpoint: _queries(client, endpoint) for endpoint in ENDPOINTS}

    _grow(990)
    large = {endpoint: _queries(client, endpoint) for endpoint in ENDPOINTS}

    assert large == small
