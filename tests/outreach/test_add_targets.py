"""outreach_add_targets: a selection becomes pipeline entries, once."""

import pytest
from django.core.exceptions import ValidationError

from crm.models import Affiliation
from outreach.models import Outreach, Stage
from outreach.services import outreach_add_targets
from tests.factories import make_ask, make_contact, make_organisation, make_outreach

pytestmark = pytest.mark.django_db


def test_it_adds_organisations_and_individuals_with_the_primary_contact(staff):
    ask = make_ask()
    organisation = make_organisation()
    person = make_contact()
    Affiliation.objects.create(contact=person, organisation=organisation, is_primary=True)
    expert = make_contact()

    result = outreach_add_targets(
        ask=ask, organisations=[organisation], contacts=[expert], owner=staff, by=staff
    )

    assert result.added_count == 2
    assert result.skipped == 0
    entry = Outreach.objects.get(ask=ask, organisation=organisation)
    assert entry.contact == person
    assert entry.owner == staff
    assert entry.stage == Stage.PROSPECT
    assert Outreach.objects.get(ask=ask, organisation__isnull=True).contact == expert
    assert Outreach.history.filter(id=entry.pk, history_user=staff).exists()


def test_adding_twice_adds_nothing_the_second_time(staff):
    ask = make_ask()
    organisations = [make_organisation() for _ in range(3)]
    outreach_add_targets(ask=ask, organisations=organisations, by=staff)

    again = outreach_add_targets(ask=ask, organisations=organisations, by=staff)

    assert again.added_count == 0
    assert again.skipped == 3
    assert Outreach.objects.count() == 3


def test_existing_entries_keep_their_stage(staff):
    entry = make_outreach(stage=Stage.SIGNED)

    outreach_add_targets(ask=entry.ask, organisations=[entry.organisation], by=staff)

    entry.refresh_from_db()
    assert entry.stage == Stage.SIGNED


def test_entries_may_start_as_invited_but_not_further(staff):
    ask = make_ask()
    outreach_add_targets(
        ask=ask, organisations=[make_organisation()], stage=Stage.INVITED, by=staff
    )
    assert Outreach.objects.get().invited_at is not None

    with pytest.raises(ValidationError):
        outreach_add_targets(
            ask=ask, organisations=[make_organisation()], stage=Stage.SIGNED, by=staff
        )
