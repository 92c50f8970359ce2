"""The board and the table of an ask: moves, bulk actions, constant query counts."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.models import Contact, Organisation
from outreach.models import TRANSITIONS, Activity, Outreach, Stage
from outreach.services import TRANSITION_REFUSED
from tests.factories import make_ask, make_contact, make_organisation, make_outreach, make_user

pytestmark = pytest.mark.django_db

ALLOWED = [(a, b) for a, targets in TRANSITIONS.items() for b in targets]
REFUSED = [(a, b) for a, b in itertools.product(Stage, Stage) if a != b and b not in TRANSITIONS[a]]
HTMX = {"HTTP_HX_REQUEST": "true"}


def _move(client, entry, stage, **extra):
    return client.post(
        reverse("outreach:outreach-move", args=[entry.pk]), {"stage": stage}, **extra
    )


def test_it_asks_staff_to_sign_in(client):
    ask = make_ask()
    response = client.get(reverse("outreach:ask-board", args=[ask.slug]))
    assert response.status_code == 302


def test_the_board_shows_columns_with_counts_and_cards(staff_client, staff):
    ask = make_ask(title="Ban biometric surveillance")
    late = make_outreach(
        ask=ask,
        stage=Stage.INVITED,
        owner=staff,
        next_follow_up_on=timezone.localdate() - datetime.timedelta(days=2),
        organisation=make_organisation("Digital Rights Watch"),
        contact=make_contact("Mira", "Okafor"),
    )
    make_outreach(ask=ask, stage=Stage.INVITED)
    make_outreach(ask=ask, stage=Stage.SIGNED)

    response = staff_client.get(ask.get_absolute_url())

    html = response.content.decode()
    columns = {c.stage: c for c in response.context["columns"]}
    assert (columns[Stage.INVITED].count, columns[Stage.SIGNED].count) == (2, 1)
    assert columns[Stage.PROSPECT].count == 0
    assert late in columns[Stage.INVITED].cards
    assert "Digital Rights Watch" in html and "Mira Okafor" in html
    assert "⚠ Overdue" in html  # reads without colour
    assert response.context["overdue_count"] == 1
    assert 'src="/static/js/board.js"' in html


@pytest.mark.parametrize(("from_stage", "to_stage"), ALLOWED)
def test_every_allowed_board_move_moves_the_card(staff_client, staff, from_stage, to_stage):
    entry = make_outreach(stage=from_stage)

    response = _move(staff_client, entry, to_stage, **HTMX)

    entry.refresh_from_db()
    assert entry.stage == to_stage
    assert response.status_code == 200
    assert 'id="board"' in response.content.decode()
    assert "<html" not in response.content.decode()  # just the board, swapped in place
    move = Activity.objects.get(outreach=entry, kind=Activity.Kind.STAGE_CHANGE)
    assert move.actor == staff


@pytest.mark.parametrize(("from_stage", "to_stage"), REFUSED)
def test_every_refused_board_move_says_why(staff_client, from_stage, to_stage):
    entry = make_outreach(stage=from_stage)

    response = _move(staff_client, entry, to_stage, **HTMX)

    entry.refresh_from_db()
    assert entry.stage == from_stage
    expected = TRANSITION_REFUSED.format(
        from_stage=Stage(from_stage).label, to_stage=Stage(to_stage).label
    )
    assert response.context["error"].endswith(expected)
    assert 'role="alert"' in response.content.decode()


def test_a_move_without_htmx_redirects_with_a_message(staff_client):
    entry = make_outreach(stage=Stage.SIGNED)

    response = _move(staff_client, entry, Stage.PROSPECT, follow=True)

    assert response.redirect_chain[-1][0] == entry.ask.get_absolute_url()
    assert "cannot move to" in response.content.decode()


def test_an_unknown_stage_is_refused(staff_client):
    entry = make_outreach(stage=Stage.PROSPECT)
    response = _move(staff_client, entry, "teleported", **HTMX)
    assert "is not a pipeline stage" in response.context["error"]


def _fill(ask, count, owner):
    stages = list(Stage)
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"{ask.slug} organisation {i}") for i in range(count)
    )
    contacts = Contact.objects.bulk_create(
        Contact(first_name="Pat", last_name=f"{ask.slug} {i}") for i in range(count)
    )
    Outreach.objects.bulk_create(
        Outreach(
            ask=ask,
            organisation=organisation,
            contact=contact,
            owner=owner,
            stage=stages[i % len(stages)],
            next_follow_up_on=timezone.localdate() + datetime.timedelta(days=i % 9 - 4),
        )
        for i, (organisation, contact) in enumerate(zip(organisations, contacts, strict=True))
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["ask-board", "ask-table"])
def test_query_count_is_the_same_for_10_and_500_entries(staff_client, staff, page):
    small, large = make_ask(), make_ask()
    _fill(small, 10, staff)
    _fill(large, 500, staff)
    extra = "?per_page=200&sort=-follow_up" if page == "ask-table" else ""

    ten = _queries(staff_client, reverse(f"outreach:{page}", args=[small.slug]) + extra)
    five_hundred = _queries(staff_client, reverse(f"outreach:{page}", args=[large.slug]) + extra)

    assert ten == five_hundred


def test_the_table_filters_sorts_and_paginates(staff_client, staff):
    ask = make_ask()
    make_outreach(ask=ask, organisation=make_organisation("Zeta Rights"), stage=Stage.INVITED)
    make_outreach(ask=ask, organisation=make_organisation("Alpha Privacy"), stage=Stage.INVITED)
    make_outreach(ask=ask, organisation=make_organisation("Beta Signed"), stage=Stage.SIGNED)
    url = reverse("outreach:ask-table", args=[ask.slug])

    response = staff_client.get(url, {"stage": "invited", "sort": "partner"})

    names = [e.organisation.name for e in response.context["object_list"]]
    assert names == ["Alpha Privacy", "Zeta Rights"]
    assert response.context["result_count"] == 2
    searched = staff_client.get(url, {"q": "beta"}).context["object_list"]
    assert [e.organisation.name for e in searched] == ["Beta Signed"]


def _bulk(client, ask, entries, **data):
    return client.post(
        reverse("outreach:ask-bulk", args=[ask.slug]),
        {"ids": [e.pk for e in entries], **data},
        follow=True,
    )


def test_bulk_change_stage_names_the_refused_entries(staff_client):
    ask = make_ask()
    prospect = make_outreach(ask=ask, organisation=make_organisation("Open Net"))
    signed = make_outreach(
        ask=ask, organisation=make_organisation("Privacy First"), stage=Stage.SIGNED
    )

    response = _bulk(staff_client, ask, [prospect, signed], action="stage", stage="declined")

    prospect.refresh_from_db()
    signed.refresh_from_db()
    assert (prospect.stage, signed.stage) == (Stage.DECLINED, Stage.SIGNED)
    html = response.content.decode()
    assert "1 moved to “Declined”" in html
    assert "Privacy First: An entry that is “Signed” cannot move to “Declined”." in html


def test_bulk_assign_owner_and_follow_up_date(staff_client):
    ask = make_ask()
    entries = [make_outreach(ask=ask) for _ in range(3)]
    colleague = make_user("colleague")

    _bulk(staff_client, ask, entries, action="owner", owner=colleague.pk)
    _bulk(staff_client, ask, entries[:2], action="follow_up", follow_up_on="2026-12-24")

    assert Outreach.objects.filter(owner=colleague).count() == 3
    assert Outreach.objects.filter(next_follow_up_on=datetime.date(2026, 12, 24)).count() == 2


def test_bulk_without_a_selection_or_stage_says_what_is_missing(staff_client):
    ask = make_ask()
    entry = make_outreach(ask=ask)
    assert (
        "Select at least one entry."
        in _bulk(staff_client, ask, [], action="stage", stage="invited").content.decode()
    )
    assert (
        "Choose the stage"
        in _bulk(staff_client, ask, [entry], action="stage", stage="").content.decode()
    )


def test_bulk_entries_of_another_ask_are_refused(staff_client):
    ask, other = make_ask(), make_ask()
    foreign = make_outreach(ask=other)
    response = _bulk(staff_client, ask, [foreign], action="stage", stage="invited")
    foreign.refresh_from_db()
    assert foreign.stage == Stage.PROSPECT
    assert "Select a valid choice" in response.content.decode()


def test_bulk_send_an_email_goes_to_the_compose_page_with_the_selection(staff_client):
    ask = make_ask()
    entries = [make_outreach(ask=ask) for _ in range(2)]
    response = staff_client.post(
        reverse("outreach:ask-bulk", args=[ask.slug]),
        {"ids": [e.pk for e in entries], "action": "email", "purpose": "invitation"},
    )
    assert response.url.startswith(reverse("outreach:email-compose", args=[ask.slug]))
    assert f"ids={entries[0].pk}" in response.url
