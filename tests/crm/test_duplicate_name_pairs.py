"""The organisations a person would merge, from a file of name pairs
(tests/crm/data/organisation_name_pairs.csv): the same name in two languages, a short
name and its long form, a legal suffix, a general e-mail at the other's domain — and two
different acronyms, or names made only of common words, that must not be proposed."""

import csv
from pathlib import Path

import pytest

from crm.duplicates import (
    DEFAULT_MIN_SCORE,
    SAME_MAIL_DOMAIN,
    SHORT_NAME_OF_LONG,
    find_organisation_duplicates,
)
from crm.models import Organisation, website_domain

pytestmark = pytest.mark.django_db

PAIRS = list(
    csv.DictReader((Path(__file__).parent / "data" / "organisation_name_pairs.csv").open())
)


def _make(row, side):
    website = row[f"{side}_website"]
    return Organisation.objects.create(
        name=row[f"{side}_name"],
        acronym=row[f"{side}_acronym"],
        website=website,
        domain=website_domain(website),
        email=row[f"{side}_email"],
        country=row[f"{side}_country"],
    )


def _proposed(first, second):
    found = {(p.first_id, p.second_id): p for p in find_organisation_duplicates()}
    return found.get(tuple(sorted((first.pk, second.pk))))


@pytest.mark.parametrize("row", PAIRS, ids=[f"{r['kind']}: {r['first_name']}" for r in PAIRS])
def test_it_proposes_what_a_person_would_merge_and_nothing_else(row):
    first, second = _make(row, "first"), _make(row, "second")

    pair = _proposed(first, second)

    if row["should_pair"] == "yes":
        assert pair is not None and pair.score >= DEFAULT_MIN_SCORE
    else:
        assert pair is None, pair


def test_all_pairs_of_the_file_together_are_found_and_the_refused_stay_apart():
    made = [(_make(row, "first"), _make(row, "second"), row) for row in PAIRS]
    found = {(p.first_id, p.second_id) for p in find_organisation_duplicates()}

    def pairs(answer):
        return {tuple(sorted((a.pk, b.pk))) for a, b, row in made if row["should_pair"] == answer}

    assert pairs("yes") <= found
    assert pairs("no") & found == set()


def test_the_reasons_say_which_kind_of_evidence_it_was():
    datenwerk = Organisation.objects.create(name="Datenwerk", country="DE")
    long_form = Organisation.objects.create(
        name="Datenwerk – Centre for Digital Rights", country="DE"
    )
    site = Organisation.objects.create(
        name="Kenya Tech Watchers", website="https://ktw.example.org", domain="ktw.example.org"
    )
    office = Organisation.objects.create(name="KTW Nairobi", email="info@ktw.example.org")

    assert SHORT_NAME_OF_LONG in _proposed(datenwerk, long_form).reasons
    assert SAME_MAIL_DOMAIN in _proposed(site, office).reasons


def test_a_reason_is_given_once():
    accented = Organisation.objects.create(name="Periódico Señal Abierta", country="MX")
    plain = Organisation.objects.create(name="Periodico Senal Abierta", country="MX")

    reasons = _proposed(accented, plain).reasons

    assert len(reasons) == len(set(reasons)), reasons
