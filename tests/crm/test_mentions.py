"""Finding a person's e-mails, phones and name in someone else's text (crm/mentions.py)."""

import unicodedata

import pytest

from crm.mentions import Identifiers

# The name forms crm.privacy.person_identifiers gives for Zoë Erasmus-Testa.
ZOE = Identifiers.of(
    emails=["zoe.et@example.org"],
    phones=["+31612345678"],
    names=["Zoë Erasmus-Testa", "Erasmus-Testa Zoë", "Erasmus-Testa, Zoë", "Erasmus-Testa"],
)


@pytest.mark.parametrize(
    "text",
    [
        "Write to Zoe.ET@Example.org.",
        "Saved search q=zoe.et%40example.org&page=2",
        "mailto:zoe.et＠example.org",
        "Call +31 6 1234 5678",
        "Call 0612345678",
        "Call (06) 12-34-56-78 after six",
        "Call 0031 612 345 678",
    ],
)
def test_her_address_or_number_is_found_however_it_is_written(text):
    assert ZOE.holds_contact_details(text)
    assert not ZOE.holds_contact_details(ZOE.remove_contact_details(text))


@pytest.mark.parametrize(
    "text",
    ["Write to zoe.et@example.com", "ann.zoe.et@example.org", "Call +31 6 1234 5679", "2026-12-07"],
)
def test_other_addresses_and_numbers_are_not_hers(text):
    assert not ZOE.holds_contact_details(text)
    assert ZOE.remove_contact_details(text) == text


def test_only_the_address_is_replaced_and_the_words_around_it_stay():
    text = "Introduced by zoe.et@example.org, who knows Zoë Girard."
    assert ZOE.remove_contact_details(text) == "Introduced by [erased], who knows Zoë Girard."


def test_her_name_is_found_in_any_case_or_unicode_form_as_whole_words():
    assert ZOE.mentions_name(unicodedata.normalize("NFD", "met ZOË ERASMUS-TESTA"))
    assert ZOE.mentions_name({"name": "Erasmus-Testa, Zoë"})
    assert not ZOE.mentions_name("Zoë Girard at Erasmus University Rotterdam")
    assert not ZOE.mentions_name("Erasmus-Testament")
