"""The dashboard: each open ask's signatures against target, pipeline and follow-ups."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outreach.models import Outreach, Signature, Stage
from outreach.services import signature_record
from tests.factories import make_ask, make_campaign, make_organisation, make_outreach

pytestmark = pytest.mark.django_db


def test_it_asks_to_sign_in_first(client):
    response = client.get(reverse("outreach:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_is_for_staff_only(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("outsider", password="pw"))
    assert client.get(reverse("outreach:dashboard")).status_code == 403


def test_it_shows_signatures_against_target_and_the_pipeline(staff_client, staff):
    today = timezone.localdate()
    ask = make_ask(title="End biometric surveillance", target_count=200)
    for _ in range(3):
        entry = make_outreach(ask=ask, stage=Stage.INVITED)
        signature_record(ask=ask, organisation=entry.organisation, by=staff)
    make_outreach(ask=ask, stage=Stage.INVITED, next_follow_up_on=today)
    make_outreach(
        ask=ask, stage=Stage.FOLLOWED_UP, next_follow_up_on=today - datetime.timedelta(days=3)
    )
    signature_record(
        ask=ask, organisation=make_organisation(), status=Signature.Status.PENDING, by=staff
    )

    response = staff_client.get(reverse("outreach:dashboard"))

    [progress] = response.context["asks"]
    assert progress.signatures == 3  # pending ones are not counted
    assert progress.percent_of_target == 2
    assert dict(progress.stage_counts)["Signed"] == 3
    assert dict(progress.stage_counts)["Invited"] == 1
    assert progress.due_this_week == 1
    assert progress.overdue == 1
    assert "End biometric surveillance" in response.content.decode()


def test_it_leaves_out_closed_and_future_asks(staff_client):
    today = timezone.localdate()
    make_ask(title="Closed", closes_on=today - datetime.timedelta(days=1))
    make_ask(title="Not yet", opens_on=today + datetime.timedelta(days=1))

    response = staff_client.get(reverse("outreach:dashboard"))

    assert response.context["asks"] == []
    assert "No open asks" in response.content.decode()


def test_it_lists_my_follow_ups_this_week(staff_client, staff):
    today = timezone.localdate()
    mine = make_outreach(stage=Stage.INVITED, owner=staff, next_follow_up_on=today)
    make_outreach(stage=Stage.INVITED, next_follow_up_on=today)  # someone else's

    response = staff_client.get(reverse("outreach:dashboard"))

    assert response.context["my_follow_ups"] == [mine]


def _build_asks(count, entries_each, owner):
    campaign = make_campaign()
    stages = list(Stage)
    today = timezone.localdate()
    for _ in range(count):
        ask = make_ask(campaign=campaign, target_count=100)
        organisations = [make_organisation() for _ in range(entries_each)]
        Outreach.objects.bulk_create(
            Outreach(
                ask=ask,
                organisation=organisation,
                stage=stages[i % len(stages)],
                owner=owner,
                next_follow_up_on=today + datetime.timedelta(days=i % 5),
            )
            for i, organisation in enumerate(organisations)
        )
        Signature.objects.bulk_create(
            Signature(ask=ask, organisation=organisation, display_name=organisation.name)
            for organisation in organisations[:10]
        )


def _queries_for_dashboard(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("outreach:dashboard"))
    assert response.status_code == 200
    return len(queries)


def test_its_query_count_does_not_grow_with_asks_and_entries(staff_client, staff):
    _build_asks(1, 100, staff)
    one_ask = _queries_for_dashboard(staff_client)

    _build_asks(9, 100, staff)
    ten_asks = _queries_for_dashboard(staff_client)

    assert len(staff_client.get(reverse("outreach:dashboard")).context["asks"]) == 10
    assert one_ask == ten_asks
