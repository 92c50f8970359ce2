"""The database, not only the forms, keeps the records consistent."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from crm.models import Affiliation, ConsentRecord, Contact, Organisation
from crm.text import normalise_email
from tests.factories import make_contact, make_organisation

pytestmark = pytest.mark.django_db


def test_it_stores_email_trimmed_nfc_and_lower_case():
    contact = make_contact(email="  Ana@X.org\u00a0")
    contact.refresh_from_db()
    assert contact.email == "ana@x.org"


def test_it_stores_decomposed_unicode_email_composed():
    contact = make_contact(email="Jose\u0301@Example.org")  # e + combining acute accent
    contact.refresh_from_db()
    assert contact.email == "jos\u00e9@example.org"


def test_email_differing_only_by_case_and_spaces_is_refused():
    make_contact(email="ana@x.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_contact(email="Ana@X.org ")


def test_email_lookup_finds_the_normalised_address():
    contact = make_contact(email="ana@x.org")
    assert Contact.objects.get(email=" ANA@x.org") == contact


def test_many_contacts_may_have_no_email():
    make_contact(email="")
    make_contact(email=None)
    assert Contact.objects.filter(email__isnull=True).count() == 2


def test_a_contact_needs_a_name_or_an_email():
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(first_name="", last_name="", email="")


def test_it_refuses_a_second_primary_affiliation():
    contact = make_contact()
    Affiliation.objects.create(contact=contact, organisation=make_organisation(), is_primary=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Affiliation.objects.create(
            contact=contact, organisation=make_organisation(), is_primary=True
        )


def test_an_affiliation_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        Affiliation.objects.create(
            contact=make_contact(),
            organisation=make_organisation(),
            started_on=datetime.date(2024, 5, 1),
            ended_on=datetime.date(2024, 4, 30),
        )


def test_consent_cannot_be_withdrawn_before_it_was_given():
    given = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentRecord.objects.create(
            contact=make_contact(),
            purpose=ConsentRecord.Purpose.NEWSLETTER,
            given_at=given,
            withdrawn_at=given - datetime.timedelta(days=1),
        )


def test_organisation_keeps_its_website_domain():
    organisation = make_organisation(website="https://www.EDRi.example.org/about/")
    assert Organisation.objects.get(pk=organisation.pk).domain == "edri.example.org"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ana@x.org", "ana@x.org"),
        ("\u200bAna@X.ORG\ufeff", "ana@x.org"),
        ("\tana@x.org\n", "ana@x.org"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_email(typed, stored):
    assert normalise_email(typed) == stored
