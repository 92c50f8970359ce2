"""An organisation's entry gets (or changes) its contact person on its own page, among
the organisation's contacts, through outreach_set_contact."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import api_token_create
from crm.models import Affiliation
from outreach.models import Signature, Stage
from outreach.services import (
    CONTACT_NOT_AFFILIATED,
    CONTACT_OF_INDIVIDUAL,
    outreach_change_stage,
    outreach_set_contact,
)
from tests.factories import make_contact, make_organisation, make_outreach, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    """An organisation added to an ask before it had any contact."""
    return make_outreach(organisation=make_organisation("Privacy First"), stage=Stage.INVITED)


def _affiliate(organisation, first_name, last_name, role="Campaigner"):
    person = make_contact(first_name, last_name)
    Affiliation.objects.create(contact=person, organisation=organisation, role=role)
    return person


def test_it_sets_a_contact_added_to_the_organisation_later(entry, staff):
    person = _affiliate(entry.organisation, "Ruth", "de Vries")

    outreach_set_contact(outreach=entry, contact=person, by=staff)

    entry.refresh_from_db()
    assert entry.contact == person
    assert entry.history.first().history_user == staff


def test_the_new_contact_person_signs_when_the_entry_moves_to_signed(entry, staff):
    person = _affiliate(entry.organisation, "Ruth", "de Vries", role="Director")
    outreach_set_contact(outreach=entry, contact=person, by=staff)

    outreach_change_stage(outreach=entry, stage=Stage.SIGNED, by=staff)

    signature = Signature.objects.get()
    assert (signature.contact, signature.role) == (person, "Director")


def test_it_refuses_a_person_who_is_not_a_contact_of_the_organisation(entry, staff):
    stranger = make_contact("Eve", "Outside")

    with pytest.raises(ValidationError) as refused:
        outreach_set_contact(outreach=entry, contact=stranger, by=staff)

    assert refused.value.message_dict["contact"] == [
        CONTACT_NOT_AFFILIATED.format(person="Eve Outside", organisation="Privacy First")
    ]
    entry.refresh_from_db()
    assert entry.contact is None


def test_an_individuals_entry_keeps_its_person(staff):
    person = make_contact("Mira", "Okafor")
    entry = make_outreach(contact=person)

    with pytest.raises(ValidationError, match=CONTACT_OF_INDIVIDUAL):
        outreach_set_contact(outreach=entry, contact=make_contact(), by=staff)


def test_it_clears_the_contact_person(entry, staff):
    outreach_set_contact(
        outreach=entry, contact=_affiliate(entry.organisation, "Ruth", "Vries"), by=staff
    )

    outreach_set_contact(outreach=entry, contact=None, by=staff)

    entry.refresh_from_db()
    assert entry.contact is None


def test_the_entry_page_offers_the_organisations_contacts_and_saves_the_choice(entry, staff_client):
    ruth = _affiliate(entry.organisation, "Ruth", "de Vries")
    _affiliate(make_organisation(), "Someone", "Elsewhere")

    page = staff_client.get(entry.get_absolute_url())
    choices = [c for _, c in page.context["contact_form"].fields["contact"].choices]
    response = staff_client.post(
        reverse("outreach:outreach-contact", args=[entry.pk]), {"contact": ruth.pk}, follow=True
    )

    assert choices == ["No contact person", "Ruth de Vries"]
    assert "Save contact person" in page.content.decode()
    assert "Contact person: Ruth de Vries." in response.content.decode()
    entry.refresh_from_db()
    assert entry.contact == ruth


def test_the_entry_page_points_to_the_organisation_when_it_has_no_contacts(entry, staff_client):
    html = staff_client.get(entry.get_absolute_url()).content.decode()

    assert "Privacy First has no contacts yet" in html
    assert entry.organisation.get_absolute_url() in html


def test_a_forged_post_with_someone_elses_contact_changes_nothing(entry, staff_client):
    outsider = _affiliate(make_organisation(), "Eve", "Outside")

    response = staff_client.post(
        reverse("outreach:outreach-contact", args=[entry.pk]), {"contact": outsider.pk}, follow=True
    )

    assert "Select a valid choice" in response.content.decode()
    entry.refresh_from_db()
    assert entry.contact is None


def test_a_viewer_cannot_change_the_contact_person(entry, client):
    ruth = _affiliate(entry.organisation, "Ruth", "de Vries")
    client.force_login(make_user(role="viewer"))

    response = client.post(
        reverse("outreach:outreach-contact", args=[entry.pk]), {"contact": ruth.pk}
    )

    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.contact is None


def _api_as(role):
    _, token = api_token_create(user=make_user(role=role), name=f"{role} script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_the_api_sets_the_contact_person_through_the_service(entry):
    ruth = _affiliate(entry.organisation, "Ruth", "de Vries")
    outsider = make_contact("Eve", "Outside")
    api = _api_as("campaigner")

    refused = api.patch(f"/api/v1/outreach/{entry.pk}/", {"contact": outsider.pk}, format="json")
    accepted = api.patch(f"/api/v1/outreach/{entry.pk}/", {"contact": ruth.pk}, format="json")

    assert refused.status_code == 400
    assert "is not a contact of Privacy First" in str(refused.json())
    assert accepted.status_code == 200
    entry.refresh_from_db()
    assert entry.contact == ruth
