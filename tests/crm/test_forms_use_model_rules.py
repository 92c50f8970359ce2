"""The staff forms check no model constraint by hand: the model's constraint reports the
error (its name as the code) and the form only words it for the page."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS

from crm.forms import CONTACT_NAME_MISSING, DATES_REVERSED, AffiliationForm, ContactForm
from crm.models import Affiliation, Contact
from tests.factories import make_contact, make_organisation

pytestmark = pytest.mark.django_db


def test_a_contact_without_a_name_or_email_is_refused_by_the_models_constraint():
    form = ContactForm(data={"first_name": "", "last_name": "", "email": ""})

    assert not form.is_valid()
    (error,) = form.errors.as_data()[NON_FIELD_ERRORS]
    assert error.code == "contact_has_name_or_email"
    assert error.messages == [str(CONTACT_NAME_MISSING)]
    assert not Contact.objects.exists()


def test_an_affiliation_ending_before_it_starts_is_refused_by_the_models_constraint():
    contact, home = make_contact(), make_organisation()
    form = AffiliationForm(
        data={"started_on": "2026-05-01", "ended_on": "2026-04-01"},
        instance=Affiliation(contact=contact, organisation=home),
        fixed=("contact", "organisation"),
    )

    assert not form.is_valid()
    (error,) = form.errors.as_data()["ended_on"]
    assert error.code == "affiliation_ends_after_start"
    assert error.messages == [str(DATES_REVERSED)]
    assert list(form.errors) == ["ended_on"]


def test_an_affiliation_may_end_the_day_it_starts():
    contact, home = make_contact(), make_organisation()
    form = AffiliationForm(
        data={"started_on": "2026-05-01", "ended_on": "2026-05-01"},
        instance=Affiliation(contact=contact, organisation=home),
        fixed=("contact", "organisation"),
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["ended_on"] == datetime.date(2026, 5, 1)


def test_a_second_primary_affiliation_is_not_refused_by_the_form():
    contact = make_contact()
    Affiliation.objects.create(contact=contact, organisation=make_organisation(), is_primary=True)
    form = AffiliationForm(
        data={"is_primary": "on"},
        instance=Affiliation(contact=contact, organisation=make_organisation()),
        fixed=("contact", "organisation"),
    )

    assert form.is_valid(), form.errors  # affiliation_save moves the flag


def test_a_duplicate_email_keeps_the_forms_message_with_the_link(db):
    existing = make_contact(email="noor@example.org")
    form = ContactForm(data={"first_name": "Noor", "email": "Noor@example.org "})

    assert not form.is_valid()
    assert form.same_email == existing
    assert form.errors["email"] == ["A contact with this e-mail already exists."]
