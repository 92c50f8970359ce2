"""Who reaches the OSDI API and with which token, what a role sees, bounded queries, and
the incremental sync a client runs with `filter=modified_date gt '…'`."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from crm.services import contact_save
from tests.factories import make_ask, make_contact, make_signature
from tests.osdi.conftest import BASE

pytestmark = pytest.mark.django_db


def test_without_a_token_nothing_is_read():
    make_contact(email="ana@example.org")
    response = APIClient().get(BASE + "people/")
    assert response.status_code == 401
    assert "ana@example.org" not in response.content.decode()


def test_a_wrong_osdi_token_is_refused():
    client = APIClient()
    client.credentials(HTTP_OSDI_API_TOKEN="not-a-token")
    assert client.get(BASE).status_code == 401


def test_the_rest_apis_token_scheme_works_here_too(osdi):
    token = osdi("viewer").token
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(BASE + "people/").status_code == 200


def test_a_plain_json_client_is_answered_too(osdi):
    response = osdi().get(BASE, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


def test_a_viewer_never_sees_emails_or_phones_in_a_list_of_people(osdi):
    make_contact(email="ana@example.org", phone="+351912345678")
    response = osdi("viewer").get(BASE + "people/")
    (person,) = response.json()["_embedded"]["osdi:people"]
    assert "email_addresses" not in person and "phone_numbers" not in person
    assert "ana@example.org" not in response.content.decode()
    assert "912345678" not in response.content.decode()


def test_a_campaigner_lists_emails_and_phones(osdi):
    make_contact(email="ana@example.org", phone="+351912345678")
    (person,) = osdi("campaigner").get(BASE + "people/").json()["_embedded"]["osdi:people"]
    assert person["email_addresses"] == [{"primary": True, "address": "ana@example.org"}]
    assert person["phone_numbers"] == [{"primary": True, "number": "+351912345678"}]


def test_a_staff_member_without_a_role_reads_nothing(osdi):
    client = osdi(role=None)
    make_contact()
    assert client.get(BASE + "people/").status_code == 403
    assert client.get(BASE + "petitions/").status_code == 403


@pytest.mark.parametrize(
    "path",
    ["people/", "petitions/", "tags/", "petitions/{ask}/signatures/", "people/{person}/"],
)
def test_a_page_costs_the_same_queries_whatever_its_size(osdi, path):
    ask = make_ask(is_published=True)
    client = osdi()
    first = make_signature(ask, organisation=True)
    path = path.format(ask=ask.pk, person=first.contact_id)

    def queries(per_page):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(BASE + path, {"per_page": per_page}).status_code == 200
        return len(captured)

    few = queries(1)
    for n in range(6):
        make_signature(ask, organisation=n % 2 == 0)
    assert queries(50) == few


# --- the filter -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("modified_date gt 2026-01-01", "Could not read the filter"),
        ("modified_date gt '2026-01-01' or created_date lt '2026-02-01'", "Could not read"),
        ("email eq 'ana@example.org'", "“email” cannot be filtered on"),
        ("modified_date eq '2026-01-01'", "“eq” is not an operator"),
        ("modified_date gt 'yesterday'", "“yesterday” is not a date"),
        ("modified_date gt '2026-02-30'", "“2026-02-30” is not a date"),
        ("", "Could not read the filter"),
    ],
)
def test_a_filter_that_cannot_be_read_is_refused_and_says_why(osdi, text, named):
    response = osdi().get(BASE + "people/", {"filter": text})
    assert response.status_code == 400
    assert named in response.json()["filter"][0]


def test_a_filter_takes_a_date_range(osdi):
    old = make_contact(last_name="Old")
    new = make_contact(last_name="New")
    type(old).objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(3))
    since = (timezone.now() - datetime.timedelta(days=1)).strftime("%Y-%m-%d")
    until = (timezone.now() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = (
        osdi()
        .get(
            BASE + "people/",
            {"filter": f"modified_date gt '{since}' and modified_date lt '{until}'"},
        )
        .json()
    )
    assert [p["family_name"] for p in body["_embedded"]["osdi:people"]] == [new.last_name]
    assert "filter=" in body["_links"]["self"]["href"]


def _ids(client, path, since):
    """Everything a client reads since `since`, following `next` to the end."""
    url = BASE + path
    query = {"filter": f"modified_date gt '{since}'", "per_page": 2}
    ids = []
    while url:
        body = client.get(url, query).json()
        rel = next(iter(body["_embedded"]))
        ids += [row["identifiers"][0] for row in body["_embedded"][rel]]
        url, query = body["_links"].get("next", {}).get("href"), None
    return ids


def test_an_incremental_sync_returns_exactly_what_changed_since_the_last_run(osdi):
    ask = make_ask(is_published=True)
    unchanged = [make_signature(ask) for _ in range(3)]
    changed_person = make_contact(last_name="Before")
    past = timezone.now() - datetime.timedelta(hours=1)
    for model in (type(changed_person), type(unchanged[0])):
        model.objects.update(updated_at=past)
    last_run = (past + datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    # After the last run: a person edited, a signature withdrawn, a new signature.
    changed_person.last_name = "After"
    contact_save(contact=changed_person)
    from outreach.services import signature_withdraw

    withdrawn = signature_withdraw(signature=unchanged[0], reason="asked to")
    new = make_signature(ask)

    client = osdi()
    signatures = _ids(client, f"petitions/{ask.pk}/signatures/", last_run)
    assert sorted(signatures) == sorted(f"coalition_crm:{s.pk}" for s in (withdrawn, new))
    people = _ids(client, "people/", last_run)
    assert sorted(people) == sorted(
        f"coalition_crm:{pk}" for pk in (changed_person.pk, new.contact_id)
    )
    row = client.get(BASE + f"petitions/{ask.pk}/signatures/{withdrawn.pk}/").json()
    assert row["coalition:status"] == "withdrawn"
