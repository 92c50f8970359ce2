"""Tagging and untagging are attributable: each record tagged or untagged gets a history
entry naming who did it, written in bulk (a fixed number of queries whatever the count)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.history import record_history
from crm.models import Contact, Organisation, Tag
from crm.services import TAG_ADDED, TAG_REMOVED, tag_add, tag_remove
from tests.crm.test_bulk_actions import bulk
from tests.factories import make_contact, make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def tag():
    return Tag.objects.create(name="EU digital rights")


def latest(record):
    return record.history.order_by("-history_id").first()


def test_tagging_from_the_list_names_who_tagged_each_record(staff_client, staff, tag):
    groups = [make_organisation(f"NL group {i}", country="NL") for i in range(2)]
    bulk(staff_client, "crm:organisation-bulk", action="add_tag", tag=tag.pk, scope="all")

    for group in groups:
        entry = latest(group)
        assert entry.history_user == staff
        assert entry.history_change_reason == TAG_ADDED.format(tag=tag)
    (shown, *_) = record_history(groups[0]).entries
    assert shown.reason == "Tag “EU digital rights” added"


def test_untagging_from_the_list_names_who_untagged_and_only_those_that_had_it(
    staff_client, staff, tag
):
    tagged, untagged = make_contact("Anna", "A"), make_contact("Bert", "B")
    tagged.tags.add(tag)
    before = untagged.history.count()

    bulk(staff_client, "crm:contact-bulk", action="remove_tag", tag=tag.pk, scope="all")

    entry = latest(tagged)
    assert entry.history_user == staff
    assert entry.history_change_reason == TAG_REMOVED.format(tag=tag)
    assert untagged.history.count() == before


def test_tagging_again_writes_no_history_for_records_already_tagged(staff, tag):
    contact = make_contact()
    tag_add(tag=tag, model=Contact, ids=[contact.pk], by=staff)
    count = contact.history.count()
    assert tag_add(tag=tag, model=Contact, ids=[contact.pk], by=staff) == 0
    assert contact.history.count() == count


def queries(action, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        action(**kwargs)
    return len(captured)


@pytest.mark.parametrize("action", [tag_add, tag_remove])
def test_tagging_costs_the_same_queries_for_two_records_or_twenty(staff, action):
    counts = []
    for size in (2, 20):
        tag = Tag.objects.create(name=f"tag {size}")
        rows = [make_organisation(f"group {size}-{i}") for i in range(size)]
        if action is tag_remove:
            for row in rows:
                row.tags.add(tag)
        ids = Organisation.objects.filter(pk__in=[r.pk for r in rows]).values("pk")
        counts.append(queries(action, tag=tag, model=Organisation, ids=ids, by=staff))
        assert Organisation.history.filter(history_user=staff).count() == sum(
            (2, 20)[: len(counts)]
        )
    assert counts[0] == counts[1]
