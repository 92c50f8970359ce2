"""contact_merge and organisation_merge: nothing lost, conflicts settled predictably."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm import services
from crm.models import (
    Affiliation,
    ConsentRecord,
    Contact,
    MergedRecord,
    NotDuplicate,
    Organisation,
    Tag,
)
from outreach.models import Activity, Outreach, Signature, Stage
from outreach.services import outreach_change_stage, outreach_invite, signature_record
from tests.factories import make_ask, make_contact, make_organisation, make_user

pytestmark = pytest.mark.django_db


def _day(n):
    return dt.datetime(2026, 3, n, 12, 0, tzinfo=dt.UTC)


def _counts(**about):
    return {
        "affiliations": Affiliation.objects.filter(**about).count(),
        "outreach": Outreach.objects.filter(**about).count(),
        "signatures": Signature.objects.filter(**about).count(),
        "activities": Activity.objects.filter(**about).count(),
    }


def _person_with_everything(email, organisation, ask, tag):
    contact = make_contact("Ana", "López", email=email)
    Affiliation.objects.create(contact=contact, organisation=organisation, is_primary=True)
    ConsentRecord.objects.create(contact=contact, purpose="outreach", given_at=timezone.now())
    entry = Outreach.objects.create(ask=ask, contact=contact)
    outreach_invite(outreach=entry)
    signature_record(ask=make_ask(), contact=contact, signed_at=_day(2))
    Activity.objects.create(kind=Activity.Kind.CALL, contact=contact, summary="Called")
    contact.tags.add(tag)
    return contact


def test_every_related_row_of_a_contact_survives_the_merge():
    coordinator = make_user()
    tag_a, tag_b = Tag.objects.create(name="privacy"), Tag.objects.create(name="ai")
    keep = _person_with_everything("ana@a.org", make_organisation(), make_ask(), tag_a)
    lose = _person_with_everything("ana@b.org", make_organisation(), make_ask(), tag_b)
    before = {
        table: _counts(contact=keep)[table] + _counts(contact=lose)[table]
        for table in _counts(contact=keep)
    }
    consents = ConsentRecord.objects.count()

    result = services.contact_merge(survivor=keep, merged=lose, by=coordinator)

    after = _counts(contact=keep)
    # The merge adds one activity: the note that it happened.
    assert after == {**before, "activities": before["activities"] + 1}
    assert keep.consents.count() == consents == 2
    assert set(keep.tags.values_list("name", flat=True)) == {"privacy", "ai"}
    assert not Contact.objects.filter(pk=lose.pk).exists()
    assert result.moved["affiliations"] == 1
    # Only one primary affiliation.
    assert keep.affiliations.filter(is_primary=True).count() == 1


def test_every_related_row_of_an_organisation_survives_the_merge():
    keep, lose = make_organisation("EDRi"), make_organisation("European Digital Rights")
    network, member = make_organisation("Network"), make_organisation("Member")
    lose.member_of.add(network)
    member.member_of.add(lose)
    lose.tags.add(Tag.objects.create(name="privacy"))
    for organisation in (keep, lose):
        Affiliation.objects.create(contact=make_contact(), organisation=organisation)
        Outreach.objects.create(ask=make_ask(), organisation=organisation)
        signature_record(ask=make_ask(), organisation=organisation, contact=make_contact())
        Activity.objects.create(kind=Activity.Kind.NOTE, organisation=organisation)
    before = {t: _counts(organisation=keep)[t] + n for t, n in _counts(organisation=lose).items()}

    services.organisation_merge(survivor=keep, merged=lose, by=make_user())

    assert _counts(organisation=keep) == {**before, "activities": before["activities"] + 1}
    assert list(keep.member_of.all()) == [network]
    assert list(keep.members.all()) == [member]
    assert list(keep.tags.values_list("name", flat=True)) == ["privacy"]
    assert not Organisation.objects.filter(pk=lose.pk).exists()


def test_two_entries_for_the_same_ask_keep_the_further_stage_and_both_timelines():
    ask = make_ask()
    keep, lose = make_organisation("A"), make_organisation("A.")
    behind = Outreach.objects.create(ask=ask, organisation=keep)
    outreach_invite(outreach=behind)
    ahead = Outreach.objects.create(ask=ask, organisation=lose)
    outreach_invite(outreach=ahead)
    outreach_change_stage(outreach=ahead, stage=Stage.DECLINED)
    activities = Activity.objects.filter(outreach__in=[behind, ahead]).count()

    services.organisation_merge(survivor=keep, merged=lose)

    entry = Outreach.objects.get(ask=ask, organisation=keep)
    assert entry.pk == ahead.pk
    assert entry.stage == Stage.DECLINED
    assert entry.activities.count() == activities
    assert not Outreach.objects.filter(pk=behind.pk).exists()


def test_the_stage_order_is_explicit():
    assert services.STAGE_PRECEDENCE == [
        "signed",
        "withdrawn",
        "declined",
        "no_response",
        "followed_up",
        "invited",
        "prospect",
    ]
    assert set(services.STAGE_PRECEDENCE) == set(Stage.values)


def test_both_signed_the_same_ask_leaves_one_signature_with_the_earliest_date():
    ask = make_ask()
    keep, lose = make_contact("Ana", "López"), make_contact("Ana", "Lopez")
    later = signature_record(ask=ask, contact=keep, signed_at=_day(20))
    earlier = signature_record(ask=ask, contact=lose, signed_at=_day(3))

    services.contact_merge(survivor=keep, merged=lose)

    live = Signature.objects.filter(ask=ask, contact=keep).live()
    assert list(live) == [earlier]
    assert live.get().signed_at == _day(3)
    later.refresh_from_db()
    assert later.status == Signature.Status.REJECTED
    assert f"#{earlier.pk}" in later.status_reason


def test_organisations_that_both_signed_keep_one_signature():
    ask = make_ask()
    keep, lose = make_organisation("Bits"), make_organisation("Bits of Freedom")
    signature_record(ask=ask, organisation=keep, contact=make_contact(), signed_at=_day(5))
    first = signature_record(ask=ask, organisation=lose, contact=make_contact(), signed_at=_day(1))

    services.organisation_merge(survivor=keep, merged=lose)

    assert list(Signature.objects.filter(ask=ask).live()) == [first]
    assert first.__class__.objects.get(pk=first.pk).organisation == keep


def test_chosen_values_are_kept_and_the_email_can_move_to_the_survivor():
    keep = make_contact("Ana", "Lopez", email="old@a.org", notes="met in Brussels")
    lose = make_contact(
        "Ana", "López", email="ana@b.org", notes="speaks Dutch", do_not_contact=True
    )

    services.contact_merge(
        survivor=keep, merged=lose, values={"email": "merged", "last_name": "merged"}
    )

    keep.refresh_from_db()
    assert (keep.last_name, keep.email) == ("López", "ana@b.org")
    assert keep.notes == "met in Brussels\n\nspeaks Dutch"
    assert keep.do_not_contact is True  # either said so: it stays


def test_the_merged_away_ids_and_email_lead_to_the_survivor(client):
    keep, lose = make_contact("Ana", "López"), make_contact("Ana", "Lopez", email="x@b.org")
    services.contact_merge(survivor=keep, merged=lose)
    client.force_login(make_user())

    response = client.get(f"/contacts/{lose.pk}/")

    assert response.status_code == 302
    assert response.url == f"/contacts/{keep.pk}/"
    assert MergedRecord.objects.get(old_id=lose.pk).email == "x@b.org"


def test_a_chain_of_merges_resolves_to_the_last_survivor(client):
    a, b, c = make_organisation("A"), make_organisation("B"), make_organisation("C")
    services.organisation_merge(survivor=b, merged=a)
    services.organisation_merge(survivor=c, merged=b)
    client.force_login(make_user(role="viewer"))

    assert MergedRecord.resolve("organisation", a.pk) == c.pk
    assert client.get(f"/organisations/{a.pk}/").url == f"/organisations/{c.pk}/"
    assert client.get("/organisations/999999/").status_code == 404


def test_the_merge_is_in_the_audit_trail():
    coordinator = make_user()
    keep, lose = make_contact("Ana", "López"), make_contact("Ana", "Lopez")

    services.contact_merge(survivor=keep, merged=lose, by=coordinator)

    latest = keep.history.first()
    assert latest.history_user == coordinator
    assert latest.history_change_reason.startswith(f"Merged with contact #{lose.pk}")
    note = Activity.objects.get(contact=keep, kind=Activity.Kind.NOTE)
    assert note.actor == coordinator
    assert "Merged “Ana Lopez”" in note.summary
    assert Contact.history.filter(id=lose.pk, history_type="-").exists()


def test_a_failed_merge_changes_nothing():
    keep, lose = make_contact("Ana", "López"), make_contact("Ana", "Lopez")
    Affiliation.objects.create(contact=lose, organisation=make_organisation())

    with pytest.raises(ValidationError):
        services.contact_merge(survivor=keep, merged=lose, values={"pk": "merged"})

    assert Contact.objects.filter(pk=lose.pk).exists()
    assert lose.affiliations.count() == 1
    assert not MergedRecord.objects.exists()


def test_a_record_cannot_be_merged_into_itself():
    contact = make_contact()
    with pytest.raises(ValidationError, match=services.MERGE_SAME_RECORD):
        services.contact_merge(survivor=contact, merged=contact)


def test_not_a_duplicate_is_remembered_once_whatever_the_order():
    services.duplicate_dismiss(kind="contact", first_id=9, second_id=4)
    services.duplicate_dismiss(kind="contact", first_id=4, second_id=9)
    assert NotDuplicate.pairs("contact") == {(4, 9)}


def test_a_later_import_resolves_the_merged_away_email_and_name_to_the_survivor():
    from tests.crm.importing.helpers import csv_bytes, do_import

    keep = make_contact("Ana", "López", email="ana@a.org")
    lose = make_contact("Ana", "Lopez", email="ana@b.org")
    services.contact_merge(survivor=keep, merged=lose)
    full, short = make_organisation("European Digital Rights"), make_organisation("EDRi Brussels")
    services.organisation_merge(survivor=full, merged=short)
    contacts = csv_bytes(
        [["E-mail", "First name", "Organisation"], ["ana@b.org", "Ana", "EDRi Brussels"]]
    )
    organisations = csv_bytes([["Organisation", "City"], ["EDRi Brussels", "Brussels"]])

    do_import("contacts", contacts)
    do_import("organisations", organisations)

    assert Contact.objects.count() == 1
    assert list(keep.organisations.all()) == [full]
    assert Organisation.objects.count() == 1
    full.refresh_from_db()
    assert full.city == "Brussels"
