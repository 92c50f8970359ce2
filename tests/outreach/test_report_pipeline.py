"""Pipeline reports: the funnel, reminders before signing, time to sign, owners; and the
breakdowns of who signed."""

import datetime

import pytest
from django.utils import timezone

from crm.models import Organisation, Tag
from outreach import reports
from outreach.models import Outreach, Signature, Stage
from outreach.services import outreach_change_stage, signature_record, signature_withdraw
from tests.factories import make_ask, make_contact, make_organisation, make_outreach, make_user

pytestmark = pytest.mark.django_db

DAY0 = datetime.datetime(2026, 9, 1, 9, 0, tzinfo=datetime.UTC)


def days(n):
    return DAY0 + datetime.timedelta(days=n)


def invite(entry, by=None):
    return outreach_change_stage(outreach=entry, stage=Stage.INVITED, by=by, at=DAY0)


def remind(entry, on=3):
    return outreach_change_stage(outreach=entry, stage=Stage.FOLLOWED_UP, at=days(on))


def sign(entry, on):
    return signature_record(ask=entry.ask, organisation=entry.organisation, signed_at=days(on))


@pytest.fixture
def pipeline():
    """Seven entries, hand-counted:
    A prospect · B invited · C invited, reminded · D invited, reminded, signed day 10 ·
    E invited, signed day 2 · F invited, two reminders, signed day 5 · G signed, never
    invited. Alice owns B, C, D; Bob owns E, F; A and G have no owner."""
    alice = make_user("alice", first_name="Alice", last_name="Adams")
    bob = make_user("bob")
    ask = make_ask()
    today = timezone.localdate()
    a = make_outreach(ask=ask)
    b = invite(make_outreach(ask=ask, owner=alice))
    c = remind(invite(make_outreach(ask=ask, owner=alice)))
    d = remind(invite(make_outreach(ask=ask, owner=alice)))
    sign(d, 10)
    e = invite(make_outreach(ask=ask, owner=bob))
    sign(e, 2)
    f = remind(invite(make_outreach(ask=ask, owner=bob)))
    Outreach.objects.filter(pk=f.pk).update(follow_up_count=2)
    sign(f, 5)
    g = make_outreach(ask=ask)
    sign(g, 4)
    Outreach.objects.filter(pk=b.pk).update(next_follow_up_on=today)
    Outreach.objects.filter(pk=c.pk).update(next_follow_up_on=today - datetime.timedelta(days=3))
    make_outreach()  # another ask's entry: never counted here
    return ask, (a, b, c, d, e, f, g)


def test_the_funnel_counts_targets_invited_followed_up_and_signed(pipeline):
    ask, _ = pipeline

    funnel = reports.pipeline_funnel(ask=ask)

    assert [(s.label, s.count) for s in funnel.steps] == [
        ("Targets", 7),
        ("Invited", 5),
        ("Followed up", 3),
        ("Signed", 4),
    ]
    assert [(s.conversion, s.conversion_from) for s in funnel.steps] == [
        (None, ""),
        (71.4, "targets"),
        (60.0, "invited"),
        (60.0, "invited"),  # D, E, F of the five invited; G signed uninvited
    ]
    assert [s.signed_from_here for s in funnel.steps] == [57.1, 60.0, 66.7, 100.0]
    assert funnel.signed_without_invitation == 1


def test_it_counts_signatures_after_no_one_and_two_or_more_reminders(pipeline):
    ask, _ = pipeline

    funnel = reports.pipeline_funnel(ask=ask)

    assert funnel.after_reminders == [("No reminder", 2), ("1 reminder", 1), ("2 or more", 1)]


def test_the_median_days_from_invitation_to_signature(pipeline):
    ask, _ = pipeline

    funnel = reports.pipeline_funnel(ask=ask)

    # D 10 days, E 2 days, F 5 days; G was never invited.
    assert funnel.median_days_to_sign == 5.0
    assert funnel.timed_signatures == 3


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two():
    ask = make_ask()
    for signed_on in (2, 3, 9, 30):
        sign(invite(make_outreach(ask=ask)), signed_on)

    assert reports.pipeline_funnel(ask=ask).median_days_to_sign == 6.0


def test_an_empty_pipeline_has_no_median_and_no_rates():
    funnel = reports.pipeline_funnel(ask=make_ask())

    assert funnel.median_days_to_sign is None
    assert [s.count for s in funnel.steps] == [0, 0, 0, 0]
    assert funnel.steps[1].conversion is None


def test_owners_workload_and_conversion(pipeline):
    ask, _ = pipeline

    owners = {row.owner: row for row in reports.owner_workload(ask=ask)}

    alice = owners["Alice Adams"]
    assert (alice.entries, alice.awaiting_reply, alice.due, alice.overdue) == (3, 2, 1, 1)
    assert (alice.invited, alice.signed, alice.conversion) == (3, 1, 33.3)
    bob = owners["bob"]
    assert (bob.entries, bob.awaiting_reply, bob.invited, bob.signed, bob.conversion) == (
        2,
        0,
        2,
        2,
        100.0,
    )
    nobody = owners["Nobody (unassigned)"]
    assert (nobody.entries, nobody.signed, nobody.conversion) == (2, 1, None)


def test_breakdowns_by_country_kind_cause_and_source():
    ask = make_ask()
    privacy = Tag.objects.create(name="Privacy", kind=Tag.Kind.CAUSE)
    labour = Tag.objects.create(name="Labour rights", kind=Tag.Kind.CAUSE)
    Tag.objects.create(name="VIP", kind=Tag.Kind.LABEL)
    ngo = make_organisation(kind=Organisation.Kind.NGO, country="BE")
    ngo.tags.add(privacy, labour)
    union = make_organisation(kind=Organisation.Kind.UNION, country="BE")
    union.tags.add(labour)
    person = make_contact(country="NL")
    person.tags.add(privacy)
    gone = make_organisation(kind=Organisation.Kind.MEDIA, country="FR")
    signature_record(ask=ask, organisation=ngo, source=Signature.Source.PARTNER)
    signature_record(ask=ask, organisation=union, source=Signature.Source.IMPORT)
    signature_record(ask=ask, contact=person, source=Signature.Source.PUBLIC_FORM)
    signature_record(ask=ask, contact=make_contact(), source=Signature.Source.PUBLIC_FORM)
    signature_withdraw(signature=signature_record(ask=ask, organisation=gone))

    result = reports.breakdowns(ask=ask)

    def pairs(rows):
        return [(row.label, row.count) for row in rows]

    assert result.total == 4
    assert pairs(result.country) == [("Belgium", 2), ("Netherlands", 1), ("Not given", 1)]
    assert pairs(result.kind) == [("Individuals", 2), ("NGO", 1), ("Union", 1)]
    assert pairs(result.cause) == [("Labour rights", 2), ("Privacy", 2)]
    assert pairs(result.source) == [
        ("Public form", 2),
        ("Import", 1),
        ("Partner referral", 1),
    ]
    assert result.country[0].share == 50.0
