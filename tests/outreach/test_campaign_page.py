"""A campaign's page: its asks with their figures (signatures against the target, the
pipeline by stage, the closing date), reached from the asks list and from each ask."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outreach.models import Stage
from tests.factories import make_ask, make_campaign, make_outreach, make_signature, make_user

pytestmark = pytest.mark.django_db


def _url(campaign):
    return reverse("outreach:campaign-detail", args=[campaign.slug])


def _card(html, ask):
    match = re.search(rf'<article[^>]*aria-labelledby="ask-{ask.pk}">(.*?)</article>', html, re.S)
    assert match, f"no card for {ask}"
    return match.group(1)


def test_it_lists_the_campaigns_asks_with_their_figures(staff_client):
    campaign = make_campaign(
        name="Reclaim Your Face", description="Ban biometric mass surveillance."
    )
    ask = make_ask(
        campaign=campaign,
        title="Stop facial recognition",
        target_count=200,
        closes_on=datetime.date(2099, 12, 31),
    )
    make_signature(ask, organisation=True)
    make_signature(ask, organisation=True)
    make_signature(ask, status="pending")  # not counted until confirmed
    make_outreach(ask=ask, stage=Stage.INVITED)
    make_outreach(ask=ask, stage=Stage.INVITED)
    make_outreach(ask=ask, stage=Stage.DECLINED)
    make_ask(title="Another campaign's ask")

    response = staff_client.get(_url(campaign))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Reclaim Your Face</h1>" in page
    assert "Ban biometric mass surveillance." in page
    assert "Another campaign&#x27;s ask" not in page and "Another campaign's ask" not in page
    card = _card(page, ask)
    assert re.search(r"<strong>2</strong>\s*of 200 signatures", card)
    assert '<dd data-stage="Invited">2</dd>' in card
    assert '<dd data-stage="Declined">1</dd>' in card
    assert '<dd data-stage="Prospect">0</dd>' in card
    assert "Closes 31 Dec 2099" in card
    assert f'href="{ask.get_absolute_url()}"' in card


def test_a_closed_ask_says_closed(staff_client):
    ask = make_ask(closes_on=datetime.date(2020, 3, 1), opens_on=datetime.date(2020, 1, 1))

    card = _card(staff_client.get(_url(ask.campaign)).content.decode(), ask)

    assert "Closed 1 Mar 2020" in card


def test_an_empty_campaign_says_so_and_offers_to_create_an_ask(staff_client):
    campaign = make_campaign()

    page = staff_client.get(_url(campaign)).content.decode()

    assert "No asks in this campaign yet" in page
    create = f"{reverse('outreach:ask-create')}?campaign={campaign.pk}"
    assert f'href="{create}"' in page
    assert staff_client.get(create).context["form"].initial["campaign"] == str(campaign.pk)


def test_a_viewer_reads_it_but_is_not_offered_to_create_or_edit(client):
    campaign = make_campaign()
    client.force_login(make_user(role="viewer"))

    response = client.get(_url(campaign))

    assert response.status_code == 200
    page = response.content.decode()
    assert "No asks in this campaign yet" in page
    assert reverse("outreach:ask-create") not in page
    assert reverse("outreach:campaign-update", args=[campaign.slug]) not in page


def test_an_unknown_campaign_is_not_found(staff_client):
    assert (
        staff_client.get(reverse("outreach:campaign-detail", args=["no-such-campaign"])).status_code
        == 404
    )


def test_anyone_signed_out_is_sent_to_sign_in(client):
    response = client.get(_url(make_campaign()))

    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_it_is_linked_from_the_asks_list_and_from_each_ask(staff_client):
    ask = make_ask()
    link = f'href="{_url(ask.campaign)}"'

    assert link in staff_client.get(reverse("outreach:ask-list")).content.decode()
    for name, arg in [
        ("outreach:ask-board", ask.slug),
        ("outreach:signature-list", ask.pk),
        ("outreach:report-ask", ask.slug),
    ]:
        page = staff_client.get(reverse(name, args=[arg])).content.decode()
        nav = re.search(r'<nav class="tabs" aria-label="This ask">(.*?)</nav>', page, re.S)
        assert link in nav.group(1), name


def test_an_empty_campaign_is_linked_from_the_asks_list_too(staff_client):
    campaign = make_campaign(name="Starting next month")

    assert (
        f'href="{_url(campaign)}"'
        in staff_client.get(reverse("outreach:ask-list")).content.decode()
    )


def test_creating_a_campaign_leads_to_its_page(staff_client):
    response = staff_client.post(reverse("outreach:campaign-create"), {"name": "Reclaim Your Face"})

    assert response.url == reverse("outreach:campaign-detail", args=["reclaim-your-face"])


def _build(campaign, asks):
    for _ in range(asks):
        ask = make_ask(campaign=campaign, target_count=10)
        make_signature(ask, organisation=True)
        for stage in (Stage.PROSPECT, Stage.INVITED, Stage.SIGNED):
            make_outreach(ask=ask, stage=stage)


def _queries(client, campaign):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(campaign))
    assert response.status_code == 200
    return len(queries)


def test_its_query_count_does_not_grow_with_the_number_of_asks(staff_client):
    campaign = make_campaign()
    _build(campaign, 1)
    one_ask = _queries(staff_client, campaign)

    _build(campaign, 6)
    seven_asks = _queries(staff_client, campaign)

    assert len(staff_client.get(_url(campaign)).context["asks"]) == 7
    assert one_ask == seven_asks
