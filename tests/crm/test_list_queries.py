"""List pages run the same number of queries for 20 rows as for 2,000."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.models import Affiliation, Contact, Organisation, Tag

pytestmark = pytest.mark.django_db


def fill(n):
    """n organisations and n contacts, each tagged and affiliated (bulk, so it is quick)."""
    start = Organisation.objects.count()
    tags = Tag.objects.bulk_create([Tag(name=f"tag {start}-{i}") for i in range(3)])
    organisations = Organisation.objects.bulk_create(
        [Organisation(name=f"Org {start + i}", country="NL") for i in range(n)]
    )
    contacts = Contact.objects.bulk_create(
        [Contact(first_name="P", last_name=f"Person {start + i}") for i in range(n)]
    )
    Affiliation.objects.bulk_create(
        [
            Affiliation(contact=c, organisation=o, is_primary=True)
            for c, o in zip(contacts, organisations, strict=True)
        ]
    )
    Organisation.tags.through.objects.bulk_create(
        [Organisation.tags.through(organisation=o, tag=t) for o in organisations for t in tags[:2]]
    )
    Contact.tags.through.objects.bulk_create(
        [Contact.tags.through(contact=c, tag=t) for c in contacts for t in tags[1:]]
    )


def queries_for(client, url, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured), response


PAGES = [
    ("crm:organisation-list", {}),
    ("crm:organisation-list", {"q": "org", "country": "NL", "sort": "-created", "per_page": "200"}),
    ("crm:contact-list", {}),
    ("crm:contact-list", {"q": "person", "sort": "-name", "per_page": "200"}),
]


def test_list_query_counts_are_the_same_for_20_and_2000_rows(staff_client):
    # One test for all lists: filling 2,000 rows is the slow part.
    fill(20)
    few = {}
    for name, params in PAGES:
        few[name, str(params)], response = queries_for(staff_client, reverse(name), params)
        assert len(response.context["object_list"]) == 20

    fill(1980)
    for name, params in PAGES:
        many, response = queries_for(staff_client, reverse(name), params)
        assert response.context["result_count"] == 2000
        assert many == few[name, str(params)], (name, params)


def grow_records(organisation, contact, n, user):
    from outreach.services import outreach_change_stage
    from tests.factories import make_ask, make_organisation, make_outreach

    for _ in range(n):
        other = make_organisation(kind=Organisation.Kind.NETWORK)
        organisation.member_of.add(other)
        Affiliation.objects.create(
            contact=Contact.objects.create(first_name="X"), organisation=organisation
        )
        Affiliation.objects.create(contact=contact, organisation=other)
        ask = make_ask()
        entry = make_outreach(ask=ask, organisation=organisation, contact=contact)
        outreach_change_stage(outreach=entry, stage="invited", by=user)
        individual = make_outreach(ask=ask, organisation=None, contact=contact)
        outreach_change_stage(outreach=individual, stage="invited", by=user)
        contact.consents.create(purpose="outreach", given_at="2024-01-01T00:00:00Z")


def test_record_pages_query_counts_do_not_grow_with_their_history(staff_client, staff):
    from tests.factories import make_contact, make_organisation

    organisation, contact = make_organisation("Home"), make_contact("Ana", "Lima")
    grow_records(organisation, contact, 2, staff)
    few_org, _ = queries_for(staff_client, organisation.get_absolute_url(), {})
    few_contact, _ = queries_for(staff_client, contact.get_absolute_url(), {})

    grow_records(organisation, contact, 8, staff)
    many_org, response = queries_for(staff_client, organisation.get_absolute_url(), {})
    assert len(response.context["outreach"]) == 10
    many_contact, response = queries_for(staff_client, contact.get_absolute_url(), {})
    assert len(response.context["outreach"]) == 20
    assert (many_org, many_contact) == (few_org, few_contact)


@pytest.mark.parametrize("name", ["crm:organisation-list", "crm:contact-list"])
def test_the_filter_form_reads_the_asks_once_for_its_three_ask_filters(staff_client, name):
    from tests.factories import make_ask

    make_ask(title="Ban facial recognition")
    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(reverse(name))
    page = response.content.decode()
    assert page.count(">Ban facial recognition</option>") == 3  # signed, declined, not asked
    # The bulk "add to an ask" form reads the asks for itself; the filters once between them.
    offered = 'SELECT "outreach_ask"."id", "outreach_ask"."title" FROM "outreach_ask"'
    assert len([q for q in captured if q["sql"].startswith(offered)]) == 1


def test_a_filter_still_refuses_a_record_it_does_not_offer(staff_client):
    response = staff_client.get(reverse("crm:contact-list"), {"signed": "999999"})
    assert "Select a valid choice" in response.content.decode()


def test_the_api_validates_filters_without_reading_what_a_form_would_offer(client):
    from tests.factories import make_ask, make_user

    make_ask(title="Ban facial recognition")
    client.force_login(make_user(role="coordinator"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/contacts/", {"country": "NL"})
    assert response.status_code == 200
    assert not [q["sql"] for q in captured if 'FROM "outreach_ask"' in q["sql"]]
