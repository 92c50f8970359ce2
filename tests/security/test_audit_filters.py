"""Attack: search a list for a person's e-mail and export it; the audit log line then held
the address (`filter q=zoe@…`) although log lines never hold personal values. Filters are
logged without them: what was typed into a search or a name filter, and any value that
looks like an e-mail or a phone number, becomes "(typed)"; choices stay."""

import logging

import pytest
from django.urls import reverse

from crm.audit import describe_filter
from tests.factories import make_contact, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "logged"),
    [
        ("q=zoe@example.org&country=PT", "q=(typed)&country=PT"),
        ("q=Zo%C3%AB+Erasmus", "q=(typed)"),
        ("name=Datenwerk", "name=(typed)"),
        ("other=%2B32+475+12+34+56", "other=(typed)"),
        ("whatever=zoe@example.org", "whatever=(typed)"),
        ("stage=invited&stage=followed_up&page=3", "stage=invited&stage=followed_up"),
        ("created_after=2026-01-01&tag=5", "created_after=2026-01-01&tag=5"),
    ],
)
def test_filters_are_described_without_personal_values(query, logged):
    assert describe_filter(query) == logged


def test_an_export_of_a_search_for_an_address_logs_no_address(client, caplog):
    client.force_login(make_user("coord", role="coordinator"))
    make_contact("Zoë", "Erasmus", email="zoe@example.org")

    with caplog.at_level(logging.INFO, logger="coalition.audit"):
        client.post(
            reverse("crm:contact-bulk"),
            {"action": "export_csv", "scope": "all", "query": "q=zoe@example.org"},
        )

    [line] = [r for r in caplog.records if r.name == "coalition.audit"]
    assert "zoe@example.org" not in line.getMessage() and line.filter == "q=(typed)"
