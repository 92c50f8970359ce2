"""Bulk actions on a selection or on every row that matches the list's filters."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from crm.models import Contact, Organisation, Tag
from crm.spreadsheets import neutralise_formula
from outreach.models import Outreach
from tests.factories import make_ask, make_contact, make_organisation, make_outreach, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tag():
    return Tag.objects.create(name="EU digital rights")


def bulk(client, url_name, **data):
    data.setdefault("scope", "selected")
    return client.post(reverse(url_name), data)


def test_tagging_all_that_match_touches_exactly_the_filtered_rows(staff_client, tag):
    dutch = [make_organisation(f"NL group {i}", country="NL") for i in range(3)]
    make_organisation("French group", country="FR")
    make_organisation("NL union", country="NL", kind=Organisation.Kind.UNION)

    response = bulk(
        staff_client,
        "crm:organisation-bulk",
        action="add_tag",
        tag=tag.pk,
        scope="all",
        query="country=NL&kind=ngo&page=2",
    )

    assert response.status_code == 302
    assert response.url == "/organisations/?country=NL&kind=ngo&page=2"
    assert set(tag.organisations.all()) == set(dutch)
    again = bulk(
        staff_client,
        "crm:organisation-bulk",
        action="add_tag",
        tag=tag.pk,
        scope="all",
        query="country=NL&kind=ngo",
    )
    messages = [str(m) for m in again.wsgi_request._messages]
    assert messages[-1] == "Tag “EU digital rights” added to 0 records."


def test_tagging_the_selection_ignores_rows_outside_the_filters(staff_client, tag):
    anna, bert = make_contact("Anna", "A", country="NL"), make_contact("Bert", "B", country="NL")
    outsider = make_contact("Carl", "C", country="DE")

    bulk(
        staff_client,
        "crm:contact-bulk",
        action="add_tag",
        tag=tag.pk,
        selected=[anna.pk, outsider.pk],
        query="country=NL",
    )

    assert list(tag.contacts.all()) == [anna]
    assert not bert.tags.exists() and not outsider.tags.exists()


def test_removing_a_tag_from_all_that_match(staff_client, tag):
    keep = make_contact("Keep", "Me", country="DE")
    lose = [make_contact("Lose", f"Me {i}", country="NL") for i in range(2)]
    for contact in [keep, *lose]:
        contact.tags.add(tag)

    response = bulk(
        staff_client,
        "crm:contact-bulk",
        action="remove_tag",
        tag=tag.pk,
        scope="all",
        query="country=NL",
    )

    assert list(tag.contacts.all()) == [keep]
    assert "removed from 2 records" in str(list(response.wsgi_request._messages)[0])


def test_adding_to_an_ask_reports_added_and_skipped_and_sets_the_owner(staff_client, staff):
    ask = make_ask(title="Stop spyware")
    owner = make_user("owner")
    already, new = make_organisation("Already"), make_organisation("New")
    make_outreach(ask=ask, organisation=already)

    response = bulk(
        staff_client,
        "crm:organisation-bulk",
        action="add_to_ask",
        ask=ask.pk,
        owner=owner.pk,
        selected=[already.pk, new.pk],
    )

    entry = Outreach.objects.get(ask=ask, organisation=new)
    assert entry.owner == owner and entry.stage == "prospect"
    assert [str(m) for m in response.wsgi_request._messages] == [
        "1 added to “Stop spyware”, 1 already in its pipeline."
    ]


def test_contacts_marked_do_not_contact_are_left_out_of_an_ask(staff_client):
    ask = make_ask()
    ok, refused = make_contact("Ok", "Person"), make_contact("No", "Way", do_not_contact=True)

    response = bulk(staff_client, "crm:contact-bulk", action="add_to_ask", ask=ask.pk, scope="all")

    assert list(Outreach.objects.values_list("contact_id", flat=True)) == [ok.pk]
    assert "1 left out: marked do-not-contact." in str(list(response.wsgi_request._messages)[0])
    assert refused.outreach.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "add_tag", "scope": "all"}, "Choose the tag to add or remove."),
        ({"action": "add_to_ask", "scope": "all"}, "Choose the ask to add them to."),
        (
            {"action": "add_tag", "tag": "1", "scope": "selected"},
            "Select at least one row, or choose “all that match”.",
        ),
        ({"tag": "1"}, "Choose what to do with the rows."),
    ],
)
def test_an_incomplete_bulk_action_says_what_is_missing(staff_client, tag, data, message):
    make_contact()
    data = {**data, "tag": tag.pk} if "tag" in data else data
    response = staff_client.post(reverse("crm:contact-bulk"), data)
    assert message in [str(m) for m in response.wsgi_request._messages]
    assert not tag.contacts.exists()


def test_exporting_the_filtered_contacts_as_csv_neutralises_formulas(staff_client, tag):
    contact = make_contact('=HYPERLINK("http://x")', "Dupont", country="FR", email="d@x.org")
    contact.tags.add(tag)
    make_contact("Other", "Person", country="DE")

    response = bulk(
        staff_client, "crm:contact-bulk", action="export_csv", scope="all", query="country=FR"
    )

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    assert rows[0]["first_name"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["email"] == "d@x.org" and rows[0]["tags"] == "EU digital rights"


def test_exporting_selected_organisations_as_xlsx(staff_client):
    chosen = make_organisation("+Plus group", country="BE")
    make_organisation("Not chosen")

    response = bulk(
        staff_client, "crm:organisation-bulk", action="export_xlsx", selected=[chosen.pk]
    )

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert len(rows) == 2
    assert rows[1][header.index("name")] == "'+Plus group"
    assert rows[1][header.index("country")] == "BE"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+32 2 123", "'+32 2 123"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("José", "José"),
        ("a=b", "a=b"),
        ("", ""),
        (None, None),
        (5, 5),
    ],
)
def test_neutralise_formula(value, expected):
    assert neutralise_formula(value) == expected


def test_bulk_actions_need_staff(client):
    Contact.objects.create(first_name="X")
    response = client.post(reverse("crm:contact-bulk"), {"action": "export_csv", "scope": "all"})
    assert response.status_code == 302 and "/sign-in/" in response.url
