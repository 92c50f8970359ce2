"""The duplicate finder: what it suggests, why, and how well on a seeded set."""

import json

import pytest
from django.core.management import call_command

from crm import services
from crm.duplicates import (
    ACRONYM,
    SAME_DOMAIN,
    SAME_NAME,
    SAME_ORG_NAME,
    SAME_ORGANISATION,
    SAME_PHONE,
    find_contact_duplicates,
    find_organisation_duplicates,
)
from crm.models import Affiliation
from tests.duplicate_data import build_contacts, build_organisations, precision_recall
from tests.factories import make_contact, make_organisation

pytestmark = pytest.mark.django_db

# Measured on the seeded sets below (docs/duplicates.md): contacts 1.00 / 0.99,
# organisations 0.96 / 1.00. The floors leave room for tuning, not for regressions.
PRECISION_FLOOR = 0.9
RECALL_FLOOR = 0.9


def _pairs(found):
    return {(p.first_id, p.second_id): p for p in found}


def test_it_finds_the_same_person_written_with_other_accents_case_or_order():
    ana = make_contact("Ana María", "López")
    for first, last in [("ana maria", "LOPEZ"), ("López", "Ana María")]:
        other = make_contact(first, last)
        pair = _pairs(find_contact_duplicates())[(ana.pk, other.pk)]
        assert SAME_NAME in pair.reasons
        other.delete()


def test_the_same_name_at_the_same_organisation_scores_higher():
    edri = make_organisation("EDRi")
    a, b = make_contact("Jan", "Novak"), make_contact("Jan", "Novak")
    lone = make_contact("Jan", "Novak")
    for contact in (a, b):
        Affiliation.objects.create(contact=contact, organisation=edri)

    pairs = _pairs(find_contact_duplicates())

    assert SAME_ORGANISATION in pairs[(a.pk, b.pk)].reasons
    assert pairs[(a.pk, b.pk)].score > pairs[(a.pk, lone.pk)].score


def test_the_same_phone_under_another_name_is_suggested():
    a = make_contact("Ana", "López", phone="+31612345678")
    b = make_contact("A.", "López", phone="+31612345678")
    pair = _pairs(find_contact_duplicates())[(a.pk, b.pk)]
    assert pair.reasons == [SAME_PHONE]


def test_a_misspelt_name_is_suggested_and_a_different_person_is_not():
    a = make_contact("Katarzyna", "Kowalska")
    b = make_contact("Katarzyna", "Kowalksa")
    c = make_contact("Katarzyna", "Kowalczyk")
    pairs = _pairs(find_contact_duplicates())
    assert (a.pk, b.pk) in pairs
    assert (a.pk, c.pk) not in pairs


def test_organisations_by_normalised_name_acronym_and_domain():
    full = make_organisation("European Digital Rights", country="BE")
    both = make_organisation("European Digital Rights (EDRi)", country="BE")
    short = make_organisation("EDRi")
    site = make_organisation("Digitale Rechte", website="https://www.edri.example/")
    site2 = make_organisation("DR e.V.", website="http://edri.example/about")
    pairs = _pairs(find_organisation_duplicates())

    assert SAME_ORG_NAME in pairs[(full.pk, both.pk)].reasons
    assert ACRONYM in pairs[(full.pk, short.pk)].reasons
    assert ACRONYM in pairs[(both.pk, short.pk)].reasons
    assert SAME_DOMAIN in pairs[(site.pk, site2.pk)].reasons


def test_fuzzy_organisation_names_match_within_a_country_only():
    a = make_organisation("Panoptykon Foundation", country="PL")
    b = make_organisation("Panoptikon Foundation", country="PL")
    c = make_organisation("Panoptykon Fundation", country="DE")
    pairs = _pairs(find_organisation_duplicates())
    assert (a.pk, b.pk) in pairs
    assert (a.pk, c.pk) not in pairs


def test_not_a_duplicate_is_not_suggested_again():
    a, b = make_organisation("Access Now"), make_organisation("ACCESS NOW")
    assert (a.pk, b.pk) in _pairs(find_organisation_duplicates())

    services.duplicate_dismiss(kind="organisation", first_id=b.pk, second_id=a.pk)

    assert (a.pk, b.pk) not in _pairs(find_organisation_duplicates())


def test_the_finder_holds_precision_and_recall_on_a_seeded_set_of_contacts():
    truth = build_contacts(1500, duplicate_share=0.1)
    precision, recall = precision_recall(find_contact_duplicates(), truth)
    print(f"contacts: precision {precision:.3f}, recall {recall:.3f}")  # noqa: T201
    assert precision >= PRECISION_FLOOR
    assert recall >= RECALL_FLOOR


def test_the_finder_holds_precision_and_recall_on_a_seeded_set_of_organisations():
    truth = build_organisations(800, duplicate_share=0.1)
    precision, recall = precision_recall(find_organisation_duplicates(), truth)
    print(f"organisations: precision {precision:.3f}, recall {recall:.3f}")  # noqa: T201
    assert precision >= PRECISION_FLOOR
    assert recall >= RECALL_FLOOR


def test_the_command_lists_pairs_with_scores_and_reasons(capsys):
    a, b = make_contact("José", "Müller"), make_contact("Jose", "MULLER")

    call_command("find_duplicates", "contacts", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {
            "first_id": a.pk,
            "second_id": b.pk,
            "score": 85,
            "reasons": [SAME_NAME],
            "first": "José Müller",
            "second": "Jose MULLER",
        }
    ]

    call_command("find_duplicates", "contacts", "--min-score", "90")
    assert "No pairs" in capsys.readouterr().out
