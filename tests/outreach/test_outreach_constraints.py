import pytest
from django.db import IntegrityError, transaction

from outreach.models import Outreach
from tests.factories import make_ask, make_contact, make_organisation, make_outreach

pytestmark = pytest.mark.django_db


def test_one_outreach_entry_per_ask_and_organisation():
    ask, organisation = make_ask(), make_organisation()
    make_outreach(ask=ask, organisation=organisation)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_outreach(ask=ask, organisation=organisation)


def test_one_outreach_entry_per_ask_and_individual():
    ask, person = make_ask(), make_contact()
    make_outreach(ask=ask, contact=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_outreach(ask=ask, contact=person)


def test_a_person_may_be_the_contact_for_several_organisations_in_one_ask():
    ask, person = make_ask(), make_contact()
    make_outreach(ask=ask, organisation=make_organisation(), contact=person)
    make_outreach(ask=ask, organisation=make_organisation(), contact=person)
    make_outreach(ask=ask, contact=person)
    assert Outreach.objects.count() == 3


def test_an_outreach_entry_names_an_organisation_or_a_person():
    with pytest.raises(IntegrityError), transaction.atomic():
        Outreach.objects.create(ask=make_ask())
