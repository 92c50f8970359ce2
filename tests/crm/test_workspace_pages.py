"""The organisation and contact pages: what they show, the forms, inline edits."""

from datetime import date

import pytest
from django.urls import reverse

from crm.models import Affiliation, Contact, Organisation
from crm.services import contact_set_do_not_contact
from outreach.models import Activity, Stage
from outreach.services import outreach_change_stage, signature_record
from tests.factories import make_ask, make_contact, make_organisation, make_outreach

pytestmark = pytest.mark.django_db


def test_it_shows_an_organisation_with_contacts_networks_and_its_asks(staff_client, staff):
    network = make_organisation("EDRi network", kind=Organisation.Kind.NETWORK)
    organisation = make_organisation("Bits of Freedom", acronym="BoF", notes="Met in Brussels.")
    organisation.member_of.add(network)
    member = make_organisation("Small member")
    member.member_of.add(organisation)
    current = make_contact("Lotte", "Jansen")
    past = make_contact("Pieter", "de Vries")
    Affiliation.objects.create(contact=current, organisation=organisation, role="Policy lead")
    Affiliation.objects.create(
        contact=past,
        organisation=organisation,
        role="Director",
        started_on=date(2015, 1, 1),
        ended_on=date(2020, 1, 1),
    )
    ask = make_ask(title="Ban facial recognition")
    entry = make_outreach(ask=ask, organisation=organisation)
    outreach_change_stage(outreach=entry, stage=Stage.INVITED, by=staff)
    declined = make_outreach(ask=make_ask(title="Attend the summit"), organisation=organisation)
    outreach_change_stage(outreach=declined, stage=Stage.DECLINED, by=staff)

    response = staff_client.get(organisation.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Bits of Freedom · Coalition CRM</title>" in html
    assert "Lotte Jansen" in html and "Policy lead" in html
    assert "Past contacts" in html and "Pieter de Vries" in html
    assert "EDRi network" in html and "Small member" in html
    assert "Ban facial recognition" in html and "Invited" in html
    assert "Attend the summit" in html and "Declined" in html
    assert "Cam Paigner" in html  # who invited
    assert "Met in Brussels." in html


def test_it_shows_a_contact_with_affiliations_consent_outreach_and_signatures(staff_client):
    organisation = make_organisation("Privacy First")
    contact = make_contact("Yuki", "Tanaka", email="yuki@example.org")
    Affiliation.objects.create(contact=contact, organisation=organisation, role="Researcher")
    contact.consents.create(purpose="outreach", given_at="2024-01-01T10:00:00Z", source="form")
    ask = make_ask(title="Stop spyware")
    signature_record(ask=ask, contact=contact, display_name="Dr Yuki Tanaka")
    Activity.objects.create(kind=Activity.Kind.CALL, contact=contact, summary="Called about it")

    html = staff_client.get(contact.get_absolute_url()).content.decode()

    assert "Privacy First" in html and "Researcher" in html
    assert "Outreach e-mails" in html
    assert "Stop spyware" in html and "Dr Yuki Tanaka" in html
    assert "Called about it" in html


def test_it_marks_a_contact_do_not_contact_and_back(staff_client):
    contact = make_contact("Ana", "Silva")
    url = reverse("crm:contact-do-not-contact", args=[contact.pk])

    staff_client.post(url, {"do_not_contact": "true"})
    contact.refresh_from_db()
    assert contact.do_not_contact is True
    assert contact.history.first().history_user.username == "campaigner"
    assert "Do not contact." in staff_client.get(contact.get_absolute_url()).content.decode()

    staff_client.post(url, {"do_not_contact": "false"})
    contact.refresh_from_db()
    assert contact.do_not_contact is False


def test_marking_do_not_contact_twice_changes_nothing():
    contact = make_contact()
    contact_set_do_not_contact(contact=contact)
    count = contact.history.count()
    contact_set_do_not_contact(contact=contact)
    assert contact.history.count() == count


def test_it_creates_an_organisation_and_names_what_was_wrong(staff_client):
    url = reverse("crm:organisation-create")

    response = staff_client.post(url, {"name": "", "kind": "ngo", "website": "not a site"})
    html = response.content.decode()
    assert "Give the organisation&#x27;s name." in html
    assert "Enter a full web address, like https://example.org." in html
    assert not Organisation.objects.exists()

    response = staff_client.post(
        url, {"name": " Access  Now ", "kind": "ngo", "website": "https://www.accessnow.org/x"}
    )
    organisation = Organisation.objects.get()
    assert response.url == organisation.get_absolute_url()
    assert organisation.name == "Access Now"
    assert organisation.domain == "accessnow.org"
    assert organisation.history.first().history_user.username == "campaigner"


def test_it_edits_an_organisation_inline_with_htmx(staff_client):
    organisation = make_organisation("Old name")
    url = reverse("crm:organisation-update", args=[organisation.pk])

    form = staff_client.get(url, headers={"HX-Request": "true"})
    assert "<html" not in form.content.decode()
    assert 'hx-post="' + url in form.content.decode()

    response = staff_client.post(
        url, {"name": "New name", "kind": "union"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html and 'id="details"' in html and "Saved." in html
    organisation.refresh_from_db()
    assert organisation.name == "New name" and organisation.kind == "union"


def test_creating_a_contact_with_a_known_email_links_to_the_existing_one(staff_client):
    existing = make_contact("José", "García", email="jose@example.org")

    response = staff_client.post(
        reverse("crm:contact-create"), {"first_name": "Pepe", "email": " JOSE@example.org "}
    )

    html = response.content.decode()
    assert "A contact with this e-mail already exists." in html
    assert existing.get_absolute_url() in html
    assert Contact.objects.count() == 1


def test_creating_a_contact_with_a_very_similar_name_asks_to_confirm(staff_client):
    existing = make_contact("José", "García")
    url = reverse("crm:contact-create")

    response = staff_client.post(url, {"first_name": "Jose", "last_name": "Garcia"})
    html = response.content.decode()
    assert "very similar name" in html and existing.get_absolute_url() in html
    assert Contact.objects.count() == 1

    response = staff_client.post(
        url, {"first_name": "Jose", "last_name": "Garcia", "confirm_new": "on"}
    )
    assert response.status_code == 302
    assert Contact.objects.count() == 2


def test_a_contact_needs_a_name_or_an_email(staff_client):
    response = staff_client.post(reverse("crm:contact-create"), {"expertise": "law"})
    assert "Give at least a name or an e-mail address." in response.content.decode()


def test_adding_a_contact_from_an_organisation_page_affiliates_them(staff_client):
    organisation = make_organisation("Digitalcourage")

    page = staff_client.get(reverse("crm:contact-create") + f"?organisation={organisation.pk}")
    assert "New contact at Digitalcourage" in page.content.decode()
    staff_client.post(
        reverse("crm:contact-create"),
        {
            "first_name": "Rena",
            "last_name": "Tangens",
            "organisation": organisation.pk,
            "role": "Co-founder",
        },
    )

    affiliation = Affiliation.objects.get()
    assert affiliation.organisation == organisation and affiliation.role == "Co-founder"
    assert affiliation.contact.full_name == "Rena Tangens" and affiliation.is_primary


def test_a_new_primary_affiliation_takes_the_flag_from_the_old_one(staff_client):
    contact = make_contact()
    old = Affiliation.objects.create(
        contact=contact, organisation=make_organisation(), is_primary=True
    )
    other = make_organisation("New home")

    staff_client.post(
        reverse("crm:contact-affiliation-create", args=[contact.pk]),
        {"organisation": "new hom", "role": "Staff", "is_primary": "on"},
    )

    old.refresh_from_db()
    assert not old.is_primary
    assert contact.affiliations.get(is_primary=True).organisation == other


def test_an_affiliation_cannot_end_before_it_starts(staff_client):
    affiliation = Affiliation.objects.create(
        contact=make_contact(), organisation=make_organisation()
    )
    response = staff_client.post(
        reverse("crm:affiliation-update", args=[affiliation.pk]),
        {
            "organisation": affiliation.organisation_id,
            "started_on": "2024-05-01",
            "ended_on": "2023-01-01",
        },
    )
    assert "The end date is before the start date." in response.content.decode()


@pytest.mark.parametrize(
    "name",
    ["crm:organisation-list", "crm:contact-list", "crm:organisation-create", "crm:contact-create"],
)
def test_pages_need_a_staff_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/sign-in/" in response.url


def test_lists_have_clear_empty_states(staff_client):
    assert (
        "No organisations yet"
        in staff_client.get(reverse("crm:organisation-list")).content.decode()
    )
    html = staff_client.get(reverse("crm:contact-list"), {"q": "nobody"}).content.decode()
    assert "No contact matches these filters" in html


def test_linking_a_contact_names_them_by_email_or_enough_of_the_name(staff_client):
    organisation = make_organisation("Statewatch")
    make_contact("Anna", "Müller", email="anna@example.org")
    make_contact("Anna", "Müllerová")
    url = reverse("crm:organisation-affiliation-create", args=[organisation.pk])

    response = staff_client.post(url, {"contact": "anna muller"})
    assert "Several match “anna muller”" in response.content.decode()
    response = staff_client.post(url, {"contact": "Nobody Atall"})
    assert "No contact matches “Nobody Atall”." in response.content.decode()
    assert not Affiliation.objects.exists()

    staff_client.post(url, {"contact": "ANNA@example.org", "role": "Editor"})
    affiliation = Affiliation.objects.get()
    assert affiliation.contact.email == "anna@example.org" and affiliation.role == "Editor"


def test_the_new_contact_form_warns_about_duplicates_as_you_type(staff_client):
    existing = make_contact("Zoë", "Dupont", email="zoe@example.org")
    url = reverse("crm:contact-duplicates")

    assert 'hx-get="' + url in staff_client.get(reverse("crm:contact-create")).content.decode()
    html = staff_client.get(url, {"email": " ZOE@example.org"}, headers={"HX-Request": "true"})
    assert "already belongs to" in html.content.decode()
    assert existing.get_absolute_url() in html.content.decode()
    html = staff_client.get(url, {"first_name": "zoe", "last_name": "dupont"}).content.decode()
    assert "very similar name" in html and existing.get_absolute_url() in html
    assert staff_client.get(url, {"first_name": "Someone"}).content.decode().strip() == ""
